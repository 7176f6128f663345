import OnlineLearning
import SeededRandom
import Testing

@Suite struct StandardizedRegressorTests {
    /// y = 2·(x0 − 1000) + 0.5·x1 + noise, with x0 centred far from zero: the intercept and w0 fight, and
    /// an un-centred learner converges slowly.
    static func stream(rows: Int, seed: UInt64) -> [(x: [Double], y: Double)] {
        var rng = Xoshiro256(seed: seed)
        return (0..<rows).map { _ in
            let x0 = 1000 + rng.nextGaussian()
            let x1 = 10 * rng.nextGaussian()
            return ([x0, x1], 2 * (x0 - 1000) + 0.5 * x1 + 0.1 * rng.nextGaussian())
        }
    }

    static func progressiveMAE<Model: OnlineRegressor>(_ model: Model, _ rows: [(x: [Double], y: Double)]) -> Double {
        var validation = ProgressiveValidation(model: model, delay: .rows(0))
        for row in rows { _ = validation.process(row.x, row.y) }
        return validation.metrics.mae
    }

    @Test func centringHelpsAFeatureFarFromZero() {
        let rows = Self.stream(rows: 5_000, seed: 1)
        let plain = Self.progressiveMAE(SGDRegressor(featureCount: 2), rows)
        let standardized = Self.progressiveMAE(StandardizedRegressor(model: SGDRegressor(featureCount: 2)), rows)
        #expect(standardized < plain * 0.5, "standardized \(standardized) vs plain \(plain)")
    }

    @Test func predictsWhatTheModelPredictsOnTheTransformedRow() {
        var wrapped = StandardizedRegressor(model: SGDRegressor(featureCount: 2))
        for row in Self.stream(rows: 200, seed: 2) { wrapped.learn(row.x, row.y) }
        let x = [1001.5, -3.0]
        #expect(wrapped.predict(x) == wrapped.model.predict(wrapped.standardizer.transform(x)))
    }

    @Test func saveAndRestoreMidStreamPredictsIdentically() throws {
        let rows = Self.stream(rows: 2_000, seed: 3)
        var original = StandardizedRegressor(model: SGDRegressor(featureCount: 2))
        for row in rows.prefix(1_000) { original.learn(row.x, row.y) }
        var restored = try StandardizedRegressor<SGDRegressor>(savedState: original.savedState())
        for row in rows.dropFirst(1_000) {
            #expect(restored.predict(row.x) == original.predict(row.x))
            original.learn(row.x, row.y)
            restored.learn(row.x, row.y)
        }
        let state = original.savedState()
        for cut in stride(from: 0, to: state.count, by: 7) {
            #expect(throws: ModelStateError.self) { try StandardizedRegressor<SGDRegressor>(savedState: Array(state.prefix(cut))) }
        }
    }

    @Test func nonFiniteRowsAreSkippedWithoutTouchingTheStatistics() {
        var wrapped = StandardizedRegressor(model: SGDRegressor(featureCount: 2))
        wrapped.learn([1, 2], 3)
        let before = wrapped.standardizer.means
        wrapped.learn([.nan, 2], 3)
        wrapped.learn([1, 2], .infinity)
        #expect(wrapped.standardizer.means == before)
        #expect(wrapped.model.skippedCount == 2)
    }
}
