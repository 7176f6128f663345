import OnlineLearning
import RiskModels
import SeededRandom
import Testing

@Suite struct SlidingExtremumTests {
    /// Maximum and minimum against a scan of the last `length` values, at every step of streams with many
    /// ties (values on a coarse grid), for lengths that put the deque's wrap-around at every position.
    @Test(arguments: [1, 2, 3, 5, 10, 64])
    func matchesAScanAtEveryStep(length: Int) {
        var rng = Xoshiro256(seed: UInt64(length))
        var high = SlidingExtremum(length: length, tracksMaximum: true)
        var low = SlidingExtremum(length: length, tracksMaximum: false)
        #expect(high.value == nil && low.value == nil)
        var values: [Double] = []
        for step in 0..<3_000 {
            // Monotone runs in both directions (the deque's worst cases) between random stretches.
            let x: Double
            switch (step / 50) % 3 {
            case 0: x = Double(step)
            case 1: x = -Double(step)
            default: x = (rng.nextUnitDouble() * 8).rounded()
            }
            values.append(x)
            high.add(x)
            low.add(x)
            let window = values.suffix(length)
            #expect(high.value == window.max() && low.value == window.min(), "step \(step)")
            #expect(high.isFull == (values.count >= length))
        }
    }

    @Test func checkpointResumesIdentically() throws {
        var rng = Xoshiro256(seed: 5)
        var high = SlidingExtremum(length: 7, tracksMaximum: true)
        for _ in 0..<40 { high.add(rng.nextGaussian()) }
        var restored = try SlidingExtremum(savedState: high.savedState())
        for _ in 0..<100 {
            let x = rng.nextGaussian()
            high.add(x)
            restored.add(x)
            #expect(high.value == restored.value)
        }
        #expect(restored.savedState() == high.savedState())
    }
}
