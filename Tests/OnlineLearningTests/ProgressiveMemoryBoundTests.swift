import OnlineLearning
import SeededRandom
import Testing

@Suite struct ProgressiveMemoryBoundTests {
    /// One million rows through standardizer → SGD in progressive validation with a delay, plus rolling
    /// metrics: every documented bound is the same at the end as after the first row, and the saved state
    /// (which holds every array) has not grown.
    @Test func boundsDoNotMoveOverAMillionRows() throws {
        var rng = Xoshiro256(seed: 1)
        var standardizer = RunningStandardizer(featureCount: 2, forgetting: .halfLife(rows: 1000))
        var pv = ProgressiveValidation(model: SGDRegressor(featureCount: 2), delay: .rows(5), rollingWindow: 100)
        var z = [0.0, 0.0]
        var x = [0.0, 0.0]
        var firstBounds: [Int] = []
        var firstSizes: [Int] = []
        for t in 0..<1_000_000 {
            x[0] = rng.nextUnitDouble()
            x[1] = Double(t & 1023)
            standardizer.updateAndTransform(x, into: &z)
            pv.process(z, 3 * x[0] + 1)
            if t == 10 {
                firstBounds = [standardizer.memoryBound, pv.memoryBound, pv.model.memoryBound]
                firstSizes = [
                    standardizer.savedState().count, pv.model.savedState().count, pv.rolling!.savedState().count,
                ]
            }
        }
        #expect([standardizer.memoryBound, pv.memoryBound, pv.model.memoryBound] == firstBounds)
        #expect(
            [standardizer.savedState().count, pv.model.savedState().count, pv.rolling!.savedState().count] == firstSizes
        )
        #expect(pv.pendingCount == 5 && pv.scoredCount == 1_000_000)
        // The documented bounds cover the state they describe.
        #expect(pv.model.savedState().count <= pv.model.memoryBound)
        #expect(standardizer.savedState().count <= standardizer.memoryBound)
        #expect(pv.rolling!.savedState().count <= pv.rolling!.memoryBound)
        #expect(pv.metrics.mae < 0.05)
    }
}
