import OnlineLearning

/// Builds one volatility model of the learning stage from its pipeline entry.
///
/// Every model predicts the same normalised target, forward realised volatility over the label horizon
/// divided by the symbol's EWMA volatility when the row was made, so one shared model serves symbols of
/// any volatility level. Linear models see standardised features (their contributions are then in
/// standardised terms, comparable across features).
func makeStageModel(_ model: Pipeline.Learning.Model, featureCount: Int) -> any ExplainableRegressor {
    switch model.kind {
    case .sgd:
        // The defaults `riskstream evaluate` chose on real public series (Scripts/real_streams.sh): features
        // clamped to ±5σ (a feature quiet at first cannot spike the forecast), the target standardised,
        // learning rate 0.25.
        let options = SGDRegressor.Options(loss: .squared, updateRule: .normalizedAdaptive(learningRate: 0.25))
        return StandardizedRegressor(
            model: SGDRegressor(featureCount: featureCount, options: options), clip: 5, scalesTarget: true)
    case .htr:
        return HoeffdingTreeRegressor(featureCount: featureCount, seed: model.seed)
    case .arf:
        var configuration = AdaptiveRandomForestRegressor.Configuration()
        configuration.treeCount = model.trees
        return AdaptiveRandomForestRegressor(featureCount: featureCount, configuration: configuration, seed: model.seed)
    }
}

/// The scoreboard: each model's rolling MAE of forecasts scored before the model learned the row.
struct Scoreboard: Sendable {
    private(set) var metrics: [RollingRegressionMetrics]

    init(models: Int, window: Int) {
        metrics = Array(repeating: RollingRegressionMetrics(window: window), count: models)
    }

    mutating func score(model m: Int, prediction: Double, target: Double) {
        metrics[m].update(target: target, prediction: prediction)
    }

    /// Rolling MAE of model `m`, `nil` before `minimumScored` rows.
    func mae(_ m: Int, minimumScored: Int) -> Double? {
        metrics[m].count >= minimumScored ? metrics[m].mae : nil
    }
}
