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
            #expect(throws: ModelStateError.self) {
                try StandardizedRegressor<SGDRegressor>(savedState: Array(state.prefix(cut)))
            }
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

    /// A feature that is constant to 1e-9 for 300 rows, then moves by units: unclamped, its first move
    /// is about 10⁹ σ and the forecast explodes; clamped to ±5σ the forecast stays within the target's range.
    @Test func clampBoundsTheFirstMoveOfAFeatureThatWasNearlyConstant() {
        var rng = Xoshiro256(seed: 4)
        var clamped = StandardizedRegressor(model: SGDRegressor(featureCount: 2), clip: 5, scalesTarget: true)
        var unclamped = StandardizedRegressor(model: SGDRegressor(featureCount: 2))
        for i in 0..<300 {
            let x = [1 + 1e-9 * Double(i % 3), rng.nextGaussian()]
            let y = 2 + x[1]
            clamped.learn(x, y)
            unclamped.learn(x, y)
        }
        let moved = [4.0, 0.5]
        #expect(abs(clamped.predict(moved)) < 20, "\(clamped.predict(moved))")
        #expect(abs(unclamped.predict(moved)) > 1_000, "\(unclamped.predict(moved))")
        // Past 5 σ a larger move changes nothing: the prediction and the explanation see 5 σ.
        #expect(clamped.predict(moved) == clamped.predict([400, 0.5]))
        #expect(clamped.contributions(moved) == clamped.contributions([400, 0.5]))
    }

    /// A target around 1000 with a spread of 100: on the standardised target the model reaches it in a
    /// few hundred rows; on the raw target the intercept crawls at AdaGrad's pace.
    @Test func targetScalingLearnsALargeTargetQuickly() {
        var rng = Xoshiro256(seed: 5)
        var rows: [(x: [Double], y: Double)] = []
        for _ in 0..<2_000 {
            let x = rng.nextGaussian()
            rows.append(([x], 1_000 + 100 * x + 10 * rng.nextGaussian()))
        }
        let scaled = Self.progressiveMAE(
            StandardizedRegressor(model: SGDRegressor(featureCount: 1), scalesTarget: true), rows)
        let raw = Self.progressiveMAE(StandardizedRegressor(model: SGDRegressor(featureCount: 1)), rows)
        #expect(scaled < 30, "\(scaled)")
        #expect(raw > 3 * scaled, "raw \(raw), scaled \(scaled)")
    }

    @Test func clipAndTargetStatisticsSurviveACheckpoint() throws {
        let rows = Self.stream(rows: 1_000, seed: 6)
        var original = StandardizedRegressor(model: SGDRegressor(featureCount: 2), clip: 3, scalesTarget: true)
        for row in rows.prefix(500) { original.learn(row.x, row.y) }
        let restored = try StandardizedRegressor<SGDRegressor>(savedState: original.savedState())
        #expect(restored.clip == 3 && restored.scalesTarget)
        for row in rows.dropFirst(500) { #expect(restored.predict(row.x) == original.predict(row.x)) }
        #expect(restored.contributions([1010, 0]) == original.contributions([1010, 0]))
    }
}
