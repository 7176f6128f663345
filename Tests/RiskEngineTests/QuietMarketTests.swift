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
    /// News never takes a traded symbol's slot: a hundred stories naming a hundred unseen symbols each
    /// start tracking at most `news_max` of them (4 per story), the other mentions are counted as
    /// rejected, and a symbol that then trades still gets a slot of the demo-sized table (64).
    @Test func newsNamingThousandsOfSymbolsDoesNotTakeTheSymbolTable() throws {
        let harness = try EngineHarness.risk {
            $0.symbols.max = 64
            $0.symbols.newsMax = 8
            $0.publish.riskSnapshotMilliseconds = 50
        }
        for story in 0..<100 {
            let names = (0..<100).map { "N\(story)-\($0)" }
            try harness.send(
                .news(News(ts: Tape.ts(1_000 + Int64(story)), symbols: names, headline: "Index reshuffle", sentiment: -0.2)))
        }
        try harness.send(Tape.tick("MSFT", ms: 2_000, mid: 400, seq: 1))
        try harness.send(Tape.tick("MSFT", ms: 3_000, mid: 401, seq: 2))
        try harness.sync()
        // Story 0 and 1 start 4 each (news_max 8); every other mention is rejected.
        #expect(harness.engine.counters.rejectedSymbols.load(ordering: .relaxed) == 10_000 - 8)
        let msft = try #require(try harness.snapshot(of: "MSFT"), "MSFT got no slot")
        #expect(msft.price == 401)
        let beat = try #require(try harness.heartbeat { $0.rejectedSymbols == 10_000 - 8 }, "heartbeat lacks the count")
        #expect(beat.lagNs >= 0)
    }

    /// With `symbols.universe` listed, only those symbols take slots: a flood of other tick symbols is
    /// rejected and counted, and a listed symbol that trades after it is tracked.
    @Test func aListedUniverseKeepsEveryOtherSymbolOut() throws {
        let harness = try EngineHarness.risk {
            $0.symbols.max = 16
            $0.symbols.universe = Set(["AAPL"] + (0..<8).map { "SYNC\($0)" })
            $0.publish.riskSnapshotMilliseconds = 50
        }
        for i in 0..<1_000 { try harness.send(Tape.tick("X\(i)", ms: Int64(i), mid: 10, seq: 1)) }
        try harness.send(Tape.tick("AAPL", ms: 2_000, mid: 190, seq: 1))
        try harness.sync()
        #expect(harness.engine.counters.rejectedSymbols.load(ordering: .relaxed) == 1_000)
        #expect(try harness.snapshot(of: "AAPL")?.price == 190)
    }

    /// Positions of more accounts than `hedging.max_accounts` are refused and counted, before they can
    /// take a symbol slot; closing a position frees its account's place.
    @Test func accountsBeyondTheBoundAreRejectedAndCounted() throws {
        let harness = try EngineHarness.risk { $0.hedging.maxAccounts = 3 }
        try harness.send(Tape.tick("ACME", ms: 1_000, mid: 10, seq: 1))
        for a in 0..<10 {
            try harness.send(.position(Position(account: "ACC\(a)", symbol: "ACME", quantity: 100, ts: Tape.ts(1_001))))
        }
        try harness.sync()
        #expect(harness.engine.counters.rejectedAccounts.load(ordering: .relaxed) == 7)
        // ACC0 closes; a new account now fits, the next does not.
        try harness.send(.position(Position(account: "ACC0", symbol: "ACME", quantity: 0, ts: Tape.ts(1_002))))
        try harness.send(.position(Position(account: "NEW1", symbol: "ACME", quantity: 5, ts: Tape.ts(1_003))))
        try harness.send(.position(Position(account: "NEW2", symbol: "ACME", quantity: 5, ts: Tape.ts(1_004))))
        try harness.sync()
        #expect(harness.engine.counters.rejectedAccounts.load(ordering: .relaxed) == 8)
        #expect(try harness.heartbeat { $0.rejectedAccounts == 8 } != nil)
    }

    /// An event time years ahead of its topic (but not of the wall clock: a replay of old data) is a
    /// jump: quarantined, alerted, and never the engine's event time; the ticks after it are accepted.
    /// News and positions with such times are quarantined too.
    @Test func aTimeJumpIsQuarantinedAndNeverBecomesEventTime() throws {
        let harness = try EngineHarness.risk { _ in }
        let old = Tape.start - 3 * 365 * 86_400_000_000_000  // three years ago: a replay
        func tick(_ ts: Int64, _ seq: UInt64) -> WireEvent {
            .tick(Tick(symbol: "ACME", ts: ts, price: 10, bid: 9.99, ask: 10.01, seq: seq))
        }
        try harness.send(tick(old, 1))
        try harness.send(tick(Tape.start, 2))  // three years on: a jump
        try harness.send(tick(old + 1_000_000_000, 3))
        try harness.send(.news(News(ts: Tape.start, symbols: ["ACME"], headline: "ACME fraud probe", sentiment: -0.9)))
        try harness.send(.position(Position(account: "D1", symbol: "ACME", quantity: 1, ts: Tape.start)))
        try harness.sync()
        let jumps = harness.streamAlerts.filter { $0.drivers.first?.feature == "timestamp_jump" }
        #expect(jumps.filter { $0.message.contains("tick.ACME") }.count == 1, "\(jumps.map(\.message))")
        #expect(jumps.contains { $0.message.contains("news.ACME") && $0.message.contains("jumps") })
        // The jump, the news, the position, and the barrier's crossed quote.
        #expect(harness.engine.counters.quarantined.load(ordering: .relaxed) == 4)
        // The engine's event time stayed three years back: lag is about three years, not zero or negative.
        let beat = try #require(try harness.heartbeat { _ in true })
        #expect(beat.lagNs > 2 * 365 * 86_400_000_000_000, "lag \(beat.lagNs)")
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
