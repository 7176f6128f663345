import OnlineLearning
import SeededRandom
import Testing

@Suite struct ProgressiveMemoryBoundTests {
    /// One million rows through standardizer → SGD in progressive validation with a delay, plus rolling
    /// metrics. Memory is measured, not read off the formula: at checkpoints spread over four orders of
    /// magnitude the rows waiting for labels and the rolling window hold at most their capacities, and the
    /// saved states (which hold every array, the pending rows included) have the size they had at the
    /// first full checkpoint and stay within each documented bound.
    @Test func storedStateStaysWithinItsBoundOverAMillionRows() throws {
        var rng = Xoshiro256(seed: 1)
        var standardizer = RunningStandardizer(featureCount: 2, forgetting: .halfLife(rows: 1000))
        var pv = ProgressiveValidation(model: SGDRegressor(featureCount: 2), delay: .rows(5), rollingWindow: 100)
        var z = [0.0, 0.0]
        var x = [0.0, 0.0]
        var firstSizes: [Int]?
        let checkpoints: Set<Int> = [10, 1_000, 10_000, 100_000, 1_000_000]
        for t in 1...1_000_000 {
            x[0] = rng.nextUnitDouble()
            x[1] = Double(t & 1023)
            standardizer.updateAndTransform(x, into: &z)
            pv.process(z, 3 * x[0] + 1)
            guard checkpoints.contains(t) else { continue }
            #expect(pv.pendingCount == min(t, 5), "rows waiting for a label after \(t) rows")
            let rolling = try #require(pv.rolling)
            #expect(rolling.count == min(t, 100), "pairs in the rolling window after \(t) rows")
            let sizes = [standardizer.savedState().count, pv.savedState().count, rolling.savedState().count]
            let bounds = [standardizer.memoryBound, pv.memoryBound, rolling.memoryBound]
            print("after \(t) rows: saved bytes (standardizer, validation, rolling) \(sizes), bounds \(bounds)")
            #expect(zip(sizes, bounds).allSatisfy { $0 <= $1 }, "a saved state exceeds its documented bound")
            if t >= 1_000 {
                if let firstSizes {
                    #expect(sizes == firstSizes, "state grew between 1,000 and \(t) rows")
                } else {
                    firstSizes = sizes
                }
            }
        }
        #expect(pv.scoredCount == 1_000_000)
        #expect(pv.metrics.mae < 0.05)
    }
}
