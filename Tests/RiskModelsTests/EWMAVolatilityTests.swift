import Glibc
import RiskModels
import SeededRandom
import Testing

@Suite struct EWMAVolatilityTests {
    static let second: Int64 = 1_000_000_000

    /// Prices whose log returns are +0.01, −0.02, +0.03 at 0 s, 1 s, 3 s, 4 s (elapsed 1, 2, 1 s).
    static let path: [(price: Double, ts: Int64)] = [
        (100, 0),
        (100 * exp(0.01), 1 * second),
        (100 * exp(0.01 - 0.02), 3 * second),
        (100 * exp(0.01 - 0.02 + 0.03), 4 * second),
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var lambda: Double
        var warmup: Int
        /// σ² and τ after each of the three returns, computed by hand.
        var variances: [Double]
        var intervals: [Double]
        var testDescription: String { "λ=\(lambda) warm-up \(warmup)" }
    }

    static let cases: [Case] = [
        // Seeded by the first squared return, then σ² = 0.94 σ² + 0.06 r²:
        // 0.0001; 0.94·0.0001 + 0.06·0.0004 = 0.000118; 0.94·0.000118 + 0.06·0.0009 = 0.00016492.
        // τ: 1; 0.94·1 + 0.06·2 = 1.06; 0.94·1.06 + 0.06·1 = 1.0564.
        Case(lambda: 0.94, warmup: 1, variances: [0.0001, 0.000118, 0.00016492], intervals: [1, 1.06, 1.0564]),
        // 0.0001; 0.5·0.0001 + 0.5·0.0004 = 0.00025; 0.5·0.00025 + 0.5·0.0009 = 0.000575. τ: 1, 1.5, 1.25.
        Case(lambda: 0.5, warmup: 1, variances: [0.0001, 0.00025, 0.000575], intervals: [1, 1.5, 1.25]),
        // Equal-weight warm-up over two returns: (0.0001 + 0.0004) / 2 = 0.00025, τ = 1.5; then
        // 0.94·0.00025 + 0.06·0.0009 = 0.000289, τ = 0.94·1.5 + 0.06·1 = 1.47.
        Case(lambda: 0.94, warmup: 2, variances: [0.0001, 0.00025, 0.000289], intervals: [1, 1.5, 1.47]),
    ]

    @Test(arguments: cases)
    func handComputedSteps(_ c: Case) throws {
        var ewma = EWMAVolatility(lambda: c.lambda, warmupReturns: c.warmup)
        #expect(ewma.observe(price: Self.path[0].price, at: Self.path[0].ts) == nil)
        #expect(ewma.returnCount == 0 && !ewma.isWarm && ewma.variancePerSecond == nil)
        let returns = [0.01, -0.02, 0.03]
        for k in 0..<3 {
            let observed = ewma.observe(price: Self.path[k + 1].price, at: Self.path[k + 1].ts)
            let r = try #require(observed)
            #expect(abs(r - returns[k]) < 1e-14)
            #expect(ewma.returnCount == k + 1)
            #expect(ewma.isWarm == (k + 1 >= c.warmup))
            #expect(abs(ewma.perEventVariance - c.variances[k]) < 1e-15, "σ² after return \(k + 1)")
            #expect(abs(ewma.meanInterval - c.intervals[k]) < 1e-12, "τ after return \(k + 1)")
            #expect(abs(ewma.perEventVolatility - c.variances[k].squareRoot()) < 1e-14)
            let perSecond = try #require(ewma.variancePerSecond)
            #expect(abs(perSecond - c.variances[k] / c.intervals[k]) < 1e-15)
            #expect(abs(ewma.volatilityPerSqrtSecond! - perSecond.squareRoot()) < 1e-15)
        }
    }

    @Test func annualisesFromTheVariancePerSecond() throws {
        var ewma = EWMAVolatility(lambda: 0.5, warmupReturns: 1)
        for point in Self.path { ewma.observe(price: point.price, at: point.ts) }
        // σ²/τ = 0.000575 / 1.25 = 0.00046 per second.
        #expect(EWMAVolatility.defaultTradingSecondsPerYear == 5_896_800)
        let annual = try #require(ewma.annualized())
        #expect(abs(annual * annual - 0.00046 * 5_896_800) < 1e-8)  // 2712.528
        let custom = try #require(ewma.annualized(tradingSecondsPerYear: 10_000))
        #expect(abs(custom - 4.6.squareRoot()) < 1e-12)
    }

    /// Same-timestamp ticks add their squared move and no time: the per-second variance is unavailable
    /// until some time has elapsed, then the move is charged to the surrounding time.
    @Test func sameTimestampTicksChargeTheirVarianceToTheTimeAround() throws {
        var ewma = EWMAVolatility(lambda: 0.5, warmupReturns: 1)
        ewma.observe(price: 100, at: 0)
        let observed = ewma.observe(price: 101, at: 0)
        let r1 = try #require(observed)
        #expect(ewma.meanInterval == 0)
        #expect(ewma.variancePerSecond == nil && ewma.volatilityPerSqrtSecond == nil && ewma.annualized() == nil)
        #expect(ewma.perEventVariance == r1 * r1)
        ewma.observe(price: 100, at: 2 * Self.second)
        // σ² = 0.5 r1² + 0.5 r1² = r1², τ = 0.5·0 + 0.5·2 = 1 s.
        #expect(abs(ewma.perEventVariance - r1 * r1) < 1e-18)
        #expect(ewma.meanInterval == 1)
        #expect(abs(try #require(ewma.variancePerSecond) - r1 * r1) < 1e-18)
    }

    @Test func backwardsTimestampsCountAsNoElapsedTime() {
        var ewma = EWMAVolatility(lambda: 0.5, warmupReturns: 1)
        ewma.observe(price: 100, at: 10 * Self.second)
        ewma.observe(price: 101, at: 4 * Self.second)
        #expect(ewma.meanInterval == 0)
        ewma.observe(price: 100, at: 6 * Self.second)  // 2 s after the previous accepted tick
        #expect(ewma.meanInterval == 1)
    }

    @Test func restartReturnsComputesNoReturnAcrossTheGapButKeepsTheEstimate() throws {
        var ewma = EWMAVolatility(lambda: 0.5, warmupReturns: 1)
        ewma.observe(price: 100, at: 0)
        ewma.observe(price: 100 * exp(0.01), at: Self.second)
        let before = ewma
        ewma.restartReturns()
        #expect(ewma.lastPrice == nil)
        #expect(ewma.observe(price: 500, at: 2 * Self.second) == nil)  // no return against 100·e^0.01
        #expect(ewma.returnCount == 1 && ewma.perEventVariance == before.perEventVariance)
        #expect(ewma.meanInterval == before.meanInterval)
        let observed = ewma.observe(price: 500 * exp(-0.02), at: 3 * Self.second)
        let r = try #require(observed)
        #expect(abs(r + 0.02) < 1e-14)
    }

    /// Irregular ticks (exponential waits) from a process with a known variance per second: the
    /// ratio estimator recovers it, while the per-event variance reflects the mean wait instead.
    @Test func ratioEstimatorRecoversTheVariancePerSecondOfIrregularTicks() throws {
        var rng = Xoshiro256(seed: 42)
        let sigmaPerSqrtSecond = 0.002
        let meanWait = 0.25  // seconds
        var ewma = EWMAVolatility(lambda: 0.9995, warmupReturns: 100)
        var logPrice = log(100.0)
        var ts: Int64 = 0
        ewma.observe(price: exp(logPrice), at: ts)
        for _ in 0..<40_000 {
            let wait = rng.nextExponential(rate: 1 / meanWait)
            ts += Int64(wait * 1e9)
            logPrice += sigmaPerSqrtSecond * wait.squareRoot() * rng.nextGaussian()
            ewma.observe(price: exp(logPrice), at: ts)
        }
        let perSqrtSecond = try #require(ewma.volatilityPerSqrtSecond)
        #expect(abs(perSqrtSecond / sigmaPerSqrtSecond - 1) < 0.05, "got \(perSqrtSecond)")
        #expect(abs(ewma.perEventVolatility / (sigmaPerSqrtSecond * meanWait.squareRoot()) - 1) < 0.05)
    }
}
