import Foundation
import Testing

/// `riskstream run --pipeline FILE` with a bad `learning:` section exits 65, naming the file, the line
/// of the offending entry and what is wrong with it.
@Suite struct PipelineLearningErrorTests {
    struct BadSection: Sendable, CustomTestStringConvertible {
        var yaml: String
        /// The line the error must name.
        var line: Int
        var message: String
        var testDescription: String { message }
    }

    static let cases = [
        BadSection(
            yaml: "learning:\n  features:\n    - return_1\n    - vol_of_vol\n", line: 4,
            message: "learning.features[1]: unknown feature"),
        BadSection(
            yaml: "symbols:\n  window: 100\nlearning:\n  features:\n    - return_1\n    - realized_vol_150\n", line: 6,
            message: "learning.features[1]"),
        BadSection(
            yaml: "symbols:\n  window: 30\n", line: 2,
            message: "symbols.window: too small for the default feature realized_vol_50"),
        BadSection(
            yaml: "learning:\n  features: [return_1, return_1]\n", line: 2,
            message: "learning.features: lists a feature twice"),
        BadSection(
            yaml: "learning:\n  horizon_events: 0\n", line: 2, message: "learning.horizon_events: 0 is out of range"),
        BadSection(
            yaml: "learning:\n  drive: worst\n", line: 2,
            message: "learning.drive: 'worst' is not one of: best, ensemble"),
        BadSection(
            yaml: "learning:\n  drive: best\n  horizon: 10\n", line: 3,
            message: "learning.horizon: unknown key 'horizon'"),
        BadSection(
            yaml:
                "learning:\n  models:\n    - name: fast\n      kind: sgd\n    - name: forest\n      kind: random_forest\n",
            line: 6, message: "learning.models[1].kind: 'random_forest' is not one of: sgd, htr, arf"),
        BadSection(
            yaml: "learning:\n  models:\n    - name: sgd\n      kind: sgd\n    - name: sgd\n      kind: htr\n", line: 5,
            message: "learning.models[1].name: duplicate model name 'sgd'"),
        BadSection(
            yaml: "learning:\n  models:\n    - name: forest\n      kind: arf\n      trees: 0\n", line: 5,
            message: "learning.models[0].trees: 0 is out of range"),
        BadSection(yaml: "learning:\n  models: []\n", line: 2, message: "learning.models: needs at least one model"),
    ]

    @Test(arguments: cases)
    func aBadLearningSectionExits65NamingFileAndLine(_ bad: BadSection) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("learning.yaml")
        // Endpoints on loopback, in case a pipeline were (wrongly) accepted and the engine started.
        let yaml = "publish:\n  endpoint: tcp://127.0.0.1:\(CLI.freePort())\n" + bad.yaml
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let output = try CLI.run(["run", "--pipeline", file.path], within: 20)
        #expect(output.status == 65, "\(output.stderr)")
        #expect(output.stderr.contains("learning.yaml:\(bad.line + 2):"), "\(output.stderr)")
        #expect(output.stderr.contains(bad.message), "\(output.stderr)")
    }
}
