import Glibc
import MarketEvents
import RiskModels
import SeededRandom
import Testing

@Suite struct SymbolStateTests {
    static let second: Int64 = 1_000_000_000

    static func tick(
        ts: Int64, price: Double, bid: Double? = nil, ask: Double? = nil, size: Double? = nil
    ) -> Tick {
        Tick(symbol: "ABC", ts: ts, price: price, size: size, bid: bid, ask: ask)
    }

    @Test func acceptedTicksFeedTheVolatilityAndTheWindows() throws {
        var state = SymbolState(configuration: .init(windowCapacity: 3, lambda: 0.5, warmupReturns: 1))
        let first = state.update(tick: Self.tick(ts: 0, price: 100, bid: 99, ask: 101, size: 5), now: 0)
        #expect(first.acceptedReturn == nil)
        let u = state.update(tick: Self.tick(ts: Self.second, price: 100 * exp(0.01), size: 7), now: 0)
        let r = try #require(u.acceptedReturn)
        #expect(abs(r - 0.01) < 1e-14 && u.report.issues == [])
        #expect(abs(state.volatility.perEventVariance - 1e-4) < 1e-15)
        #expect(Array(state.prices) == [100, 100 * exp(0.01)])
        #expect(state.returns.count == 1 && abs(state.returns.mean - 0.01) < 1e-14)
        #expect(state.spreadsBps.count == 1 && abs(state.spreadsBps.mean - 200) < 1e-9)  // 2 / 100 = 200 bp
        #expect(state.sizes.count == 2 && state.sizes.mean == 6)
        #expect(state.ticksSeen == 2 && state.ticksQuarantined == 0)
    }

    /// A quarantined tick changes none of the estimates, and the return chain restarts after it, so no
    /// return is ever computed across it.
    @Test func quarantinedTicksTouchNothingAndRestartTheReturnChain() {
        var state = SymbolState(configuration: .init(windowCapacity: 8, lambda: 0.5, warmupReturns: 1))
        _ = state.update(tick: Self.tick(ts: 0, price: 100), now: 0)
        _ = state.update(tick: Self.tick(ts: 1, price: 101), now: 0)
        let before = state.volatility
        let crossed = state.update(tick: Self.tick(ts: 2, price: 101.2, bid: 101.3, ask: 101.1), now: 0)
        #expect(crossed.report.issues == .crossedQuote && crossed.acceptedReturn == nil)
        #expect(state.volatility.perEventVariance == before.perEventVariance)
        #expect(Array(state.prices) == [100, 101] && state.returns.count == 1 && state.spreadsBps.count == 0)
        #expect(state.ticksQuarantined == 1)
        let next = state.update(tick: Self.tick(ts: 3, price: 101.3), now: 0)
        #expect(next.report.issues == [] && next.acceptedReturn == nil)  // new chain: no return vs 101
        #expect(state.volatility.returnCount == 1)
        #expect(state.update(tick: Self.tick(ts: 4, price: 101.4), now: 0).acceptedReturn != nil)
    }

    /// After warm-up, a 20 % level shift is quarantined once; the ticks after it are accepted and the
    /// volatility never sees the shift as a return.
    @Test func aLevelShiftIsQuarantinedOnceAndDoesNotReachTheVolatility() {
        var rng = Xoshiro256(seed: 3)
        var state = SymbolState(configuration: .init(windowCapacity: 64, warmupReturns: 20))
        var price = 100.0
        var ts: Int64 = 0
        for _ in 0..<200 {
            ts += Self.second / 10
            price *= exp(0.0005 * rng.nextGaussian())
            #expect(state.update(tick: Self.tick(ts: ts, price: price), now: ts).report.issues == [])
        }
        let sigmaBefore = state.volatility.perEventVolatility
        price *= 1.2
        var quarantined = 0
        for _ in 0..<50 {
            ts += Self.second / 10
            price *= exp(0.0005 * rng.nextGaussian())
            if state.update(tick: Self.tick(ts: ts, price: price), now: ts).report.isQuarantined { quarantined += 1 }
        }
        #expect(quarantined == 1)
        #expect(state.volatility.perEventVolatility < 2 * sigmaBefore)
        #expect(state.returns.window.allSatisfy { abs($0) < 0.01 })
    }

    @Test func staleCheckGoesThroughToTheMonitor() {
        var state = SymbolState(configuration: .init(quality: .init(staleAfter: Self.second)))
        _ = state.update(tick: Self.tick(ts: 0, price: 100), now: 0)
        #expect(state.checkStale(now: 2 * Self.second) == 2 * Self.second)
        #expect(state.update(tick: Self.tick(ts: 1, price: 100), now: 3 * Self.second).report.issues == .recovered)
    }
}
