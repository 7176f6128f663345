import Foundation
import FuzzChecks
import PipelineFuzzChecks
import Testing

/// The fuzz targets by their corpus folder's name, with their checks.
enum FuzzTarget: String, CaseIterable, Sendable {
    case wireCodec = "wire_codec"
    case csv
    case pipeline

    func check(_ input: UnsafeRawBufferPointer) -> [String] {
        switch self {
        case .wireCodec: checkWireCodec(input)
        case .csv: checkCSV(input)
        case .pipeline: checkPipeline(input)
        }
    }
}

/// Every seed of every fuzz target (Tests/Fuzz/corpus/<target>/) through that target's checks, in the
/// normal build: what the fuzzers assert holds on the corpus in every CI run, with or without libFuzzer.
@Suite struct CorpusReplayTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func seedsPassTheirTargetsChecks(target: FuzzTarget) throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count >= 20, "a few dozen seeds expected in \(folder.path)")
        for name in names {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            let problems = data.withUnsafeBytes { target.check($0) }
            #expect(problems.isEmpty, "\(target.rawValue)/\(name): \(problems)")
        }
    }

    /// The checks catch what they claim to: a CSV error message that echoed a line would fail.
    @Test func checksRejectWhatTheyShould() {
        let longLine = "price\r" + String(repeating: "x", count: 5_000) + "\r"
        let problems = Array(longLine.utf8).withUnsafeBytes { FuzzTarget.csv.check($0) }
        #expect(problems.isEmpty, "the reader's message for a non-numeric value is an excerpt: \(problems)")
    }
}
