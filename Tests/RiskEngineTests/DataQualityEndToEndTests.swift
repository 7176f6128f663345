import Foundation
import MarketEvents
import RiskEngine
import Testing

/// Data quality end to end, over real tcp sockets: a market-wide gap is market data (it reaches the
/// volatility), a single print that reverts is a bad print (quarantined and raised), and a timestamp in
/// the wrong unit is raised naming the unit.
@Suite struct DataQualityEndToEndTests {
    static let symbols = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]

    /// The default data-quality rules (jumps beyond 8 sigmas held, 3 prints or 3 symbols confirm), with
    /// learning off so the snapshot's volatility is the time-grid estimate (sampled every 200 ms of event
    /// time here, warm after 10 samples), and snapshots every 20 ms.
    static func harness() throws -> EngineHarness {
        try EngineHarness.risk {
            $0.dataQuality.jumpSigmas = Pipeline().dataQuality.jumpSigmas
            $0.learning.enabled = false
            $0.publish.riskSnapshotMilliseconds = 20
            $0.risk.variance = .init(samplingSeconds: 0.2, halfLifeSeconds: 30, maximumGapSeconds: 5, warmupSamples: 10)
        }
    }

    /// Every symbol at `mids[k]` moved by a small, bounded wiggle (about 2 bp per print, never a jump),
    /// one print per symbol every 100 ms of event time from `fromStep`.
    static func calm(
        _ mids: [Double], steps: Range<Int>, seq: inout UInt64, symbols: [String] = symbols
    ) -> [WireEvent] {
        steps.flatMap { step in
            seq += 1
            let s = seq
            return symbols.indices.map { k in
                let wiggle = 2e-4 * sin(Double(step) * 1.7 + Double(k))
                return Tape.tick(
                    symbols[k], ms: Int64(step) * 100 + Int64(k), mid: mids[k] * Foundation.exp(wiggle), seq: s)
            }
        }
    }

    /// Barrier alerts so far (each barrier is one quarantined crossed quote).
    static func barriers(_ harness: EngineHarness) -> UInt64 {
        UInt64(harness.alerts.filter { $0.symbol.hasPrefix("SYNC") }.count)
    }

    static func ewmaVolatility(_ snapshot: RiskSnapshot?) throws -> Double {
        let snapshot = try #require(snapshot)
        return try #require(snapshot.volatility)
    }

    /// Six symbols gap down 3 % together and stay there: no `price_jump`, nothing quarantined, and every
    /// symbol's EWMA volatility in the next snapshot is higher than before the gap (the whole −3 % return
    /// reached the estimate).
    @Test func aMarketWideGapIsMarketData() throws {
        let harness = try Self.harness()
        var seq: UInt64 = 0
        let mids = Self.symbols.indices.map { 50.0 + 10 * Double($0) }
        try harness.send(Self.calm(mids, steps: 1..<301, seq: &seq))
        var before: [String: RiskSnapshot] = [:]
        for symbol in Self.symbols {
            let snapshot = try #require(try harness.snapshot(of: symbol))
            before[symbol] = snapshot
        }
        let quarantinedBefore = harness.engine.counters.quarantined.load(ordering: .relaxed)
        let barriersBefore = Self.barriers(harness)

        try harness.send(Self.calm(mids.map { $0 * 0.97 }, steps: 301..<306, seq: &seq))
        for symbol in Self.symbols {
            let (old, new) = (before[symbol]!, try #require(try harness.snapshot(of: symbol)))
            let (volatility, oldVolatility) = (try Self.ewmaVolatility(new), try Self.ewmaVolatility(old))
            #expect(volatility > 2 * oldVolatility, "\(symbol): \(oldVolatility) → \(volatility)")
        }
        // The gap is far outside every symbol's one-minute VaR: critical at once, and as one market-wide
        // alert once three of the six symbols have raised it (the first two go out on their own).
        let breaches = harness.streamAlerts.filter { $0.kind == .varBreach && $0.state == .raised }
        #expect(breaches.allSatisfy { $0.severity == .critical }, "\(breaches.map(\.message))")
        let market = try #require(breaches.first { $0.symbol == "MARKET" }, "\(breaches.map(\.message))")
        #expect(market.value == 3 && market.drivers.count == 3, "\(market)")
        #expect(breaches.filter { $0.symbol != "MARKET" }.count == 2, "\(breaches.map(\.message))")
        #expect(harness.engine.counters.alertsFolded.load(ordering: .relaxed) >= 3, "DDD, EEE and FFF at least")
        let dataQuality = harness.streamAlerts.filter { $0.kind == .dataQuality }
        #expect(dataQuality.isEmpty, "\(dataQuality.map(\.message))")
        // Only the barriers' crossed quotes (one per snapshot) were quarantined.
        let quarantined = harness.engine.counters.quarantined.load(ordering: .relaxed) - quarantinedBefore
        #expect(quarantined == Self.barriers(harness) - barriersBefore)
    }

    /// One symbol prints 3 % off and comes straight back: the print is quarantined and raised as a bad
    /// print, the ticks after it are accepted, and the volatility does not jump.
    @Test func aSingleRevertingBadPrintIsQuarantinedAndRaised() throws {
        let harness = try Self.harness()
        var seq: UInt64 = 0
        let symbols = ["AAA", "BBB"]
        try harness.send(Self.calm([50, 60], steps: 1..<301, seq: &seq, symbols: symbols))
        let before = try Self.ewmaVolatility(try harness.snapshot(of: "AAA"))
        let quarantinedBefore = harness.engine.counters.quarantined.load(ordering: .relaxed)

        var next = Self.calm([50, 60], steps: 301..<306, seq: &seq, symbols: symbols)
        next[0] = Tape.tick("AAA", ms: 30_100, mid: 50 * 1.03, seq: 301)  // instead of AAA's print at 30.1 s
        try harness.send(next)
        let after = try Self.ewmaVolatility(try harness.snapshot(of: "AAA"))
        let raised = harness.streamAlerts.filter { $0.kind == .dataQuality }
        #expect(raised.count == 1, "\(raised.map(\.message))")
        let alert = try #require(raised.first)
        #expect(alert.symbol == "AAA" && alert.state == .raised && alert.eventTs == Tape.ts(30_100))
        #expect(alert.drivers.first?.feature == "price_jump" && alert.message.contains("bad print"))
        #expect(alert.value > 8)
        // The bad print and one barrier.
        #expect(harness.engine.counters.quarantined.load(ordering: .relaxed) - quarantinedBefore == 2)
        #expect(after < 1.5 * before, "\(before) → \(after)")
    }

    /// A tick whose `ts` is in milliseconds is quarantined and raised with the unit named; the symbol's
    /// ticks in nanoseconds go on as before.
    @Test func aMillisecondTimestampIsRaisedNamingTheUnit() throws {
        let harness = try Self.harness()
        let ms = Tape.start / 1_000_000
        try harness.send(.tick(Tick(symbol: "AAA", ts: Tape.start, price: 50, seq: 1)))
        try harness.send(.tick(Tick(symbol: "AAA", ts: ms + 100, price: 50, seq: 2)))
        try harness.send(.tick(Tick(symbol: "AAA", ts: Tape.start + 200_000_000, price: 50, seq: 3)))
        try harness.sync()
        let raised = harness.streamAlerts.filter { $0.kind == .dataQuality }
        #expect(raised.count == 1, "\(raised.map(\.message))")
        let alert = try #require(raised.first)
        #expect(alert.drivers.first?.feature == "implausible_timestamp")
        #expect(alert.message.contains("ts \(ms + 100)") && alert.message.contains("looks like milliseconds"))
        #expect(harness.engine.counters.quarantined.load(ordering: .relaxed) == 2)  // and the barrier
    }
}
