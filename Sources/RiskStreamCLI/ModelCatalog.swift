import OnlineLearning

/// Model options from the command line, passed through to `makeModel` unchanged. `nil` means "the
/// model's default"; a model ignores the options that do not apply to it.
struct ModelOptions: Sendable, Hashable {
    /// SGD loss: `squared`, `huber`, `epsilon-insensitive`, `quantile`.
    var loss: String?
    /// τ of the quantile (pinball) loss, in (0, 1).
    var quantile: Double?
    /// SGD base learning rate.
    var learningRate: Double?
    /// SGD L2 penalty.
    var l2: Double?
    /// Number of trees of a forest.
    var trees: Int?
    /// Maximum depth of a tree.
    var maxDepth: Int?
    /// Examples a leaf sees between split attempts.
    var gracePeriod: Int?
    /// Smoothing factor of `ewma-baseline`, in (0, 1].
    var alpha: Double?
    /// Put a running standardizer in front of the SGD model.
    var standardize = false
    /// Clamp standardised features to ±clip (0: no clamp); `nil` for the default, `defaultStandardizedClip`.
    var clip: Double?
    /// Standardise the target too (sgd, sgd-quantile with `standardize`); `nil` for the default.
    var scaleTarget: Bool?
    /// How a forest combines its trees: `median` (default, as River's ARF; the MAE-optimal summary) or `mean`.
    var aggregation: String?

    init(
        loss: String? = nil, quantile: Double? = nil, learningRate: Double? = nil, l2: Double? = nil,
        trees: Int? = nil, maxDepth: Int? = nil, gracePeriod: Int? = nil, alpha: Double? = nil,
        standardize: Bool = false, aggregation: String? = nil, clip: Double? = nil,
        scaleTarget: Bool? = nil
    ) {
        self.clip = clip
        self.scaleTarget = scaleTarget
        self.standardize = standardize
        self.aggregation = aggregation
        self.loss = loss
        self.quantile = quantile
        self.learningRate = learningRate
        self.l2 = l2
        self.trees = trees
        self.maxDepth = maxDepth
        self.gracePeriod = gracePeriod
        self.alpha = alpha
    }
}

/// Why `makeModel` could not build a model: an unknown name, a model not in this build, or a bad option.
struct ModelCatalogError: Error, CustomStringConvertible {
    var description: String
}

/// The clamp on standardised features of `sgd` and `sgd-quantile`, in σ: see `StandardizedRegressor`.
/// Chosen with `Scripts/real_streams.sh` on real public series (NASDAQ, WTI, Brent, EURUSD hourly, GOOGL,
/// bokeh's four stocks) and synth seeds 7, 11, 23: without it the hourly EURUSD stream's RMSE was 8× the
/// clamped one's (42× without target scaling: a feature nearly constant at first); 3, 5 and 10 were
/// within a few % of each other but for the shortest series.
let defaultStandardizedClip = 5.0
/// Whether `sgd` and `sgd-quantile` standardise the target as well as the features. On the real daily
/// series (targets of 50–300 bps) the raw target left the MAE 2–3× the scaled one's: the intercept
/// crawls towards the target at AdaGrad's pace.
let defaultScalesTarget = true

/// The model names `riskstream evaluate --model` accepts, in the order help lists them.
let modelNames = ["sgd", "sgd-quantile", "htr", "arf", "ewma-baseline", "naive"]

/// The one place a model name and options become a model. Every command that builds a model goes
/// through here, so a new model is wired in once.
///
/// - Throws: `ModelCatalogError` for an unknown name, a model not available in this build, or an
///   option out of range.
func makeModel(name: String, options: ModelOptions, featureCount: Int, seed: UInt64) throws(ModelCatalogError)
    -> any OnlineRegressor
{
    switch name {
    case "naive":
        return NaiveRegressor(featureCount: featureCount)
    case "ewma-baseline":
        let alpha = options.alpha ?? 0.05
        guard alpha > 0 && alpha <= 1 else { throw ModelCatalogError(description: "--alpha must be in (0, 1]") }
        return EWMABaselineRegressor(featureCount: featureCount, alpha: alpha)
    case "sgd", "sgd-quantile":
        let loss: Loss
        switch options.loss ?? (name == "sgd-quantile" ? "quantile" : "squared") {
        case "squared": loss = .squared
        case "huber": loss = .huber(delta: 1)
        case "epsilon-insensitive": loss = .epsilonInsensitive(epsilon: 0.1)
        case "quantile":
            let tau = options.quantile ?? 0.5
            guard tau > 0 && tau < 1 else { throw ModelCatalogError(description: "--quantile must be in (0, 1)") }
            loss = .quantile(tau: tau)
        case let other:
            throw ModelCatalogError(
                description: "unknown --loss '\(other)' (known: squared, huber, epsilon-insensitive, quantile)")
        }
        // 0.5 is Vowpal Wabbit's default rate on raw features. On standardised features and target,
        // 0.25 beat 0.5 and 1.0 on every real series and synth stream of Scripts/real_streams.sh; 0.125
        // was better still on the shortest real series and worse on synth.
        let rate = options.learningRate ?? (options.standardize ? 0.25 : 0.5)
        guard rate > 0 && rate.isFinite else { throw ModelCatalogError(description: "--learning-rate must be > 0") }
        let l2 = options.l2 ?? 0
        guard l2 >= 0 && l2.isFinite else { throw ModelCatalogError(description: "--l2 must be >= 0") }
        let sgd = SGDRegressor.Options(loss: loss, updateRule: .normalizedAdaptive(learningRate: rate), l2: l2)
        guard sgd.isValid else { throw ModelCatalogError(description: "invalid SGD options") }
        let model = SGDRegressor(featureCount: featureCount, options: sgd)
        guard !options.standardize else {
            let clip = options.clip ?? defaultStandardizedClip
            guard clip >= 0 && !clip.isNaN else { throw ModelCatalogError(description: "--clip must be >= 0") }
            let scalesTarget = options.scaleTarget ?? defaultScalesTarget
            return StandardizedRegressor(model: model, clip: clip == 0 ? .infinity : clip, scalesTarget: scalesTarget)
        }
        return model
    case "htr":
        return HoeffdingTreeRegressor(
            featureCount: featureCount, configuration: try treeConfiguration(options), seed: seed)
    case "arf":
        var forest = AdaptiveRandomForestRegressor.Configuration()
        switch options.aggregation ?? "median" {
        case "median": forest.aggregation = .median
        case "mean": forest.aggregation = .mean
        case let other: throw ModelCatalogError(description: "unknown --aggregation '\(other)' (known: median, mean)")
        }
        if let trees = options.trees {
            guard (1...1000).contains(trees) else { throw ModelCatalogError(description: "--trees must be 1...1000") }
            forest.treeCount = trees
        }
        var tree = try treeConfiguration(options)
        if options.gracePeriod == nil { tree.gracePeriod = forest.tree.gracePeriod }
        tree.maxBytes = forest.tree.maxBytes
        tree.delta = forest.tree.delta
        tree.errorFading = forest.tree.errorFading
        tree.selectorError = forest.tree.selectorError
        tree.learningRate = forest.tree.learningRate
        forest.tree = tree
        return AdaptiveRandomForestRegressor(featureCount: featureCount, configuration: forest, seed: seed)
    default:
        throw ModelCatalogError(
            description: "unknown model '\(name)' (known: \(modelNames.joined(separator: ", ")))")
    }
}

/// A Hoeffding tree configuration with `--max-depth` and `--grace-period` applied.
private func treeConfiguration(_ options: ModelOptions) throws(ModelCatalogError)
    -> HoeffdingTreeRegressor.Configuration
{
    var tree = HoeffdingTreeRegressor.Configuration()
    if let depth = options.maxDepth {
        guard (1...64).contains(depth) else { throw ModelCatalogError(description: "--max-depth must be 1...64") }
        tree.maxDepth = depth
    }
    if let grace = options.gracePeriod {
        guard grace >= 1 else { throw ModelCatalogError(description: "--grace-period must be >= 1") }
        tree.gracePeriod = Double(grace)
    }
    return tree
}
