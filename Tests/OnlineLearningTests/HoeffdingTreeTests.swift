import OnlineLearning
import SeededRandom
import Testing

/// Rows of `d` uniform features; `target` maps them to y.
struct Stream {
    var rng: Xoshiro256
    let d: Int
    init(seed: UInt64, d: Int) {
        rng = Xoshiro256(seed: seed)
        self.d = d
    }
    mutating func row() -> [Double] { (0..<d).map { _ in rng.nextUnitDouble() } }
}

@Suite struct HoeffdingTreeTests {
    @Test func rootSplitsOnStepFeatureNearItsThreshold() throws {
        var s = Stream(seed: 1, d: 4)
        var tree = HoeffdingTreeRegressor(featureCount: 4)
        for _ in 0..<3000 {
            let x = s.row()
            tree.learn(x, (x[0] < 0.3 ? 1 : 5) + 0.1 * s.rng.nextGaussian())
        }
        let split = try #require(tree.rootSplit)
        #expect(split.feature == 0)
        #expect(abs(split.threshold - 0.3) < 0.04)
        #expect(abs(tree.predict([0.1, 0.5, 0.5, 0.5]) - 1) < 0.2)
        #expect(abs(tree.predict([0.9, 0.5, 0.5, 0.5]) - 5) < 0.2)
        let importances = tree.featureImportances
        #expect(importances[0] > 10 * importances[1...].reduce(0, +))
        let contributions = tree.pathContributions([0.1, 0.5, 0.5, 0.5])
        #expect(abs(tree.rootMean + contributions.reduce(0, +) - tree.predict([0.1, 0.5, 0.5, 0.5])) < 0.2)
        #expect(contributions[0] < -1)
    }

    @Test(arguments: [HoeffdingTreeRegressor.LeafPrediction.mean, .linear, .adaptive])
    func beatsTheMeanOnPiecewiseLinearStream(leaves: HoeffdingTreeRegressor.LeafPrediction) {
        var s = Stream(seed: 2, d: 5)
        var config = HoeffdingTreeRegressor.Configuration()
        config.leafPrediction = leaves
        var tree = HoeffdingTreeRegressor(featureCount: 5, configuration: config)
        var treeError = 0.0, meanError = 0.0, mean = 0.0
        for i in 0..<20_000 {
            let x = s.row()
            let y = x[1] < 0.5 ? 3 * x[0] + 1 : -2 * x[2] + 0.5 * x[3] + 0.05 * s.rng.nextGaussian()
            if i >= 5000 {
                treeError += abs(tree.predict(x) - y)
                meanError += abs(mean - y)
            }
            tree.learn(x, y)
            mean += (y - mean) / Double(i + 1)
        }
        #expect(treeError < 0.5 * meanError)
    }

    @Test func sameSeedSamePredictionsAndRestoreContinuesIdentically() throws {
        var config = HoeffdingTreeRegressor.Configuration()
        config.subspaceSize = 3
        config.gracePeriod = 50
        var a = HoeffdingTreeRegressor(featureCount: 6, configuration: config, seed: 11)
        var b = HoeffdingTreeRegressor(featureCount: 6, configuration: config, seed: 11)
        var s = Stream(seed: 3, d: 6)
        func y(_ x: [Double]) -> Double { x[0] * x[1] + (x[2] > 0.6 ? 2 : 0) + x[5] }
        for _ in 0..<3000 {
            let x = s.row()
            #expect(a.predict(x).bitPattern == b.predict(x).bitPattern)
            let w = Double(s.rng.nextPoisson(lambda: 6))
            a.learn(x, y(x), weight: w)
            b.learn(x, y(x), weight: w)
        }
        #expect(a.nodeCount > 3)
        var restored = try HoeffdingTreeRegressor(savedState: a.savedState())
        for _ in 0..<3000 {
            let x = s.row()
            #expect(a.predict(x).bitPattern == restored.predict(x).bitPattern)
            a.learn(x, y(x))
            restored.learn(x, y(x))
        }
        #expect(a.savedState() == restored.savedState())
    }

    @Test func corruptOrTruncatedStateIsAnError() {
        var tree = HoeffdingTreeRegressor(featureCount: 3)
        var s = Stream(seed: 5, d: 3)
        for _ in 0..<1500 {
            let x = s.row()
            tree.learn(x, x[0] > 0.5 ? 1 : 0)
        }
        let bytes = tree.savedState()
        for cut in Swift.stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            #expect(throws: ModelStateError.self) { try HoeffdingTreeRegressor(savedState: Array(bytes[..<cut])) }
        }
        var rng = Xoshiro256(seed: 1)
        for _ in 0..<300 {
            var corrupt = bytes
            corrupt[Int(rng.next() % UInt64(bytes.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            if let t = try? HoeffdingTreeRegressor(savedState: corrupt) { _ = t.predict([0.5, 0.5, 0.5]) }
        }
    }

    @Test func staysWithinItsMemoryBoundOnALongDriftingStream() {
        var config = HoeffdingTreeRegressor.Configuration()
        config.maxBytes = 64 << 10
        config.gracePeriod = 50
        var tree = HoeffdingTreeRegressor(featureCount: 10, configuration: config, seed: 1)
        var s = Stream(seed: 8, d: 10)
        var peakLive = 0
        for i in 0..<40_000 {
            let x = s.row()
            let concept = (i / 10_000) % 2
            let y = concept == 0 ? x[0] * 4 + x[1] : x[2] * x[3] * 8 - x[4]
            tree.learn(x, y + 0.1 * s.rng.nextGaussian())
            if i % 1000 == 0 {
                #expect(tree.estimatedBytes <= tree.memoryBound)
                peakLive = max(peakLive, tree.estimatedBytes)
            }
        }
        #expect(tree.estimatedBytes <= tree.memoryBound)
        #expect(tree.nodeCount > 20)
        #expect(tree.activeLeafCount < tree.leafCount)  // the budget deactivated leaves
    }

    @Test func ignoresNonFiniteExamples() {
        var tree = HoeffdingTreeRegressor(featureCount: 2)
        tree.learn([1, 2], 3)
        let before = tree.savedState()
        tree.learn([.nan, 2], 3)
        tree.learn([1, 2], .infinity)
        tree.learn([1, 2], 3, weight: 0)
        #expect(tree.savedState() == before)
        #expect(tree.predict([0, 0]).isFinite)
    }
}
