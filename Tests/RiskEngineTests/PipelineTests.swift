import Foundation
import RiskEngine
import Testing

@Suite struct PipelineTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func theDocumentedDefaultFileIsExactlyTheBuiltInDefaults() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Pipelines/default.yaml"), encoding: .utf8)
        #expect(try Pipeline.load(yaml: text, source: "default.yaml") == Pipeline())
    }

    @Test func theDemoPipelineLoads() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Pipelines/demo.yaml"), encoding: .utf8)
        let demo = try Pipeline.load(yaml: text, source: "demo.yaml")
        #expect(demo.name == "demo")
        #expect(demo.ingest.whenFull == .dropOldest)
        #expect(demo.volatility.warning < demo.volatility.critical)
    }

    @Test func anEmptyFileIsTheDefaults() throws {
        #expect(try Pipeline.load(yaml: "") == Pipeline())
        #expect(try Pipeline.load(yaml: "# nothing here\n") == Pipeline())
    }

    @Test func valuesAreRead() throws {
        let pipeline = try Pipeline.load(
            yaml: """
                name: desk
                ingest:
                  feeds: [tcp://127.0.0.1:7000, ipc:///tmp/x.sock]
                  ring_capacity: 1_024
                  when_full: drop_newest
                volatility: {lambda: 0.97, warning: 0.5, critical: 0.9}
                publish:
                  endpoint: null
                  encoding: binary
                """)
        #expect(pipeline.name == "desk")
        #expect(pipeline.ingest.feeds == ["tcp://127.0.0.1:7000", "ipc:///tmp/x.sock"])
        #expect(pipeline.ingest.ringCapacity == 1024)
        #expect(pipeline.ingest.whenFull == .dropNewest)
        #expect(pipeline.volatility.lambda == 0.97)
        #expect(pipeline.publish.endpoint == nil)
        #expect(pipeline.publish.encoding == .binary)
    }

    /// Each bad file names the key path, the line and the reason.
    @Test(arguments: [
        ("ingest:\n  ring_capcity: 8\n", "ingest.ring_capcity", 2, "unknown key"),
        ("ingest:\n  when_full: sometimes\n", "ingest.when_full", 2, "not one of: block, drop_oldest, drop_newest"),
        ("symbols:\n  max: -3\n", "symbols.max", 2, "out of range"),
        ("volatility:\n  lambda: high\n", "volatility.lambda", 2, "expected a number"),
        ("volatility:\n  lambda: .nan\n", "volatility.lambda", 2, "expected a number"),
        ("ingest:\n  feeds: tcp://127.0.0.1:1\n", "ingest.feeds", 2, "expected a list"),
        ("publish: 3\n", "publish", 1, "expected a mapping"),
        ("volatility:\n  warning: 2\n  critical: 1\n", "volatility.critical", nil, "greater than volatility.warning"),
    ] as [(String, String, Int?, String)])
    func badFilesAreErrorsNamingThePlace(yaml: String, path: String, line: Int?, reason: String) throws {
        do {
            _ = try Pipeline.load(yaml: yaml, source: "bad.yaml")
            Issue.record("accepted a bad pipeline")
        } catch {
            #expect(error.path == path)
            #expect(error.line == line)
            #expect(error.reason.contains(reason), "\(error)")
            #expect(error.description.hasPrefix("bad.yaml"))
        }
    }

    @Test func invalidYAMLAndDuplicateKeysAreErrors() throws {
        for (yaml, reason) in [("ingest: [unclosed\n", "not valid YAML"), ("name: a\nname: b\n", "'name'")] {
            do {
                _ = try Pipeline.load(yaml: yaml, source: "bad.yaml")
                Issue.record("accepted \(yaml)")
            } catch {
                #expect(error.reason.contains(reason), "\(error)")
            }
        }
    }
}
