// The invariants each fuzz target asserts, as plain functions over an input's bytes that return what
// they found wrong (empty: all held): `checkWireCodec`, `checkCSV` here, `checkPipeline` in
// PipelineFuzzChecks (apart, so that the codec and CSV fuzzers build without the engine). libFuzzer's
// targets (Tests/Fuzz, built by Scripts/fuzz.sh) call them on every input and trap on a violation;
// FuzzChecksTests calls them on every file of the seed corpus (Tests/Fuzz/corpus/<target>/) in the
// normal test run, so the corpus is replayed in CI too.
//
// A check never traps on an input the code under test rejects cleanly: a thrown, well-formed error is
// a pass. It fails on a crash (the process dies: libFuzzer reports it), a hang (libFuzzer's timeout),
// and on the violations each function lists.

/// An error message is for a person: short and on one line whatever the input (no raw control
/// characters, nothing like the whole input echoed back).
package func messageProblem(_ message: String, limit: Int) -> String? {
    if message.utf8.count > limit {
        return "message of \(message.utf8.count) bytes (limit \(limit)): \(message.prefix(200))…"
    }
    if let bad = message.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
        return "message holds control character U+\(String(bad.value, radix: 16)): \(message.prefix(200))"
    }
    return nil
}

/// Traps with the violations, for libFuzzer (which then saves the input as a crash and stops).
public func trapOnViolations(_ violations: [String], target: String) {
    guard !violations.isEmpty else { return }
    fatalError("fuzz \(target): " + violations.joined(separator: "; "))
}
