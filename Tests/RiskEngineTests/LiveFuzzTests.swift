import Foundation
import Testing

/// Hostile frames with good events interleaved, sent to a live `riskstream run` by
/// `riskstream-bench fuzz-live` (a CI-sized run; `bash Scripts/fuzz.sh live` runs a million frames): the
/// engine must count every good event in `events_in` and every hostile frame in `malformed`, exactly,
/// drop nothing, and exit cleanly on SIGINT.
@Suite struct LiveFuzzTests {
    @Test(arguments: [7 as UInt64])
    func everyFrameIsCountedExactlyOnce(seed: UInt64) throws {
        let folder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let process = Process()
        process.executableURL = folder.appendingPathComponent("riskstream-bench")
        process.arguments = ["fuzz-live", "--frames", "20000", "--seed", "\(seed)", "--timeout", "120"]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        print(text, terminator: "")
        #expect(process.terminationStatus == 0, "\(problems)")
        #expect(text.contains("fuzz-live: exact: events_in="), "\(text)")
        for kind in ["one_frame", "three_frames", "truncated", "mutated", "outbound_kind", "invalid_utf8", "oversized"] {
            #expect(text.contains(kind), "no \(kind) frame among the 20,000")
        }
    }
}
