import Glibc
import RiskModels
import SeededRandom
import Testing

@Suite struct FilteredHistoricalVaRTests {
    /// numpy's "linear" quantile of the sorted values at p.
    static func linearQuantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * p
        let i = Int(h.rounded(.down))
        return i + 1 < sorted.count ? sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i]) : sorted[i]
    }

    /// Every wrap-around position of the ring: the sorted view is the sort of the kept values, and the
    /// quantile and tail mean follow the documented conventions on that sort.
    @Test(arguments: [1, 2, 5, 37, 200])
    func emptyToFullAndWrapping(capacity: Int) {
        var generator = Xoshiro256(seed: UInt64(capacity))
        var tail = EmpiricalTail(capacity: capacity)
        var all: [Double] = []
        for _ in 0..<(3 * capacity + 1) {
            // Ties on purpose: values on a coarse grid.
            let x = (generator.nextGaussian() * 4).rounded() / 4
            tail.append(x)
            all.append(x)
            let kept = Array(all.suffix(capacity))
            #expect(tail.values == kept)
            let sorted = kept.sorted()
            #expect(tail.sorted == sorted)
            for p in [0.01, 0.025, 0.3] {
                #expect(tail.lowerQuantile(p) == Self.linearQuantile(sorted, p))
                let m = max(Double(sorted.count) * p, 1)
                let whole = Int(m)
                var sum = sorted.prefix(whole).reduce(0, +)
                if whole < sorted.count { sum += (m - Double(whole)) * sorted[whole] }
                #expect(abs(tail.lowerTailMean(p) - min(sum / m, tail.lowerQuantile(p))) < 1e-12)
            }
        }
    }

    /// The EWMA-filtered forecaster's VaR is σ_(t+1) times minus the sorted-residual quantile of
    /// r_t/σ_t, with σ recomputed here independently (λ 0.94, seeded by the mean of 20 squared returns).
    @Test(arguments: [0.99, 0.975])
    func ewmaFHSIsSigmaTimesTheResidualQuantile(confidence: Double) throws {
        var generator = Xoshiro256(seed: 9)
        let returns = (0..<1_500).map { i in 0.01 * (i > 700 ? 2 : 1) * generator.nextGaussian() }
        var forecaster = FilteredHistoricalVaR(
            confidence: confidence, warmupReturns: 100, filter: .ewma(lambda: 0.94), residualCapacity: 500)
        var variance = 0.0
        var residuals: [Double] = []
        for (k, r) in returns.enumerated() {
            if k >= 20 { residuals.append(r / variance.squareRoot()) }
            variance = k < 20 ? variance + (r * r - variance) / Double(k + 1) : 0.94 * variance + 0.06 * r * r
            forecaster.observe(return: r)
        }
        let kept = Array(residuals.suffix(500)).sorted()
        let f = try #require(forecaster.forecast())
        let q = Self.linearQuantile(kept, 1 - confidence)
        #expect(abs(f.valueAtRisk - (-variance.squareRoot() * q)) < 1e-12)
        #expect(f.expectedShortfall >= f.valueAtRisk)
    }

    /// No forecast before the warm-up and the minimum number of residuals.
    @Test func warmUp() {
        var forecaster = FilteredHistoricalVaR(
            confidence: 0.99, warmupReturns: 30, filter: .ewma(lambda: 0.94), minimumResiduals: 50)
        for i in 0..<70 {
            #expect(forecaster.forecast() == nil, "return \(i)")
            forecaster.observe(return: i.isMultiple(of: 3) ? -0.01 : 0.006)
        }
        #expect(forecaster.forecast() != nil)
    }
}
