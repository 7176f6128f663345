import Glibc
import MarketEvents
import RiskModels
import SeededRandom
import Testing

@Suite struct DataQualityMonitorTests {
    static let ms: Int64 = 1_000_000
    static let second: Int64 = 1_000_000_000

    static func tick(
        seq: UInt64? = nil, ts: Int64, price: Double = 100, bid: Double? = nil, ask: Double? = nil
    ) -> Tick {
        Tick(symbol: "ABC", ts: ts, price: price, bid: bid, ask: ask, seq: seq)
    }

    @Test func cleanStreamReportsNothing() {
        var rng = Xoshiro256(seed: 7)
        var monitor = DataQualityMonitor()
        var price = 100.0
        var ts: Int64 = 1_700_000_000 * Self.second
        for i in 0..<10_000 {
            ts += Int64(rng.nextExponential(rate: 20) * 1e9)
            price *= exp(0.001 * rng.nextGaussian())
            let spread = price * 1e-4 * Double(i % 3)  // includes locked quotes (spread 0)
            let bid = price - spread / 2
            let t = Self.tick(seq: UInt64(i + 1), ts: ts, price: price, bid: bid, ask: bid + spread)
            let report = monitor.inspect(t, now: ts + 50_000)
            #expect(report == DataQualityReport(), "event \(i)")
            #expect(monitor.checkStale(now: ts + Self.second) == nil)
        }
    }

    @Test func sequenceGapIsReportedButNotQuarantined() {
        var monitor = DataQualityMonitor()
        for seq: UInt64 in [1, 2] {
            #expect(monitor.inspect(Self.tick(seq: seq, ts: 0), now: 0).issues == [])
        }
        let report = monitor.inspect(Self.tick(seq: 5, ts: 0), now: 0)
        #expect(report.issues == .sequenceGap)
        #expect(report.expectedSeq == 3 && report.receivedSeq == 5 && report.missedCount == 2)
        #expect(!report.isQuarantined)
        #expect(monitor.inspect(Self.tick(seq: 6, ts: 0), now: 0).issues == [])
        // Events without a sequence number skip the check and leave the expectation alone.
        #expect(monitor.inspect(Self.tick(ts: 0), now: 0).issues == [])
        #expect(monitor.inspect(Self.tick(seq: 7, ts: 0), now: 0).issues == [])
    }

    /// A duplicate is quarantined and causes no spurious gap afterwards; a publisher restart costs one
    /// quarantined event and then the new sequence is clean.
    @Test func sequenceGoingBackwardsIsQuarantinedAndResynchronises() {
        var monitor = DataQualityMonitor()
        for seq: UInt64 in 1...3 { _ = monitor.inspect(Self.tick(seq: seq, ts: 0), now: 0) }
        let duplicate = monitor.inspect(Self.tick(seq: 3, ts: 0), now: 0)
        #expect(duplicate.issues == .sequenceBackwards && duplicate.isQuarantined)
        #expect(duplicate.expectedSeq == 4 && duplicate.receivedSeq == 3 && duplicate.missedCount == 0)
        #expect(monitor.inspect(Self.tick(seq: 4, ts: 0), now: 0).issues == [])

        let restart = monitor.inspect(Self.tick(seq: 0, ts: 0), now: 0)
        #expect(restart.issues == .sequenceBackwards && restart.expectedSeq == 5 && restart.receivedSeq == 0)
        #expect(monitor.inspect(Self.tick(seq: 1, ts: 0), now: 0).issues == [])
    }

    @Test(arguments: [(101.0, 100.0, true), (100.0, 100.0, false), (99.99, 100.0, false)])
    func crossedQuotesAreQuarantinedLockedQuotesAreNot(bid: Double, ask: Double, crossed: Bool) {
        var monitor = DataQualityMonitor()
        let report = monitor.inspect(Self.tick(ts: 0, bid: bid, ask: ask), now: 0)
        #expect(report.issues == (crossed ? .crossedQuote : []))
        #expect(report.isQuarantined == crossed)
        if crossed { #expect(report.bid == bid && report.ask == ask) }
        // One side missing: nothing to compare.
        #expect(monitor.inspect(Self.tick(ts: 0, bid: bid), now: 0).issues == [])
    }

    @Test func timestampsBackwardsBeyondTheToleranceAreQuarantined() {
        var monitor = DataQualityMonitor(configuration: .init(timestampTolerance: 1 * Self.ms))
        let t0 = 10 * Self.second
        #expect(monitor.inspect(Self.tick(ts: t0), now: 0).issues == [])
        #expect(monitor.inspect(Self.tick(ts: t0 - Self.ms), now: 0).issues == [])  // at tolerance
        let late = monitor.inspect(Self.tick(ts: t0 - 2 * Self.ms), now: 0)
        #expect(late.issues == .timestampBackwards && late.isQuarantined && late.backwardsBy == 2 * Self.ms)
        // Compared with the newest seen, so a burst of late events is all caught ...
        let later = monitor.inspect(Self.tick(ts: t0 - Self.ms - 1), now: 0)
        #expect(later.issues == .timestampBackwards && later.backwardsBy == Self.ms + 1)
        // ... and the next on-time event is clean.
        #expect(monitor.inspect(Self.tick(ts: t0 + 1), now: 0).issues == [])
    }

    /// A feed whose clock really stepped back is quarantined for `timestampResync` events, not until it
    /// catches up with its old high-water mark.
    @Test func timestampHighWaterMarkFollowsAFeedWhoseClockSteppedBack() {
        var monitor = DataQualityMonitor(configuration: .init(timestampTolerance: 0, timestampResync: 3))
        _ = monitor.inspect(Self.tick(ts: 100 * Self.second), now: 0)
        let issues = (1...5).map {
            monitor.inspect(Self.tick(ts: Int64($0) * Self.second), now: 0).issues
        }
        #expect(issues == [.timestampBackwards, .timestampBackwards, .timestampBackwards, [], []])
    }

    @Test func staleIsReportedOnceAndTheNextEventRecovers() {
        var monitor = DataQualityMonitor(configuration: .init(staleAfter: 5 * Self.second))
        #expect(monitor.checkStale(now: 100 * Self.second) == nil)  // never seen: never stale
        _ = monitor.inspect(Self.tick(ts: 0), now: 1 * Self.second)
        #expect(monitor.checkStale(now: 6 * Self.second) == nil)  // exactly staleAfter: not yet
        #expect(monitor.checkStale(now: 6 * Self.second + 1) == 5 * Self.second + 1)
        #expect(monitor.isStale)
        #expect(monitor.checkStale(now: 20 * Self.second) == nil)  // reported once
        let back = monitor.inspect(Self.tick(ts: 1), now: 21 * Self.second)
        #expect(back.issues == .recovered && back.silence == 20 * Self.second && !back.isQuarantined)
        #expect(!monitor.isStale)
        #expect(monitor.inspect(Self.tick(ts: 2), now: 22 * Self.second).issues == [])
        #expect(monitor.checkStale(now: 27 * Self.second + 1) == 5 * Self.second + 1)  // can go stale again
    }

    /// Seconds, milliseconds and microseconds since the epoch are told apart from nanoseconds by the
    /// engine's clock, quarantined, and take no part in the backwards check.
    @Test(arguments: [
        (Int64(1_733_338_000), TimestampUnit.seconds), (1_733_338_000_123, .milliseconds),
        (1_733_338_000_123_456, .microseconds), (1_900_000_000_000, .milliseconds), (1_000_000_000, .seconds),
    ])
    func timestampsInAnotherUnitAreQuarantinedNamingTheUnit(ts: Int64, unit: TimestampUnit) {
        let clock: Int64 = 1_764_874_000_000_000_000  // 2025-12-04
        var monitor = DataQualityMonitor()
        #expect(monitor.inspect(Self.tick(ts: clock - Self.second), now: clock).issues == [])
        let report = monitor.inspect(Self.tick(ts: ts), now: clock)
        #expect(report.issues == .implausibleTimestamp && report.isQuarantined && report.timestampUnit == unit)
        #expect(monitor.inspect(Self.tick(ts: clock), now: clock).issues == [])  // the high-water mark held
        #expect(TimestampUnit.likely(ts: ts * unit.nanoseconds, clock: clock) == .nanoseconds)
    }

    /// Nanoseconds are plausible however old (replays of recorded sessions), not far ahead of the clock;
    /// a non-positive `ts` is no unit at all; a clock before 2001 (a test's manual clock) turns the check off.
    @Test func nanosecondsArePlausibleUnlessFarAheadOfTheClock() {
        let clock: Int64 = 1_764_874_000_000_000_000
        // A jump check that stays out of the way: this test is about the clock.
        var monitor = DataQualityMonitor(
            configuration: .init(maxAhead: 3_600 * Self.second, maxForwardJump: 100 * 365 * 86_400 * Self.second))
        #expect(monitor.inspect(Self.tick(ts: 946_684_800 * Self.second), now: clock).issues == [])  // 2000
        #expect(monitor.inspect(Self.tick(ts: clock + 3_600 * Self.second), now: clock).issues == [])
        let ahead = monitor.inspect(Self.tick(ts: clock + 7_200 * Self.second), now: clock)
        #expect(ahead.issues == .implausibleTimestamp && ahead.timestampUnit == .nanoseconds)
        #expect(ahead.aheadBy == 7_200 * Self.second)
        let zero = monitor.inspect(Self.tick(ts: 0), now: clock)
        #expect(zero.issues == .implausibleTimestamp && zero.timestampUnit == nil)
        #expect(monitor.inspect(Self.tick(ts: clock + 3_600 * Self.second), now: clock).issues == [])
        var manual = DataQualityMonitor()
        #expect(manual.inspect(Self.tick(ts: 1_733_338_000_123), now: 5 * Self.second).issues == [])
    }

    /// A `ts` far ahead of the topic's newest is a jump: quarantined, and it does not move the mark, so
    /// the ticks after it are clean; a feed that really moved on is followed after `timestampResync`
    /// jumps in a row.
    @Test func aForwardJumpIsQuarantinedThenFollowedIfItLasts() {
        let day = 86_400 * Self.second
        var monitor = DataQualityMonitor(configuration: .init(timestampResync: 3, maxForwardJump: 7 * day))
        let start: Int64 = 1_600_000_000 * Self.second
        #expect(monitor.inspect(Self.tick(ts: start), now: 0).issues == [])
        #expect(monitor.inspect(Self.tick(ts: start + 6 * day), now: 0).issues == [])  // a long weekend
        let jump = monitor.inspect(Self.tick(ts: start + 1_000 * day), now: 0)
        #expect(jump.issues == .timestampJump && jump.isQuarantined && jump.jumpedBy == 994 * day)
        #expect(monitor.inspect(Self.tick(ts: start + 6 * day + 1), now: 0).issues == [])  // the mark held
        for k in 1...2 {
            #expect(monitor.inspect(Self.tick(ts: start + 2_000 * day + Int64(k)), now: 0).issues == .timestampJump)
        }
        #expect(monitor.inspect(Self.tick(ts: start + 2_000 * day + 3), now: 0).issues == .timestampJump)
        #expect(monitor.inspect(Self.tick(ts: start + 2_000 * day + 4), now: 0).issues == [])  // resynchronised
    }

    @Test func severalIssuesOnOneEvent() {
        var monitor = DataQualityMonitor()
        _ = monitor.inspect(Self.tick(seq: 1, ts: 10 * Self.second, price: 100), now: 0)
        let report = monitor.inspect(
            Self.tick(seq: 9, ts: 1 * Self.second, price: 150, bid: 151, ask: 149), now: 0)
        #expect(report.issues == [.sequenceGap, .crossedQuote, .timestampBackwards])
        #expect(report.isQuarantined && report.missedCount == 7 && report.backwardsBy == 9 * Self.second)
    }
}
