import OnlineLearning
import SeededRandom
import Testing

@Suite struct BaselinesTests {
    let x = [1.0, -2.0]

    @Test func naivePredictsTheLastTargetLearned() {
        var model = NaiveRegressor(featureCount: 2)
        #expect(model.predict(x) == 0)
        model.learn(x, 3.5)
        #expect(model.predict(x) == 3.5)
        model.learn([9, 9], -1.25)
        #expect(model.predict(x) == -1.25)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func naiveSkipsNonFiniteTargets(y: Double) {
        var model = NaiveRegressor(featureCount: 2)
        model.learn(x, 2)
        model.learn(x, y)
        #expect(model.predict(x) == 2)
    }

    @Test func naiveIgnoresZeroWeight() {
        var model = NaiveRegressor(featureCount: 2)
        model.learn(x, 2)
        model.learn(x, 7, weight: 0)
        #expect(model.predict(x) == 2)
    }

    @Test func ewmaByHand() {
        // α = 0.5: 4 → m = 4 (first target initialises); 8 → 4 + 0.5·4 = 6; 2 → 6 + 0.5·(−4) = 4.
        var model = EWMABaselineRegressor(featureCount: 2, alpha: 0.5)
        #expect(model.predict(x) == 0)
        model.learn(x, 4)
        #expect(model.predict(x) == 4)
        model.learn(x, 8)
        #expect(model.predict(x) == 6)
        model.learn(x, 2)
        #expect(model.predict(x) == 4)
    }

    @Test func ewmaDefaultAlpha() {
        // α = 0.05: 10 → 10; 20 → 10 + 0.05·10 = 10.5.
        var model = EWMABaselineRegressor(featureCount: 0)
        #expect(model.alpha == 0.05)
        model.learn([], 10)
        model.learn([], 20)
        #expect(abs(model.predict([]) - 10.5) < 1e-12)
    }

    @Test func ewmaWeightCountsAsRepeats() {
        // Weight 3 with α = 0.5 equals three updates: α_w = 1 − 0.5³ = 0.875; 0 → 0 + 0.875·8 = 7.
        var weighted = EWMABaselineRegressor(featureCount: 1, alpha: 0.5)
        var repeated = weighted
        weighted.learn([0], 0)
        repeated.learn([0], 0)
        weighted.learn([0], 8, weight: 3)
        for _ in 0..<3 { repeated.learn([0], 8) }
        #expect(weighted.predict([0]) == 7)
        #expect(repeated.predict([0]) == 7)
    }

    @Test(arguments: [0.0, -1.0, .nan])
    func ewmaSkipsBadWeights(weight: Double) {
        var model = EWMABaselineRegressor(featureCount: 1, alpha: 0.5)
        model.learn([0], 4)
        model.learn([0], 100, weight: weight)
        model.learn([0], .nan)
        #expect(model.predict([0]) == 4)
    }

    @Test func naiveSaveAndRestoreMidStream() throws {
        var model = NaiveRegressor(featureCount: 3)
        #expect(try NaiveRegressor(savedState: model.savedState()) == model)
        model.learn([1, 2, 3], 0.125)
        var restored = try NaiveRegressor(savedState: model.savedState())
        #expect(restored == model)
        for y in [1.0, 2, 3] {
            model.learn([0, 0, 0], y)
            restored.learn([0, 0, 0], y)
            #expect(restored.predict([0, 0, 0]).bitPattern == model.predict([0, 0, 0]).bitPattern)
        }
    }

    @Test func ewmaSaveAndRestoreMidStream() throws {
        var model = EWMABaselineRegressor(featureCount: 1, alpha: 0.3)
        #expect(try EWMABaselineRegressor(savedState: model.savedState()) == model)
        for y in [0.1, 0.7, 0.3] { model.learn([0], y) }
        var restored = try EWMABaselineRegressor(savedState: model.savedState())
        #expect(restored == model)
        for y in [1.0, 0.2, 5] {
            model.learn([0], y, weight: 2)
            restored.learn([0], y, weight: 2)
            #expect(restored.predict([0]).bitPattern == model.predict([0]).bitPattern)
        }
    }

    @Test func restoreRejectsTruncatedAndForeignStates() {
        var model = EWMABaselineRegressor(featureCount: 1)
        model.learn([0], 1)
        let bytes = model.savedState()
        #expect(throws: ModelStateError.self) { try EWMABaselineRegressor(savedState: Array(bytes.dropLast())) }
        #expect(throws: ModelStateError.self) { try NaiveRegressor(savedState: bytes) }
    }

    /// Neither baseline keeps history: the saved state (everything the model holds) is the same size
    /// after one row as after 100,000, whatever the feature count, and restoring it continues identically.
    @Test(arguments: [1, 1_000])
    func stateDoesNotGrowWithRowsOrFeatures(featureCount: Int) throws {
        var ewma = EWMABaselineRegressor(featureCount: featureCount)
        var naive = NaiveRegressor(featureCount: featureCount)
        let x = [Double](repeating: 1, count: featureCount)
        ewma.learn(x, 1)
        naive.learn(x, 1)
        let first = [ewma.savedState().count, naive.savedState().count]
        var rng = Xoshiro256(seed: 4)
        for _ in 0..<100_000 {
            let y = rng.nextGaussian()
            ewma.learn(x, y)
            naive.learn(x, y)
        }
        #expect([ewma.savedState().count, naive.savedState().count] == first)
        let fresh = [
            EWMABaselineRegressor(featureCount: 1).savedState().count, NaiveRegressor(featureCount: 1).savedState().count,
        ]
        #expect(first == fresh, "the feature count does not change what is stored")
        var ewmaRestored = try EWMABaselineRegressor(savedState: ewma.savedState())
        var naiveRestored = try NaiveRegressor(savedState: naive.savedState())
        for y in [0.5, -2.0, 3.0] {
            ewma.learn(x, y)
            ewmaRestored.learn(x, y)
            naive.learn(x, y)
            naiveRestored.learn(x, y)
            #expect(ewmaRestored.predict(x).bitPattern == ewma.predict(x).bitPattern)
            #expect(naiveRestored.predict(x) == y && naive.predict(x) == y)
        }
    }
}
