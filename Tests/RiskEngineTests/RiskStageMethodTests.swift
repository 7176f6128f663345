import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// Pipeline choices that only matter in a running engine: the horizon VaR's shape (`risk.var_method`)
/// and the hedge instrument per symbol (`hedging.instruments`).
@Suite struct RiskStageMethodTests {
    /// Ten minutes of one tick a second whose log returns are Student-t(3): fat-tailed, unit-free.
    static func fatTailedTape(seed: UInt64) -> [WireEvent] {
        var rng = Xoshiro256(seed: seed)
        var mid = 50.0
        return (1...600).map { i in
            let chiSquared = (0..<3).reduce(0.0) { sum, _ in let g = rng.nextGaussian(); return sum + g * g }
            mid *= Foundation.exp(1e-4 * rng.nextGaussian() / (chiSquared / 3).squareRoot())
            return Tape.tick("FAT", ms: Int64(i) * 1_000, mid: mid, seq: UInt64(i))
        }
    }

    /// The VaR a snapshot of FAT reports for each horizon, as a log return (the wire carries the price
    /// fraction 1 − e^(−VaR)), after the whole tape.
    static func horizonVaR(studentT: Bool, confidence: Double) throws -> [Double] {
        let harness = try EngineHarness.risk {
            $0.publish.riskSnapshotMilliseconds = 50
            $0.risk.varMethod = studentT ? .t : .ewma
            $0.risk.confidence = confidence
            $0.risk.variance.samplingSeconds = 1
            $0.risk.variance.warmupSamples = 10
            $0.risk.horizonsSeconds = [10, 60]
        }
        let tape = fatTailedTape(seed: 17)
        try harness.send(tape)
        let settled = try harness.settle(events: UInt64(tape.count))
        let event = try harness.waitFor(seconds: 30) {
            if case .risk(let r) = $0 { r.symbol == "FAT" && r.seq > settled.seq } else { false }
        }
        guard case .risk(let snapshot) = event else {
            Issue.record("no snapshot of FAT after the tape")
            return []
        }
        #expect(snapshot.confidence == confidence && !snapshot.warming)
        let fractions = snapshot.horizons.compactMap(\.valueAtRisk)
        #expect(fractions.count == snapshot.horizons.count, "a horizon without VaR: \(snapshot.horizons)")
        return fractions.map { -log1p(-$0) }
    }

    /// The same fat-tailed stream through two engines, one with `var_method: ewma` (normal) and one with
    /// `t` (unit-variance Student-t, ν = 5): both see the same variance, so on every horizon the t's VaR is
    /// the normal's times the ratio of their quantiles, from tables (t₅ scaled to unit variance by √(3/5)):
    /// at 99 % the t is fatter (3.364930·√(3/5) = 2.6065 against z = 2.326348), at 95 % it is thinner
    /// (2.015048·√(3/5) = 1.5608 against 1.644854).
    @Test(arguments: [
        (0.99, 3.364_930 * 0.6.squareRoot() / 2.326_348), (0.95, 2.015_048 * 0.6.squareRoot() / 1.644_854),
    ])
    func theStudentTShapeScalesTheNormalVaRByItsQuantile(confidence: Double, ratio: Double) throws {
        let normal = try Self.horizonVaR(studentT: false, confidence: confidence)
        let t = try Self.horizonVaR(studentT: true, confidence: confidence)
        print("horizon VaR (log) at \(confidence): ewma \(normal), t \(t), expected ratio \(ratio)")
        try #require(normal.count == 2 && t.count == 2)
        for (n, s) in zip(normal, t) {
            #expect(n > 0 && s > 0)
            #expect(abs(s / n - ratio) < 1e-5, "t / normal = \(s / n), expected \(ratio)")
            #expect((s > n) == (confidence == 0.99), "the t is fatter than the normal only far in the tail")
        }
    }

    /// `hedging.instruments` maps ACME to SPY while the reference symbol is IDX: ACME's position is hedged
    /// in SPY with its beta to SPY (1.3), and GLOBEX, unmapped, in IDX with its beta to IDX (0.7).
    @Test func aMappedSymbolIsHedgedInItsOwnInstrument() throws {
        let harness = try EngineHarness.risk {
            $0.learning.referenceSymbol = "IDX"
            $0.learning.models = [.init(name: "sgd", kind: .sgd)]
            $0.hedging.instruments = ["ACME": "SPY"]
            $0.hedging.betaLambda = 0.999
            $0.hedging.accounts["DESK1"] = .init(varLimit: 100)
        }
        let spy = Tape.pairs(index: "SPY", betas: [("ACME", 1.3)], seconds: 600, seed: 11)
        let idx = Tape.pairs(index: "IDX", betas: [("GLOBEX", 0.7)], seconds: 600, seed: 12)
        try harness.send(spy.events + idx.events)
        let ms = max(spy.lastMs, idx.lastMs)
        for (k, symbol) in ["ACME", "GLOBEX"].enumerated() {
            try harness.send(
                .position(Position(account: "DESK1", symbol: symbol, quantity: 10_000, ts: Tape.ts(ms + 1 + Int64(k)))))
        }
        try harness.settle(events: UInt64(spy.events.count + idx.events.count + 2))
        let hedges = harness.hedges
        print("hedges: \(hedges.map { "\($0.symbol) in \($0.hedgeSymbol) ratio \($0.ratio)" })")
        let acme = try #require(hedges.first { $0.symbol == "ACME" }, "no hedge for ACME: \(hedges)")
        let globex = try #require(hedges.first { $0.symbol == "GLOBEX" }, "no hedge for GLOBEX: \(hedges)")
        #expect(acme.hedgeSymbol == "SPY", "the configured instrument, not the reference symbol")
        #expect(abs(acme.ratio - 1.3) < 0.15, "ACME's beta to SPY: \(acme.ratio)")
        #expect(acme.quantity < 0)
        let sized = -acme.ratio * 10_000 * spy.prices["ACME"]! / spy.prices["SPY"]!
        #expect(abs(acme.quantity - sized) < 0.02 * abs(acme.quantity), "ratio × notional in SPY: \(acme.quantity)")
        #expect(globex.hedgeSymbol == "IDX", "an unmapped symbol hedges in the reference symbol")
        #expect(abs(globex.ratio - 0.7) < 0.15, "GLOBEX's beta to IDX: \(globex.ratio)")
        #expect(hedges.count == 2, "\(hedges)")
    }
}
