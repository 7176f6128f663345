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

    @Test func theReplayPipelineIsTheDefaultsWithLearningOff() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Pipelines/replay.yaml"), encoding: .utf8)
        let replay = try Pipeline.load(yaml: text, source: "replay.yaml")
        var expected = Pipeline()
        expected.name = "replay"
        expected.learning.enabled = false
        expected.publish.riskSnapshotMilliseconds = 1_000
        #expect(replay == expected)
    }

    @Test func theDemoPipelineLoads() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("Pipelines/demo.yaml"), encoding: .utf8)
        let demo = try Pipeline.load(yaml: text, source: "demo.yaml")
        #expect(demo.name == "demo")
        #expect(demo.ingest.whenFull == .dropOldest)
        #expect(demo.volatility.warning < demo.volatility.critical)
        #expect(demo.problem == nil)
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

    @Test func learningRiskAndHedgingSectionsAreRead() throws {
        let pipeline = try Pipeline.load(
            yaml: """
                learning:
                  features: [return_1, ewma_vol]
                  reference_symbol: SPX
                  horizon_seconds: 2.5
                  row_every: 4
                  drive: ensemble
                  models:
                    - {name: fast, kind: sgd}
                    - {name: forest, kind: arf, scope: per_symbol, seed: 9, trees: 4}
                risk:
                  confidence: 0.975
                  var_method: t
                  volatility_source: forecast
                  liquidity: {warning: 3}
                  symbols:
                    TSLA: {volatility: {warning: 0.9, critical: 1.5}}
                hedging:
                  default_limits: {var: 1000}
                  accounts:
                    DESK1: {var: 25000, volatility_notional: 1e6}
                  instruments: {AAPL: NDX}
                """, source: "risk.yaml")
        #expect(pipeline.learning.features == ["return_1", "ewma_vol"])
        #expect(pipeline.learning.referenceSymbol == "SPX")
        #expect(pipeline.learning.horizonSeconds == 2.5)
        #expect(pipeline.learning.rowEvery == 4)
        #expect(pipeline.learning.drive == .ensemble)
        #expect(
            pipeline.learning.models == [
                .init(name: "fast", kind: .sgd), .init(name: "forest", kind: .arf, scope: .perSymbol, seed: 9, trees: 4),
            ])
        #expect(pipeline.risk.confidence == 0.975)
        #expect(pipeline.risk.varMethod == .t)
        #expect(pipeline.risk.volatilitySource == .forecast)
        #expect(pipeline.risk.liquidity == .init(warning: 3, critical: 4))
        #expect(pipeline.risk.symbols["TSLA"]?.volatility == .init(warning: 0.9, critical: 1.5))
        #expect(pipeline.hedging.defaultLimits == .init(varLimit: 1000))
        #expect(pipeline.hedging.accounts["DESK1"] == .init(varLimit: 25000, volatilityNotionalLimit: 1e6))
        #expect(pipeline.hedging.instruments == ["AAPL": "NDX"])
    }

    /// Each bad file names the key path, the line and the reason.
    @Test(arguments: [
        ("ingest:\n  ring_capcity: 8\n", "ingest.ring_capcity", 2, "unknown key"),
        ("ingest:\n  when_full: sometimes\n", "ingest.when_full", 2, "not one of: block, drop_oldest, drop_newest"),
        ("symbols:\n  max: -3\n", "symbols.max", 2, "out of range"),
        ("ingest:\n  receive_hwm: 0\n", "ingest.receive_hwm", 2, "out of range 1...10000000"),
        ("ingest:\n  max_frame_bytes: 0\n", "ingest.max_frame_bytes", 2, "out of range 1024...1073741824"),
        ("ingest:\n  max_message_bytes: 4096\n  max_frame_bytes: 2048\n", "ingest.max_frame_bytes", nil,
         "at least ingest.max_message_bytes (4096)"),
        ("publish:\n  send_hwm: 0\n", "publish.send_hwm", 2, "out of range 1...10000000"),
        ("volatility:\n  lambda: high\n", "volatility.lambda", 2, "expected a number"),
        ("volatility:\n  lambda: .nan\n", "volatility.lambda", 2, "expected a number"),
        ("ingest:\n  feeds: tcp://127.0.0.1:1\n", "ingest.feeds", 2, "expected a list"),
        ("publish: 3\n", "publish", 1, "expected a mapping"),
        ("volatility:\n  warning: 2\n  critical: 1\n", "volatility.critical", nil, "greater than volatility.warning"),
        ("learning:\n  models:\n    - {name: a}\n", "learning.models[0].kind", 3, "is required"),
        ("learning:\n  models:\n    - {name: a, kind: svm}\n", "learning.models[0].kind", 3, "not one of: sgd, htr, arf"),
        ("learning:\n  models:\n    - {name: a, kind: sgd}\n    - {name: a, kind: arf}\n",
         "learning.models[1].name", 4, "duplicate model name 'a'"),
        ("learning:\n  models: []\n", "learning.models", 2, "at least one model"),
        ("learning:\n  features: [return_1, return_1]\n", "learning.features", 2, "twice"),
        ("learning:\n  reference_symbol: 'S P X'\n", "learning.reference_symbol", 2, "not a valid symbol"),
        ("risk:\n  drawdown: {warning: 0.2, critical: 0.1}\n", "risk.drawdown.critical", 2, "greater than warning"),
        ("risk:\n  confidence: 1.5\n", "risk.confidence", 2, "out of range"),
        ("risk:\n  symbols:\n    AAPL: {volume: {warning: 1}}\n", "risk.symbols.AAPL.volume", 3, "unknown key"),
        ("hedging:\n  accounts:\n    DESK1: {var: lots}\n", "hedging.accounts.DESK1.var", 3, "expected a number"),
        ("hedging:\n  instruments: {AAPL: 7 7}\n", "hedging.instruments.AAPL", 2, "not a valid symbol"),
        ("learning:\n  enabled: maybe\n", "learning.enabled", 2, "true or false"),
        ("learning:\n  features: [return_1, vibes]\n", "learning.features[1]", 2, "unknown feature"),
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
