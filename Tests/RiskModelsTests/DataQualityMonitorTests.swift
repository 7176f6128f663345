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
            let report = monitor.inspect(t, sigma: 0.001, now: ts + 50_000)
            #expect(report == DataQualityReport(), "event \(i)")
            #expect(monitor.checkStale(now: ts + Self.second) == nil)
        }
    }

    @Test func sequenceGapIsReportedButNotQuarantined() {
        var monitor = DataQualityMonitor()
        for seq: UInt64 in [1, 2] {
            #expect(monitor.inspect(Self.tick(seq: seq, ts: 0), sigma: nil, now: 0).issues == [])
        }
        let report = monitor.inspect(Self.tick(seq: 5, ts: 0), sigma: nil, now: 0)
        #expect(report.issues == .sequenceGap)
        #expect(report.expectedSeq == 3 && report.receivedSeq == 5 && report.missedCount == 2)
        #expect(!report.isQuarantined)
        #expect(monitor.inspect(Self.tick(seq: 6, ts: 0), sigma: nil, now: 0).issues == [])
        // Events without a sequence number skip the check and leave the expectation alone.
        #expect(monitor.inspect(Self.tick(ts: 0), sigma: nil, now: 0).issues == [])
        #expect(monitor.inspect(Self.tick(seq: 7, ts: 0), sigma: nil, now: 0).issues == [])
    }

    /// A duplicate is quarantined and causes no spurious gap afterwards; a publisher restart costs one
    /// quarantined event and then the new sequence is clean.
    @Test func sequenceGoingBackwardsIsQuarantinedAndResynchronises() {
        var monitor = DataQualityMonitor()
        for seq: UInt64 in 1...3 { _ = monitor.inspect(Self.tick(seq: seq, ts: 0), sigma: nil, now: 0) }
        let duplicate = monitor.inspect(Self.tick(seq: 3, ts: 0), sigma: nil, now: 0)
        #expect(duplicate.issues == .sequenceBackwards && duplicate.isQuarantined)
        #expect(duplicate.expectedSeq == 4 && duplicate.receivedSeq == 3 && duplicate.missedCount == 0)
        #expect(monitor.inspect(Self.tick(seq: 4, ts: 0), sigma: nil, now: 0).issues == [])

        let restart = monitor.inspect(Self.tick(seq: 0, ts: 0), sigma: nil, now: 0)
        #expect(restart.issues == .sequenceBackwards && restart.expectedSeq == 5 && restart.receivedSeq == 0)
        #expect(monitor.inspect(Self.tick(seq: 1, ts: 0), sigma: nil, now: 0).issues == [])
    }

    @Test(arguments: [(101.0, 100.0, true), (100.0, 100.0, false), (99.99, 100.0, false)])
    func crossedQuotesAreQuarantinedLockedQuotesAreNot(bid: Double, ask: Double, crossed: Bool) {
        var monitor = DataQualityMonitor()
        let report = monitor.inspect(Self.tick(ts: 0, bid: bid, ask: ask), sigma: nil, now: 0)
        #expect(report.issues == (crossed ? .crossedQuote : []))
        #expect(report.isQuarantined == crossed)
        if crossed { #expect(report.bid == bid && report.ask == ask) }
        // One side missing: nothing to compare.
        #expect(monitor.inspect(Self.tick(ts: 0, bid: bid), sigma: nil, now: 0).issues == [])
    }

    @Test func timestampsBackwardsBeyondTheToleranceAreQuarantined() {
        var monitor = DataQualityMonitor(configuration: .init(timestampTolerance: 1 * Self.ms))
        let t0 = 10 * Self.second
        #expect(monitor.inspect(Self.tick(ts: t0), sigma: nil, now: 0).issues == [])
        #expect(monitor.inspect(Self.tick(ts: t0 - Self.ms), sigma: nil, now: 0).issues == [])  // at tolerance
        let late = monitor.inspect(Self.tick(ts: t0 - 2 * Self.ms), sigma: nil, now: 0)
        #expect(late.issues == .timestampBackwards && late.isQuarantined && late.backwardsBy == 2 * Self.ms)
        // Compared with the newest seen, so a burst of late events is all caught ...
        let later = monitor.inspect(Self.tick(ts: t0 - Self.ms - 1), sigma: nil, now: 0)
        #expect(later.issues == .timestampBackwards && later.backwardsBy == Self.ms + 1)
        // ... and the next on-time event is clean.
        #expect(monitor.inspect(Self.tick(ts: t0 + 1), sigma: nil, now: 0).issues == [])
    }

    /// A feed whose clock really stepped back is quarantined for `timestampResync` events, not until it
    /// catches up with its old high-water mark.
    @Test func timestampHighWaterMarkFollowsAFeedWhoseClockSteppedBack() {
        var monitor = DataQualityMonitor(configuration: .init(timestampTolerance: 0, timestampResync: 3))
        _ = monitor.inspect(Self.tick(ts: 100 * Self.second), sigma: nil, now: 0)
        let issues = (1...5).map {
            monitor.inspect(Self.tick(ts: Int64($0) * Self.second), sigma: nil, now: 0).issues
        }
        #expect(issues == [.timestampBackwards, .timestampBackwards, .timestampBackwards, [], []])
    }

    @Test func priceJumpIsMeasuredInSigmasAgainstTheLastSeenPrice() {
        var monitor = DataQualityMonitor(configuration: .init(jumpThreshold: 8))
        _ = monitor.inspect(Self.tick(ts: 0, price: 100), sigma: 0.001, now: 0)
        let small = monitor.inspect(Self.tick(ts: 1, price: 100 * exp(0.0079)), sigma: 0.001, now: 0)
        #expect(small.issues == [])
        let jump = monitor.inspect(Self.tick(ts: 2, price: 100 * exp(0.0079 + 0.009)), sigma: 0.001, now: 0)
        #expect(jump.issues == .priceJump && jump.isQuarantined)
        #expect(abs(jump.jumpReturn - 0.009) < 1e-12 && abs(jump.jumpSigmas - 9) < 1e-9)
        // A genuine level shift: the next price is compared with the shifted one, so it is clean.
        let next = monitor.inspect(Self.tick(ts: 3, price: 100 * exp(0.0169 + 0.0005)), sigma: 0.001, now: 0)
        #expect(next.issues == [])
    }

    @Test func aBadPrintIsFlaggedGoingAndComingBack() {
        var monitor = DataQualityMonitor()
        let prices = [100.0, 100.01, 1_000, 100.02, 100.03]
        let issues = prices.enumerated().map {
            monitor.inspect(Self.tick(ts: Int64($0.offset), price: $0.element), sigma: 0.0005, now: 0).issues
        }
        #expect(issues == [[], [], .priceJump, .priceJump, []])
    }

    @Test func noJumpCheckWithoutSigmaAndSigmaHasAFloor() {
        var monitor = DataQualityMonitor(configuration: .init(jumpThreshold: 8, sigmaFloor: 1e-4))
        _ = monitor.inspect(Self.tick(ts: 0, price: 100), sigma: nil, now: 0)
        #expect(monitor.inspect(Self.tick(ts: 1, price: 200), sigma: nil, now: 0).issues == [])
        // Flat history (sigma 0): measured against the floor, 5 bp is 5 sigmas, 10 bp is 10.
        _ = monitor.inspect(Self.tick(ts: 2, price: 100), sigma: nil, now: 0)
        #expect(monitor.inspect(Self.tick(ts: 3, price: 100 * exp(5e-4)), sigma: 0, now: 0).issues == [])
        let jump = monitor.inspect(Self.tick(ts: 4, price: 100 * exp(15e-4)), sigma: 0, now: 0)
        #expect(jump.issues == .priceJump && abs(jump.jumpSigmas - 10) < 1e-9)
    }

    @Test func staleIsReportedOnceAndTheNextEventRecovers() {
        var monitor = DataQualityMonitor(configuration: .init(staleAfter: 5 * Self.second))
        #expect(monitor.checkStale(now: 100 * Self.second) == nil)  // never seen: never stale
        _ = monitor.inspect(Self.tick(ts: 0), sigma: nil, now: 1 * Self.second)
        #expect(monitor.checkStale(now: 6 * Self.second) == nil)  // exactly staleAfter: not yet
        #expect(monitor.checkStale(now: 6 * Self.second + 1) == 5 * Self.second + 1)
        #expect(monitor.isStale)
        #expect(monitor.checkStale(now: 20 * Self.second) == nil)  // reported once
        let back = monitor.inspect(Self.tick(ts: 1), sigma: nil, now: 21 * Self.second)
        #expect(back.issues == .recovered && back.silence == 20 * Self.second && !back.isQuarantined)
        #expect(!monitor.isStale)
        #expect(monitor.inspect(Self.tick(ts: 2), sigma: nil, now: 22 * Self.second).issues == [])
        #expect(monitor.checkStale(now: 27 * Self.second + 1) == 5 * Self.second + 1)  // can go stale again
    }

    @Test func severalIssuesOnOneEvent() {
        var monitor = DataQualityMonitor()
        _ = monitor.inspect(Self.tick(seq: 1, ts: 10 * Self.second, price: 100), sigma: 0.001, now: 0)
        let report = monitor.inspect(
            Self.tick(seq: 9, ts: 1 * Self.second, price: 150, bid: 151, ask: 149), sigma: 0.001, now: 0)
        #expect(report.issues == [.sequenceGap, .crossedQuote, .timestampBackwards, .priceJump])
        #expect(report.isQuarantined && report.missedCount == 7 && report.backwardsBy == 9 * Self.second)
    }
}
