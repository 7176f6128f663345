import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing
import ZeroMQ

/// The learning stage over real sockets: model scopes and the ensemble, labels maturing on event time,
/// drift, and explanations in the pipeline's own feature names.
@Suite struct RiskStageLearningTests {
    /// A stream whose volatility wanders between calm and busy stretches, so there is something to learn.
    static func wandering(_ symbol: String, ticks: Int, fromMs: Int64 = 0, seed: UInt64) -> [WireEvent] {
        var rng = Xoshiro256(seed: seed)
        var mid = 100.0
        var sigma = 1e-4
        return (0..<ticks).map { i in
            if i.isMultiple(of: 50) { sigma = rng.nextUnitDouble() < 0.5 ? 1e-4 : 5e-4 }
            mid *= exp(sigma * rng.nextGaussian())
            return Tape.tick(symbol, ms: fromMs + Int64(i + 1) * 1_000, mid: mid, seq: UInt64(i + 1))
        }
    }

    /// `drive: ensemble` with a shared SGD, the same SGD per symbol, and a shared tree. ACME streams for
    /// a while; GLOBEX arrives at the end with too few ticks for any of its labels to mature.
    @Test func perSymbolModelsLearnTheirOwnSymbolAndTheEnsembleDrives() throws {
        let harness = try EngineHarness.risk {
            $0.publish.riskSnapshotMilliseconds = 50
            $0.learning.drive = .ensemble
            $0.learning.horizonEvents = 20
            $0.learning.models = [
                .init(name: "sgd_all", kind: .sgd), .init(name: "sgd_own", kind: .sgd, scope: .perSymbol),
                .init(name: "htr", kind: .htr, seed: 3),
            ]
        }
        try harness.send(Self.wandering("ACME", ticks: 800, seed: 1))
        try harness.send(Self.wandering("GLOBEX", ticks: 30, fromMs: 800_000, seed: 2))
        let acme = try #require(try harness.snapshot(of: "ACME"))
        let globex = try #require(try harness.snapshot(of: "GLOBEX"))
        #expect(acme.models.map(\.model) == ["ewma", "sgd_all", "sgd_own", "htr"])
        #expect(globex.models.map(\.model) == ["ewma", "sgd_all", "sgd_own", "htr"])
        func model(_ s: RiskSnapshot, _ name: String) -> RiskSnapshot.ModelScore? {
            s.models.first { $0.model == name }
        }

        // ACME: every model scored, every forecast finite and positive.
        for score in acme.models {
            #expect(score.forecast.map { $0.isFinite && $0 > 0 } == true, "\(score)")
            #expect(score.mae.map { $0.isFinite && $0 > 0 } == true, "\(score)")
        }
        // Only ACME's rows have matured, so its own SGD has learned exactly what the shared one has.
        #expect(model(acme, "sgd_own")?.forecast == model(acme, "sgd_all")?.forecast)
        // The ensemble is an inverse-MAE weighted mean of the learned forecasts.
        let learned = acme.models.dropFirst().compactMap(\.forecast)
        let volatility = try #require(acme.volatility)
        #expect(volatility >= learned.min()! * (1 - 1e-12) && volatility <= learned.max()! * (1 + 1e-12), "\(acme)")
        #expect(volatility != model(acme, "ewma")?.forecast, "the ensemble drives, not the EWMA")

        // GLOBEX: nothing scored yet, so no learned forecast is published (null, not 0), and with 30 s
        // of ticks its volatility estimate is still warming up.
        #expect(globex.models.allSatisfy { $0.mae == nil }, "\(globex)")
        #expect(globex.models.dropFirst().allSatisfy { $0.forecast == nil }, "\(globex)")
        #expect(globex.volatility == nil && globex.warming, "\(globex)")
    }

    /// With `horizon_seconds: 30`, 200 ticks over 20 s of event time mature no label (with
    /// `horizon_events: 1` beside it, which would have matured all but one); one tick 31 s later matures
    /// them all, and the scoreboard fills.
    @Test func horizonSecondsMaturesLabelsByEventTime() throws {
        let harness = try EngineHarness.risk {
            $0.publish.riskSnapshotMilliseconds = 50
            $0.learning.horizonSeconds = 30
            $0.learning.horizonEvents = 1
            $0.learning.models = [.init(name: "sgd", kind: .sgd)]
        }
        var rng = Xoshiro256(seed: 6)
        var mid = 100.0
        for i in 0..<200 {
            mid *= exp(2e-4 * rng.nextGaussian())
            try harness.send(Tape.tick("ACME", ms: Int64(i + 1) * 100, mid: mid, seq: UInt64(i + 1)))
        }
        let before = try #require(try harness.snapshot(of: "ACME"))
        #expect(before.models.count == 2)
        #expect(before.models.allSatisfy { $0.mae == nil }, "\(before.models)")
        try harness.send(Tape.tick("ACME", ms: 20_000 + 31_000, mid: mid, seq: 201))
        let after = try #require(try harness.snapshot(of: "ACME"))
        #expect(after.models.allSatisfy { $0.mae?.isFinite == true }, "\(after.models)")
    }

    /// Calm for 800 s, then a regime whose volatility switches between very calm and very busy every
    /// 15 s: the driving model's residuals grow, ADWIN notices, and `model_drift` is raised, never twice
    /// within its cooldown, and cleared once a cooldown passes without another shift.
    @Test func aVolatilityRegimeChangeRaisesModelDriftOncePerCooldown() throws {
        let cooldownMs: Int64 = 60_000
        let harness = try EngineHarness.risk {
            $0.learning.horizonEvents = 10
            $0.learning.models = [.init(name: "sgd", kind: .sgd)]
            $0.risk.driftCooldownMilliseconds = cooldownMs
        }
        var rng = Xoshiro256(seed: 9)
        var mid = 100.0
        let change = 800
        for i in 0..<1_600 {
            let sigma = i < change ? 1e-4 : ((i / 15).isMultiple(of: 2) ? 3e-5 : 1e-3)
            mid *= exp(sigma * rng.nextGaussian())
            try harness.send(Tape.tick("ACME", ms: Int64(i + 1) * 1_000, mid: mid, seq: UInt64(i + 1)))
        }
        try harness.sync()
        let all = harness.streamAlerts.filter { $0.kind == .modelDrift }
        let drifts = all.filter { $0.state == .raised }
        for (raised, cleared) in zip(drifts, all.filter { $0.state == .cleared }) {
            #expect(cleared.eventTs - raised.eventTs >= cooldownMs * 1_000_000, "cleared before its cooldown")
        }
        let changeTs = Tape.ts(Int64(change + 1) * 1_000)
        #expect(
            drifts.contains { $0.eventTs >= changeTs }, "\(drifts.map { ($0.eventTs - Tape.start) / 1_000_000_000 })")
        for (a, b) in zip(drifts, drifts.dropFirst()) {
            #expect(b.eventTs - a.eventTs >= cooldownMs * 1_000_000, "\(a.eventTs) then \(b.eventTs)")
        }
        for drift in drifts {
            #expect(drift.symbol == "ACME")
            #expect(drift.state == .raised)
            #expect(drift.message.contains("'sgd'"), "\(drift.message)")
            #expect(drift.value.isFinite && drift.value > 0)
        }
    }

    /// With `volatility_source: forecast`, a volatility alert raised by the learned forecast is explained
    /// in the pipeline's feature names, largest contribution first.
    @Test func learnedVolatilityAlertsAreExplainedByThePipelinesFeatures() throws {
        let features = [
            "return_1", "return_5", "ewma_vol", "realized_vol_20", "range_20", "spread_bps", "since_trade",
            "news_sentiment",
        ]
        let harness = try EngineHarness.risk {
            $0.learning.features = features
            $0.learning.horizonEvents = 20
            $0.learning.models = [.init(name: "sgd", kind: .sgd)]
            $0.risk.volatilitySource = .forecast
            $0.volatility.warning = 0.4
            $0.volatility.critical = 1.5
        }
        var rng = Xoshiro256(seed: 12)
        var mid = 100.0
        var sigma = 1e-4  // ~24 % annualised
        for i in 0..<900 {
            if i >= 600 { sigma = min(sigma * 1.02, 1e-3) }  // ramps to ~240 %
            mid *= exp(sigma * rng.nextGaussian())
            try harness.send(Tape.tick("ACME", ms: Int64(i + 1) * 1_000, mid: mid, seq: UInt64(i + 1)))
        }
        try harness.sync()
        let learned = harness.streamAlerts.filter {
            $0.kind == .volatility && $0.state == .raised && $0.message.contains("forecast volatility")
        }
        try #require(!learned.isEmpty, "\(harness.streamAlerts.map(\.message))")
        for alert in learned {
            let names = alert.drivers.map(\.feature)
            #expect(!names.isEmpty && names.count <= 5)
            #expect(Set(names).isSubset(of: features), "\(names)")
            #expect(Set(names).count == names.count)
            let sizes = alert.drivers.map { abs($0.contribution) }
            #expect(sizes.allSatisfy { $0.isFinite })
            #expect(sizes == sizes.sorted(by: >), "ranked by |contribution|: \(alert.drivers)")
        }
    }

    // MARK: - Bad configuration

    /// A feature the engine does not know (or whose window does not fit the symbol window) is bad
    /// configuration, found before any socket is made; a valid list (the control) starts.
    @Test(arguments: [
        (["return_1", "vol_of_vol"], "vol_of_vol"), (["return_0"], "return_0"),
        (["realized_vol_256"], "realized_vol_256"), (["range_1"], "range_1"), (["return_1", "realized_vol_255"], nil),
    ])
    func unknownFeaturesAreBadConfiguration(features: [String], culprit: String?) throws {
        let context = try Context()
        var pipeline = Pipeline()
        pipeline.publish.endpoint = nil
        pipeline.learning.features = features
        do {
            _ = try Engine(pipeline: pipeline, context: context)
            #expect(culprit == nil, "accepted \(features)")
        } catch {
            #expect(error.kind == .badConfiguration, "\(error)")
            #expect(culprit.map { error.message.contains($0) } == true, "\(error)")
        }
    }

    /// Pipelines built in code get the checks a file gets: out-of-range values are bad configuration
    /// naming the key, not a crash; the shipped defaults have no problem.
    @Test func codeBuiltPipelinesAreCheckedLikeFiles() throws {
        #expect(Pipeline().problem == nil)
        let cases: [(String, (inout Pipeline) -> Void)] = [
            ("trees", { $0.learning.models = [.init(name: "f", kind: .arf, trees: 0)] }),
            ("learning.horizon_events", { $0.learning.horizonEvents = 0 }),
            ("learning.models", { $0.learning.models = [] }),
            ("risk.drawdown", { $0.risk.drawdown = .init(warning: 0.2, critical: 0.1) }),
            ("risk.confidence", { $0.risk.confidence = 1 }),
            ("hedging.beta_lambda", { $0.hedging.betaLambda = 0 }),
        ]
        let context = try Context()
        for (key, change) in cases {
            var pipeline = Pipeline()
            pipeline.publish.endpoint = nil
            change(&pipeline)
            #expect(pipeline.problem?.contains(key) == true, "\(key): \(pipeline.problem ?? "no problem")")
            do {
                _ = try Engine(pipeline: pipeline, context: context)
                Issue.record("started with a bad \(key)")
            } catch {
                #expect(error.kind == .badConfiguration && error.message.contains(key), "\(error)")
            }
        }
    }
}
