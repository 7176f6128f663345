import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// Noise when quiet is what makes a desk switch alerts off. Six symbols with exactly normal returns at
/// 20 % annualised for 30 minutes of event time, quoted on a one-cent grid: the default pipeline raises
/// no volatility and no VaR alert at all (before horizon VaR, such a feed drew 13.5 false var_breach
/// warnings a minute).
@Suite struct QuietMarketTests {
    @Test func aNormalMarketAt20PercentRaisesNoRiskAlerts() throws {
        let harness = try EngineHarness.risk {
            $0.learning.enabled = false
            $0.publish.riskSnapshotMilliseconds = 20
        }
        let symbols = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
        let step = 0.25  // seconds between a symbol's ticks
        let sigma = 0.20 / (252 * 6.5 * 3600).squareRoot() * step.squareRoot()
        var rng = Xoshiro256(seed: 21)
        var logMids = symbols.map { _ in log(100.0) }
        var events: [WireEvent] = []
        let steps = Int(30 * 60 / step)
        for i in 0..<steps {
            for (k, symbol) in symbols.enumerated() {
                logMids[k] += sigma * rng.nextGaussian()
                let mid = (exp(logMids[k]) * 100).rounded() / 100  // a one-cent grid
                events.append(Tape.tick(symbol, ms: Int64(Double(i) * step * 1_000) + Int64(k), mid: mid, seq: UInt64(i + 1)))
            }
        }
        try harness.send(events)
        let snapshot = try #require(try harness.snapshot(of: "AAA"))
        let raised = harness.streamAlerts.filter { $0.state == .raised }
        let risk = raised.filter { [.volatility, .varBreach, .drawdown].contains($0.kind) }
        #expect(risk.isEmpty, "\(risk.map(\.message))")
        // The estimate itself is right: about 20 % annualised, not thousands of percent.
        let volatility = try #require(snapshot.volatility)
        #expect(volatility > 0.12 && volatility < 0.30, "\(volatility)")
        #expect(snapshot.horizons.first?.windows ?? 0 >= 20, "\(snapshot.horizons)")
    }
}

/// Bounds that hostile input must not exhaust.
@Suite struct SymbolBoundTests {
    /// One news item naming a hundred unseen symbols starts tracking four of them; the rest are counted
    /// as rejected, and a symbol that then trades still gets a slot of the demo-sized table (64).
    @Test func aNewsItemNamingAHundredSymbolsDoesNotTakeTheSymbolTable() throws {
        let harness = try EngineHarness.risk { $0.symbols.max = 64 }
        let names = (0..<100).map { "N\($0)" }
        try harness.send(.news(News(ts: Tape.ts(1_000), symbols: names, headline: "Index reshuffle", sentiment: -0.2)))
        try harness.send(Tape.tick("MSFT", ms: 2_000, mid: 400, seq: 1))
        try harness.send(Tape.tick("MSFT", ms: 3_000, mid: 401, seq: 2))
        try harness.sync()
        #expect(harness.engine.counters.rejectedSymbols.load(ordering: .relaxed) == 96)
        #expect(harness.engine.counters.eventsIn.load(ordering: .relaxed) >= 3)
        let beat = try #require(try harness.heartbeat { _ in true })
        #expect(beat.lagNs >= 0)
    }

    /// A tick stamped at the end of time is quarantined as implausible and never becomes the newest event
    /// time: later heartbeats report a lag that is not negative.
    @Test func aTickFromTheEndOfTimeDoesNotPoisonTheHeartbeat() throws {
        let harness = try EngineHarness.risk { _ in }
        try harness.send(.tick(Tick(symbol: "ACME", ts: Int64.max, price: 10, seq: 1)))
        try harness.send(Tape.tick("ACME", ms: 1_000, mid: 10, seq: 2))
        try harness.sync()
        let beat = try #require(try harness.heartbeat { _ in true })
        #expect(beat.lagNs >= 0, "lag \(beat.lagNs)")
        #expect(harness.streamAlerts.contains { $0.kind == .dataQuality && $0.drivers.first?.feature == "implausible_timestamp" })
    }
}
