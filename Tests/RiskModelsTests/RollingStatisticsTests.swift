import RiskModels
import SeededRandom
import Testing

@Suite struct RollingStatisticsTests {
    /// Mean and sample variance from scratch, two-pass.
    static func naive(_ values: some Collection<Double>) -> (mean: Double, variance: Double) {
        let n = Double(values.count)
        let mean = values.reduce(0, +) / n
        let ss = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, values.count < 2 ? 0 : ss / (n - 1))
    }

    @Test func smallHandComputedWindow() {
        var stats = RollingStatistics(capacity: 3)
        #expect(stats.count == 0 && stats.mean == 0 && stats.variance == 0 && stats.populationVariance == 0)
        stats.append(2)
        #expect(stats.mean == 2 && stats.variance == 0 && stats.sum == 2)
        stats.append(4)
        stats.append(9)  // [2, 4, 9]: mean 5, squared deviations 9 + 1 + 16 = 26
        #expect(stats.mean == 5)
        #expect(stats.variance == 13)
        #expect(abs(stats.populationVariance - 26.0 / 3) < 1e-12)
        stats.append(5)  // [4, 9, 5]: mean 6, squared deviations 4 + 9 + 1 = 14
        #expect(stats.mean == 6)
        #expect(abs(stats.variance - 7) < 1e-12)
        #expect(abs(stats.standardDeviation - 7.0.squareRoot()) < 1e-12)
        #expect(stats.sum == 18)
        #expect(Array(stats.window) == [4, 9, 5])
    }

    /// Long random streams with a large mean next to a small spread (where running sums of x and x²
    /// cancel catastrophically), with level shifts that make the window's variance jump by twelve orders
    /// of magnitude and back: the O(1) statistics must match a two-pass recomputation at every sampled
    /// step, far beyond the window length. The documented bound: the variance error is relative to the
    /// largest true variance of the last `2 · capacity` appends (the rebase flushes older rounding).
    @Test(arguments: [(1, UInt64(1)), (2, 2), (7, 3), (64, 4), (500, 5)])
    func matchesNaiveRecomputationOverLongStreams(capacity: Int, seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        var stats = RollingStatistics(capacity: capacity)
        var stream: [Double] = []
        var sampled: [(step: Int, variance: Double)] = []
        var worstMean = 0.0
        var worstVariance = 0.0
        let scale = 0.01
        for step in 0..<20_000 {
            let level = 10_000.0 * Double(1 + step / 5_000)
            let x = level + scale * rng.nextGaussian()
            stats.append(x)
            stream.append(x)
            guard step % 7 == 0 || capacity < 16 else { continue }
            let (mean, variance) = Self.naive(stream.suffix(capacity))
            sampled.append((step, variance))
            #expect(stats.count == min(step + 1, capacity))
            worstMean = max(worstMean, abs(stats.mean - mean) / level)
            if capacity < 2 {
                #expect(stats.variance == 0)
                continue
            }
            let recentPeak = sampled.reversed().prefix { $0.step > step - 2 * capacity }.map(\.variance).max()!
            worstVariance = max(worstVariance, abs(stats.variance - variance) / recentPeak)
        }
        #expect(worstMean < 1e-13)
        #expect(worstVariance < 1e-8, "variance error relative to the recent peak variance: \(worstVariance)")
    }

    /// Without the periodic rebase, the rounding left by a high-variance episode would stay in the
    /// slid sums for ever; with it, a window that has been calm for two window lengths is accurate
    /// relative to its own (tiny) variance.
    @Test func rebaseFlushesRoundingFromAnEarlierEpisode() {
        var rng = Xoshiro256(seed: 11)
        let capacity = 32
        var stats = RollingStatistics(capacity: capacity)
        for i in 0..<1_000 { stats.append((i % 2 == 0 ? 1e6 : -1e6) + rng.nextGaussian()) }
        var window: [Double] = []
        for _ in 0..<(2 * capacity) {
            let x = 100 + 1e-3 * rng.nextGaussian()
            stats.append(x)
            window.append(x)
        }
        let (mean, variance) = Self.naive(window.suffix(capacity))
        #expect(abs(stats.mean - mean) < 1e-12)
        #expect(abs(stats.variance - variance) / variance < 1e-8)
    }

    @Test func removeAllStartsOver() {
        var stats = RollingStatistics(capacity: 2)
        for x in [1.0, 2, 3, 4, 5] { stats.append(x) }
        stats.removeAll()
        #expect(stats.count == 0 && stats.mean == 0)
        stats.append(10)
        stats.append(14)
        #expect(stats.mean == 12 && stats.variance == 8)
    }
}
