import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// How the risk stage behaves over time, over real sockets: replays agree, and alerts neither flap
/// nor flood.
@Suite struct RiskStageBehaviourTests {
    // MARK: - Determinism

    /// Ten minutes of an index and two stocks with a burst, a liquidity squeeze, company and market news,
    /// and positions over their limits, with learning on (SGD and a small seeded forest driving the
    /// volatility alerts).
    static func busyStream() -> [WireEvent] {
        var rng = Xoshiro256(seed: 21)
        var index = 4_000.0
        var acme = 50.0
        var globex = 80.0
        var events: [WireEvent] = []
        for i in 0..<600 {
            let ms = Int64(i + 1) * 1_000
            let burst = (400..<450).contains(i)
            let market = (burst ? 4e-3 : 2e-4) * rng.nextGaussian()
            index *= exp(market)
            acme *= exp(1.3 * market + (burst ? 1e-3 : 1e-4) * rng.nextGaussian())
            globex *= exp(0.7 * market + 1e-4 * rng.nextGaussian())
            let seq = UInt64(i + 1)
            events.append(Tape.tick("IDX", ms: ms, mid: index, seq: seq))
            events.append(
                Tape.tick("ACME", ms: ms + 1, mid: acme, seq: seq, spreadBps: (450..<470).contains(i) ? 30 : 2))
            events.append(Tape.tick("GLOBEX", ms: ms + 2, mid: globex, seq: seq))
            let at = Tape.ts(ms + 3)
            switch i {
            case 200:
                events.append(.position(Position(account: "DESK", symbol: "ACME", quantity: 10_000, ts: at)))
                events.append(.position(Position(account: "BOOK", symbol: "ACME", quantity: 5_000, ts: at)))
                events.append(.position(Position(account: "BOOK", symbol: "GLOBEX", quantity: -8_000, ts: at)))
            case 380:
                events.append(
                    .news(
                        News(ts: at, symbols: ["ACME"], headline: "ACME misses estimates, warns of losses and layoffs"))
                )
            case 390:
                events.append(
                    .news(News(ts: at, symbols: ["IDX"], headline: "Central bank surprises markets", sentiment: -0.7)))
            case 500:
                events.append(
                    .news(News(ts: at, symbols: ["GLOBEX"], headline: "GLOBEX wins contract", sentiment: 0.5)))
            case 520:
                events.append(.position(Position(account: "DESK", symbol: "ACME", quantity: 20_000, ts: at)))
            default: break
            }
        }
        return events
    }

    /// Everything one engine says about `busyStream`, without the fields the wall clock sets.
    static func replay() throws -> (alerts: [Alert], hedges: [Hedge]) {
        let harness = try EngineHarness.risk {
            $0.learning.referenceSymbol = "IDX"
            $0.learning.horizonEvents = 20
            $0.learning.models = [.init(name: "sgd", kind: .sgd), .init(name: "arf", kind: .arf, seed: 7, trees: 3)]
            $0.risk.volatilitySource = .forecast
            $0.volatility.warning = 0.8
            $0.volatility.critical = 2.0
            $0.hedging.accounts = ["DESK": .init(varLimit: 1_000), "BOOK": .init(portfolioVaRLimit: 1_000)]
        }
        try harness.send(busyStream())
        try harness.sync()
        let alerts = harness.streamAlerts.map { alert in
            var a = alert
            (a.seq, a.ts) = (0, 0)
            return a
        }
        let hedges = harness.hedges.map { hedge in
            var h = hedge
            (h.seq, h.ts) = (0, 0)
            return h
        }
        return (alerts, hedges)
    }

    @Test func theSameStreamThroughTwoFreshEnginesGivesTheSameAlertsAndHedges() throws {
        let first = try Self.replay()
        let second = try Self.replay()
        // The stream must exercise the stage, or agreeing proves little.
        let kinds = Set(first.alerts.map(\.kind))
        #expect(kinds.isSuperset(of: [.volatility, .varBreach, .liquidity, .newsShock]), "\(kinds)")
        #expect(first.hedges.count >= 3, "\(first.hedges)")
        #expect(first.alerts.count == second.alerts.count)
        #expect(first.hedges.count == second.hedges.count)
        for (a, b) in zip(first.alerts, second.alerts) where a != b {
            Issue.record("first difference:\n\(a)\n\(b)")
            break
        }
        for (a, b) in zip(first.hedges, second.hedges) where a != b {
            Issue.record("first difference:\n\(a)\n\(b)")
            break
        }
    }

    // MARK: - Hysteresis and cooldown

    struct Oscillation: Sendable, CustomTestStringConvertible {
        enum Measure: Sendable { case liquidity, drawdown }
        var measure: Measure
        var hysteresis: Double
        var testDescription: String { "\(measure), hysteresis \(hysteresis)" }
        /// The warning threshold (critical is far above everything sent).
        var warning: Double { measure == .liquidity ? 2.5 : 0.05 }
        var kind: Alert.Kind { measure == .liquidity ? .liquidity : .drawdown }
    }

    /// A measure oscillating 16 % above and 8 % below its warning threshold, tick by tick, for 40 ticks,
    /// then back to normal, then over the threshold again at once. With a 20 % hysteresis band the
    /// alert is raised once, cleared once, and raised again only when the 5 s cooldown has passed; with
    /// no band (the control) it flaps on every tick.
    @Test(arguments: [
        Oscillation(measure: .liquidity, hysteresis: 0.2), Oscillation(measure: .drawdown, hysteresis: 0.2),
        Oscillation(measure: .liquidity, hysteresis: 0), Oscillation(measure: .drawdown, hysteresis: 0),
    ])
    func anOscillationInsideTheHysteresisBandDoesNotFlap(_ c: Oscillation) throws {
        let banded = c.hysteresis > 0
        let cooldown: Int64 = banded ? 5_000 : 0
        // The control has neither a band, a cooldown nor a minimum dwell.
        let limit = Pipeline.Limit(
            warning: c.warning, critical: 4 * c.warning, hysteresis: c.hysteresis, cooldownMilliseconds: cooldown,
            minimumDwellMilliseconds: banded ? 30_000 : 0)
        let harness = try EngineHarness.risk {
            $0.learning.enabled = false  // rule-driven alerts only
            $0.risk.liquidityLambda = 0.999_999  // a fixed spread baseline
            switch c.measure {
            case .liquidity: $0.risk.liquidity = limit
            case .drawdown: $0.risk.drawdown = limit
            }
        }
        // The measured value per tick: the spread ratio against a 2 bps baseline, or the drawdown from 100.
        let normal = c.measure == .liquidity ? 1.0 : 0.0
        var values = Array(repeating: normal, count: 100)
        for k in 0..<40 { values.append(k.isMultiple(of: 2) ? 1.16 * c.warning : 0.92 * c.warning) }
        let normalAgain = values.count
        values += Array(repeating: normal, count: 3)
        values += Array(repeating: 1.16 * c.warning, count: 10)
        var rng = Xoshiro256(seed: 4)
        for (i, v) in values.enumerated() {
            let noise = exp(1e-6 * rng.nextGaussian())
            let event =
                switch c.measure {
                case .liquidity:
                    Tape.tick("ACME", ms: Int64(i + 1) * 1_000, mid: 100 * noise, seq: UInt64(i + 1), spreadBps: 2 * v)
                case .drawdown:
                    Tape.tick("ACME", ms: Int64(i + 1) * 1_000, mid: 100 * (1 - v) * noise, seq: UInt64(i + 1))
                }
            try harness.send(event)
        }
        try harness.sync()
        let alerts = harness.streamAlerts.filter { $0.kind == c.kind }
        let raised = alerts.filter { $0.state == .raised }
        guard banded else {
            #expect(raised.count >= 20, "the control should flap: \(alerts.count) alerts")
            return
        }
        try #require(alerts.count == 3, "\(alerts.map { ($0.state, $0.eventTs - Tape.start) })")
        #expect(alerts.map(\.state) == [.raised, .cleared, .raised])
        #expect(alerts.allSatisfy { $0.state == .cleared || $0.severity == .warning })
        #expect(alerts[0].eventTs == Tape.ts(101_000), "raised on the first value over the threshold")
        #expect(alerts[1].eventTs == Tape.ts(Int64(normalAgain + 1) * 1_000), "cleared when back to normal")
        #expect(alerts[1].value < alerts[1].threshold)
        #expect(abs(alerts[1].threshold - c.warning * (1 - c.hysteresis)) < 1e-12)
        // Over the threshold again 3 s after the clear: held back until the cooldown has passed.
        #expect(alerts[2].eventTs == alerts[1].eventTs + cooldown * 1_000_000)
    }
}

extension RiskStageBehaviourTests {
    /// Two symbols with the same prices: ~40 % annualised volatility, then a slow 3 % slide. Only ACME has its
    /// own tighter limits (`risk.symbols`), so only ACME raises `volatility` and `drawdown`.
    @Test func perSymbolLimitsOverrideThePipelines() throws {
        let harness = try EngineHarness.risk {
            $0.learning.enabled = false
            // The slide's drift reads as volatility too (zero-mean convention): GLOBEX stays well below.
            $0.volatility.warning = 2.0
            $0.volatility.critical = 4.0
            $0.risk.drawdown = .init(warning: 0.05, critical: 0.10)
            $0.risk.symbols["ACME"] = .init(
                volatility: .init(warning: 0.3, critical: 0.9), drawdown: .init(warning: 0.01, critical: 0.2))
        }
        var rng = Xoshiro256(seed: 13)
        var mid = 100.0
        for i in 0..<450 {
            let drift = i < 300 ? 0 : -2e-4  // the last 150 s slide ~3 %
            mid *= exp(drift + 1.65e-4 * rng.nextGaussian())
            for (k, symbol) in ["ACME", "GLOBEX"].enumerated() {
                try harness.send(Tape.tick(symbol, ms: Int64(i + 1) * 1_000 + Int64(k), mid: mid, seq: UInt64(i + 1)))
            }
        }
        try harness.sync()
        let raised = harness.streamAlerts.filter { $0.state == .raised }
        let acme = raised.filter { $0.symbol == "ACME" }
        let volatility = try #require(acme.first { $0.kind == .volatility }, "\(raised.map { ($0.symbol, $0.kind) })")
        #expect(volatility.threshold == 0.3)
        let drawdown = try #require(acme.first { $0.kind == .drawdown })
        #expect(drawdown.threshold == 0.01)
        #expect(
            !raised.contains { $0.symbol == "GLOBEX" && [.volatility, .drawdown].contains($0.kind) },
            "\(raised.filter { $0.symbol == "GLOBEX" }.map(\.message))")
    }
}
