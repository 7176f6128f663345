import OnlineLearning
import SeededRandom
import Testing

@Suite struct AdaptiveRandomForestTests {
    static func concept(_ c: Int, _ x: [Double]) -> Double {
        c == 0 ? 4 * x[0] + (x[1] > 0.5 ? 2 : 0) : -4 * x[2] + (x[3] > 0.5 ? -3 : 3)
    }

    @Test func adaptsAfterAbruptDrift() {
        var config = AdaptiveRandomForestRegressor.Configuration()
        config.treeCount = 5
        var forest = AdaptiveRandomForestRegressor(featureCount: 6, configuration: config, seed: 3)
        var s = Stream(seed: 4, d: 6)
        let n = 6000
        var beforeDrift = 0.0, rightAfter = 0.0, recovered = 0.0
        for i in 0..<(2 * n) {
            let x = s.row()
            let y = Self.concept(i < n ? 0 : 1, x) + 0.05 * s.rng.nextGaussian()
            let e = abs(forest.predict(x) - y)
            if i >= n - 1000 && i < n { beforeDrift += e }
            if i >= n && i < n + 300 { rightAfter += e / 0.3 }
            if i >= 2 * n - 1000 { recovered += e }
            forest.learn(x, y)
        }
        #expect(forest.treeSwaps >= config.treeCount / 2)
        #expect(forest.backgroundStarts >= 1)
        #expect(forest.backgroundSwaps >= 1)
        #expect(rightAfter > 3 * beforeDrift)
        #expect(recovered < 0.4 * rightAfter)
    }

    /// The concept never changes, only the noise level (σ 0.05 ↔ 1.5 every 2,000 rows, as a volatility
    /// regime): errors rise at every switch, but a background tree started then never beats the tree it
    /// would replace, so the trees are kept (the background dropped) rather than swapped.
    @Test func keepsTheTreeWhenOnlyTheNoiseLevelChanges() {
        var config = AdaptiveRandomForestRegressor.Configuration()
        config.treeCount = 5
        var forest = AdaptiveRandomForestRegressor(featureCount: 6, configuration: config, seed: 3)
        var s = Stream(seed: 12, d: 6)
        for i in 0..<20_000 {
            let x = s.row()
            let noise = (i / 2000) % 2 == 0 ? 0.05 : 1.5
            forest.learn(x, Self.concept(0, x) + noise * s.rng.nextGaussian())
        }
        #expect(forest.backgroundStarts >= 5)
        #expect(forest.backgroundsDiscarded >= 1)
        #expect(forest.backgroundSwaps <= forest.backgroundsDiscarded)
    }

    @Test(arguments: [AdaptiveRandomForestRegressor.Aggregation.mean, .median])
    func sameSeedSamePredictionsAndRestoreContinuesIdentically(aggregation: AdaptiveRandomForestRegressor.Aggregation) throws {
        var config = AdaptiveRandomForestRegressor.Configuration()
        config.treeCount = 4
        config.aggregation = aggregation
        var a = AdaptiveRandomForestRegressor(featureCount: 5, configuration: config, seed: 9)
        var b = AdaptiveRandomForestRegressor(featureCount: 5, configuration: config, seed: 9)
        var s = Stream(seed: 10, d: 5)
        for i in 0..<2500 {
            let x = s.row()
            let y = Self.concept(i < 1500 ? 0 : 1, x)
            #expect(a.predict(x).bitPattern == b.predict(x).bitPattern)
            a.learn(x, y)
            b.learn(x, y)
        }
        var restored = try AdaptiveRandomForestRegressor(savedState: a.savedState())
        for _ in 0..<1500 {
            let x = s.row()
            let y = Self.concept(0, x)
            #expect(a.predict(x).bitPattern == restored.predict(x).bitPattern)
            a.learn(x, y)
            restored.learn(x, y)
        }
        #expect(a.savedState() == restored.savedState())
        let other = AdaptiveRandomForestRegressor(featureCount: 5, configuration: config, seed: 10)
        #expect(other.savedState() != AdaptiveRandomForestRegressor(featureCount: 5, configuration: config, seed: 9).savedState())
    }

    @Test func corruptOrTruncatedStateIsAnError() {
        var config = AdaptiveRandomForestRegressor.Configuration()
        config.treeCount = 2
        var forest = AdaptiveRandomForestRegressor(featureCount: 3, configuration: config, seed: 1)
        var s = Stream(seed: 2, d: 3)
        for _ in 0..<800 {
            let x = s.row()
            forest.learn(x, x[0] + x[1])
        }
        let bytes = forest.savedState()
        for cut in Swift.stride(from: 0, to: bytes.count, by: max(1, bytes.count / 200)) {
            #expect(throws: ModelStateError.self) { try AdaptiveRandomForestRegressor(savedState: Array(bytes[..<cut])) }
        }
        var rng = Xoshiro256(seed: 3)
        for _ in 0..<200 {
            var corrupt = bytes
            corrupt[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            if let f = try? AdaptiveRandomForestRegressor(savedState: corrupt) { _ = f.predict([0.1, 0.2, 0.3]) }
        }
    }

    @Test func memoryStaysFlatOnALongDriftingStream() {
        var config = AdaptiveRandomForestRegressor.Configuration()
        config.treeCount = 3
        config.tree.maxBytes = 48 << 10
        var forest = AdaptiveRandomForestRegressor(featureCount: 10, configuration: config, seed: 5)
        var s = Stream(seed: 6, d: 10)
        var sizes: [Int] = []
        for i in 0..<24_000 {
            let x = s.row()
            forest.learn(x, Self.concept((i / 4000) % 2, x) + x[9] * x[8])
            if i % 2000 == 1999 { sizes.append(forest.estimatedBytes) }
        }
        #expect(sizes.allSatisfy { $0 <= forest.memoryBound })
        // Flat: the second half of the stream does not hold more than the budget allows, whatever it learned.
        let liveBudget = 3 * 2 * 2 * (48 << 10) + 200_000
        #expect(sizes.allSatisfy { $0 <= liveBudget })
        #expect(forest.treeSwaps > 0)
    }
}
