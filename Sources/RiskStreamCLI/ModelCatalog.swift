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

    init(
        loss: String? = nil, quantile: Double? = nil, learningRate: Double? = nil, l2: Double? = nil,
        trees: Int? = nil, maxDepth: Int? = nil, gracePeriod: Int? = nil, alpha: Double? = nil
    ) {
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
        // MERGE: build SGDRegressor here (default options for `sgd`; quantile loss, τ = options.quantile
        // ?? 0.5, for `sgd-quantile`), passing loss, learningRate, l2 and seed through.
        throw notInThisBuild(name)
    case "htr":
        // MERGE: build HoeffdingTreeRegressor here (maxDepth, gracePeriod, seed).
        throw notInThisBuild(name)
    case "arf":
        // MERGE: build AdaptiveRandomForestRegressor here (trees, maxDepth, gracePeriod, seed).
        throw notInThisBuild(name)
    default:
        throw ModelCatalogError(
            description: "unknown model '\(name)' (known: \(modelNames.joined(separator: ", ")))")
    }
}

private func notInThisBuild(_ name: String) -> ModelCatalogError {
    ModelCatalogError(description: "model '\(name)' is not available in this build (available: ewma-baseline, naive)")
}
