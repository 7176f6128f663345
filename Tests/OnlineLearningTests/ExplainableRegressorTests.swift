import OnlineLearning
import SeededRandom
import Testing

@Suite struct ExplainableRegressorTests {
    /// Feature indices by decreasing |contribution|.
    static func ranking(_ model: some ExplainableRegressor, _ x: [Double]) -> [Int] {
        let c = model.contributions(x)
        return c.indices.sorted { abs(c[$0]) > abs(c[$1]) }
    }

    /// y = 3·z₀ − 2·z₁ + 0.5·z₂ + 0·z₃ in standardised terms, with raw features on very different scales
    /// (σ = 1, 100, 0.01, 10; feature 2 sits around 50). Raw coefficients would rank them backwards.
    @Test func standardizedLinearModelRanksFeaturesByStandardisedEffect() {
        var rng = Xoshiro256(seed: 11)
        let scales = [1.0, 100, 0.01, 10], centres = [0.0, 0, 50, 0], effects = [3.0, -2, 0.5, 0]
        var model = StandardizedRegressor(model: SGDRegressor(featureCount: 4))
        for _ in 0..<20_000 {
            let z = (0..<4).map { _ in rng.nextGaussian() }
            let x = (0..<4).map { centres[$0] + scales[$0] * z[$0] }
            let y = 1 + (0..<4).reduce(0.0) { $0 + effects[$1] * z[$1] } + 0.05 * rng.nextGaussian()
            model.learn(x, y)
        }
        // One standard deviation above the mean in every feature: contribution ≈ the standardised effect.
        let x = (0..<4).map { centres[$0] + scales[$0] }
        #expect(Self.ranking(model, x) == [0, 1, 2, 3])
        let c = model.contributions(x)
        for f in 0..<4 { #expect(abs(c[f] - effects[f]) < 0.1, "feature \(f): \(c[f])") }
        // A feature at its running mean contributes (almost) nothing, whatever its raw level.
        #expect(abs(model.contributions(centres)[2]) < 0.05)
    }

    @Test func linearModelContributionsAreCoefficientTimesValue() {
        var rng = Xoshiro256(seed: 5)
        var model = SGDRegressor(featureCount: 3)
        for _ in 0..<20_000 {
            let x = (0..<3).map { _ in rng.nextGaussian() }
            model.learn(x, 0.5 * x[0] + 4 * x[1] - 1.5 * x[2] + 2)
        }
        let x = [1.0, 1, 1]
        #expect(Self.ranking(model, x) == [1, 2, 0])
        let c = model.contributions(x)
        #expect(abs(c.reduce(0, +) + model.intercept - model.predict(x)) < 1e-9)
    }

    @Test func treeContributionsSumToPredictionMinusRootMean() {
        var config = HoeffdingTreeRegressor.Configuration()
        config.leafPrediction = .mean
        config.gracePeriod = 50
        var tree = HoeffdingTreeRegressor(featureCount: 4, configuration: config)
        var s = Stream(seed: 8, d: 4)
        for _ in 0..<6000 {
            let x = s.row()
            tree.learn(x, (x[0] < 0.5 ? 0 : 4) + (x[2] < 0.3 ? -1 : 1) + 0.1 * s.rng.nextGaussian())
        }
        #expect(tree.nodeCount >= 5)
        var explained = 0.0
        for _ in 0..<200 {
            let x = s.row()
            let c = tree.contributions(x)
            #expect(abs(tree.rootMean + c.reduce(0, +) - tree.predict(x)) < 1e-9)
            explained += abs(c[0]) + abs(c[2]) - abs(c[1]) - abs(c[3])
        }
        // The two features that matter carry the contributions.
        #expect(explained > 200)
    }

    @Test func forestContributionsAverageItsTrees() {
        var config = AdaptiveRandomForestRegressor.Configuration()
        config.treeCount = 4
        config.aggregation = .mean
        config.tree.leafPrediction = .mean
        var forest = AdaptiveRandomForestRegressor(featureCount: 4, configuration: config, seed: 2)
        var s = Stream(seed: 9, d: 4)
        for _ in 0..<4000 {
            let x = s.row()
            forest.learn(x, (x[1] < 0.5 ? -2 : 2) + 0.1 * s.rng.nextGaussian())
        }
        for _ in 0..<100 {
            let x = s.row()
            let c = forest.contributions(x)
            #expect(abs(forest.rootMean + c.reduce(0, +) - forest.predict(x)) < 1e-9)
        }
        let c = forest.contributions([0.5, 0.9, 0.5, 0.5])
        #expect(c[1] > 1)
    }
}
