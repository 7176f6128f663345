import Glibc
import MarketEvents
import RiskModels
import SeededRandom
import Testing

extension SymbolState {
    /// Receives a tick that is released at once and returns its update (a test helper for streams with no
    /// jump); fails the test if the tick was held or something else came out.
    mutating func updateAtOnce(tick: Tick, now: Int64, sourceLocation: SourceLocation = #_sourceLocation) -> Update {
        receive(tick, now: now)
        let released = releaseAll()
        #expect(released.count == 1 && released.first?.tick == tick, sourceLocation: sourceLocation)
        return released.first?.update ?? Update(report: DataQualityReport(), acceptedReturn: nil)
    }

    /// Everything ready to leave, in order.
    mutating func releaseAll() -> [Release] {
        var out: [Release] = []
        while let release = nextReleased() { out.append(release) }
        return out
    }
}

@Suite struct SymbolStateTests {
    static let second: Int64 = 1_000_000_000

    static func tick(
        ts: Int64, price: Double, bid: Double? = nil, ask: Double? = nil, size: Double? = nil
    ) -> Tick {
        Tick(symbol: "ABC", ts: ts, price: price, size: size, bid: bid, ask: ask)
    }

    @Test func acceptedTicksFeedTheVolatilityAndTheWindows() throws {
        var state = SymbolState(configuration: .init(windowCapacity: 3, lambda: 0.5, warmupReturns: 1))
        let first = state.updateAtOnce(tick: Self.tick(ts: 0, price: 100, bid: 99, ask: 101, size: 5), now: 0)
        #expect(first.acceptedReturn == nil)
        let u = state.updateAtOnce(tick: Self.tick(ts: Self.second, price: 100 * exp(0.01), size: 7), now: 0)
        let r = try #require(u.acceptedReturn)
        #expect(abs(r - 0.01) < 1e-14 && u.report.issues == [])
        #expect(abs(state.volatility.perEventVariance - 1e-4) < 1e-15)
        #expect(Array(state.prices) == [100, 100 * exp(0.01)])
        #expect(state.returns.count == 1 && abs(state.returns.mean - 0.01) < 1e-14)
        #expect(state.spreadsBps.count == 1 && abs(state.spreadsBps.mean - 200) < 1e-9)  // 2 / 100 = 200 bp
        #expect(state.sizes.count == 2 && state.sizes.mean == 6)
        #expect(state.ticksSeen == 2 && state.ticksQuarantined == 0)
    }

    /// A quarantined tick changes none of the estimates and is skipped by the return chain: the next
    /// return is measured from the last accepted price. (Before jumps were held, the chain restarted after a
    /// quarantined tick and that return was lost.)
    @Test func quarantinedTicksTouchNothingAndTheChainSkipsThem() throws {
        var state = SymbolState(configuration: .init(windowCapacity: 8, lambda: 0.5, warmupReturns: 1))
        _ = state.updateAtOnce(tick: Self.tick(ts: 0, price: 100), now: 0)
        _ = state.updateAtOnce(tick: Self.tick(ts: 1, price: 101), now: 0)
        let before = state.volatility
        let crossed = state.updateAtOnce(tick: Self.tick(ts: 2, price: 101.2, bid: 101.3, ask: 101.1), now: 0)
        #expect(crossed.report.issues == .crossedQuote && crossed.acceptedReturn == nil)
        #expect(state.volatility == before)
        #expect(Array(state.prices) == [100, 101] && state.returns.count == 1 && state.spreadsBps.count == 0)
        #expect(state.ticksQuarantined == 1)
        let next = state.updateAtOnce(tick: Self.tick(ts: 3, price: 101.3), now: 0)
        #expect(next.report.issues == [])
        #expect(abs(try #require(next.acceptedReturn) - log(101.3 / 101)) < 1e-14)
    }

    /// A warm state on a random walk of 5 bp per tick, 100 ms apart.
    static func warmState(
        seed: UInt64 = 3, ticks: Int = 200, jumps: JumpFilter.Configuration = .init()
    ) -> (state: SymbolState, price: Double, ts: Int64, rng: Xoshiro256) {
        var rng = Xoshiro256(seed: seed)
        var state = SymbolState(configuration: .init(windowCapacity: 64, warmupReturns: 20, jumps: jumps))
        var price = 100.0
        var ts: Int64 = 0
        for _ in 0..<ticks {
            ts += Self.second / 10
            price *= exp(0.0005 * rng.nextGaussian())
            #expect(state.updateAtOnce(tick: Self.tick(ts: ts, price: price), now: ts).report.issues == [])
        }
        return (state, price, ts, rng)
    }

    /// A bad print 20 % up, with the market back where it was on the next print: held, then quarantined
    /// and counted; the estimators never see it and the next return is the ordinary one from before it.
    @Test func aSpikeThatRevertsIsQuarantinedAndCounted() throws {
        var (state, price, ts, _) = Self.warmState()
        let before = state.volatility
        ts += Self.second / 10
        let spike = Self.tick(ts: ts, price: price * 1.2)
        let opened = state.receive(spike, now: ts)
        let none = state.releaseAll()
        #expect(opened != nil && none.isEmpty && state.heldCount == 1)
        ts += Self.second / 10
        let back = Self.tick(ts: ts, price: price * 1.0003)
        let reopened = state.receive(back, now: ts)
        #expect(reopened == nil)
        let released = state.releaseAll()
        #expect(released.map(\.tick) == [spike, back])
        #expect(released[0].update.report.issues == .priceJump && released[0].update.report.isQuarantined)
        #expect(abs(released[0].update.report.jumpReturn - log(1.2)) < 1e-12)
        #expect(released[0].update.report.jumpSigmas > 8)
        #expect(released[1].update.report.issues == [])
        #expect(abs(try #require(released[1].update.acceptedReturn) - log(1.0003)) < 1e-12)
        #expect(state.ticksQuarantined == 1 && state.jumpsRejected == 1 && state.jumpsConfirmed == 0)
        #expect(state.volatility.returnCount == before.returnCount + 1)
        #expect(state.returns.window.allSatisfy { abs($0) < 0.01 })
    }

    /// A 3 % drop that holds: the jump and the prints after it are held for `confirmTicks` prints, then
    /// released in order, accepted; the first carries the whole return from the pre-jump price, so the
    /// volatility goes up.
    @Test func aLevelThatHoldsIsAcceptedWithItsFullReturn() throws {
        var (state, price, ts, rng) = Self.warmState()
        let sigmaBefore = state.volatility.perEventVolatility
        let varianceBefore = state.volatility.perEventVariance
        let level = price * 0.97
        var sent: [Tick] = []
        for k in 0..<4 {
            ts += Self.second / 10
            let tick = Self.tick(ts: ts, price: level * exp(0.0005 * rng.nextGaussian()))
            sent.append(tick)
            let opened = state.receive(tick, now: ts)
            #expect((opened != nil) == (k == 0))
            let released = state.releaseAll()
            #expect(released.count == (k < 3 ? 0 : 4), "print \(k)")
            if k < 3 { #expect(state.heldCount == k + 1) }
            guard k == 3 else { continue }
            #expect(released.map(\.tick) == sent)
            #expect(released.allSatisfy { !$0.update.report.isQuarantined })
            #expect(released[0].update.report.issues == .confirmedJump)
            let r = try #require(released[0].update.acceptedReturn)
            #expect(abs(r - log(sent[0].price / price)) < 1e-12)
            #expect(released[1...].allSatisfy { $0.update.report.issues == [] && $0.update.acceptedReturn != nil })
        }
        #expect(state.jumpsConfirmed == 1 && state.ticksQuarantined == 0 && state.heldCount == 0)
        #expect(state.volatility.perEventVolatility > 3 * sigmaBefore)
        // The whole move is in the estimate: (1 − λ)r² of the jump, decayed by three small returns after it.
        #expect(state.volatility.perEventVariance > 0.94 * 0.94 * 0.94 * (0.94 * varianceBefore + 0.06 * 0.03 * 0.03))
        // And it is accepted from here on: the next print is an ordinary one.
        ts += Self.second / 10
        #expect(state.updateAtOnce(tick: Self.tick(ts: ts, price: level), now: ts).report.issues == [])
    }

    /// Confirmed from outside (the market moved): the held ticks come out accepted at once.
    @Test func aPendingJumpConfirmedFromOutsideIsReleasedAccepted() throws {
        var (state, price, ts, _) = Self.warmState()
        ts += Self.second / 10
        let jump = Self.tick(ts: ts, price: price * 0.97)
        let opened = state.receive(jump, now: ts)
        let suspect = try #require(opened)
        #expect(abs(suspect.jumpReturn - log(0.97)) < 1e-12 && suspect.ts == ts)
        state.confirmPendingJump()
        let released = state.releaseAll()
        #expect(released.count == 1 && released[0].tick == jump && released[0].update.report.issues == .confirmedJump)
        #expect(abs(try #require(released[0].update.acceptedReturn) - log(0.97)) < 1e-12)
        #expect(state.pendingJump == nil && state.jumpsConfirmed == 1)
    }

    /// While a jump is pending, a quarantined tick is released at once, ahead of the held ones, and does
    /// not vote.
    @Test func aQuarantinedTickIsNotHeldBehindAPendingJump() {
        var (state, price, ts, _) = Self.warmState()
        ts += Self.second / 10
        let jump = Self.tick(ts: ts, price: price * 0.97)
        state.receive(jump, now: ts)
        let crossed = Self.tick(ts: ts + 1, price: price, bid: price + 0.1, ask: price - 0.1)
        state.receive(crossed, now: ts)
        let released = state.releaseAll()
        #expect(released.map(\.tick) == [crossed] && released[0].update.report.issues == .crossedQuote)
        #expect(state.heldCount == 1 && state.pendingJump != nil)
    }

    @Test func staleCheckGoesThroughToTheMonitor() {
        var state = SymbolState(configuration: .init(quality: .init(staleAfter: Self.second)))
        _ = state.updateAtOnce(tick: Self.tick(ts: 0, price: 100), now: 0)
        #expect(state.checkStale(now: 2 * Self.second) == 2 * Self.second)
        #expect(
            state.updateAtOnce(tick: Self.tick(ts: 1, price: 100), now: 3 * Self.second).report.issues == .recovered)
    }
}
