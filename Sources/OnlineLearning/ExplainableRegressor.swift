/// A regressor that can say how much each feature moved one prediction: the risk stage shows these next
/// to a forecast ("volatility is up mostly because of the last three returns").
///
/// Contract: `contributions(x)` has one value per feature, in the model's own units of the target, and
/// never changes the model. What they add up to is the model's:
/// - linear models (`SGDRegressor`): wᵢ·xᵢ, summing to the prediction minus the intercept;
/// - `StandardizedRegressor`: the inner model's contributions on the standardised row, wᵢ·zᵢ with
///   zᵢ = (xᵢ − μᵢ)/σᵢ (clamped as the model sees it), so a feature at its running mean contributes 0
///   whatever its raw scale; times σ_y when the target is scaled, so they are in target units;
/// - `HoeffdingTreeRegressor`: the split-based path contributions, summing to the reached leaf's mean minus
///   the root mean (= the prediction minus `rootMean` whenever the leaf answers with its mean);
/// - `AdaptiveRandomForestRegressor`: the mean of its trees' path contributions.
public protocol ExplainableRegressor: OnlineRegressor {
    /// One contribution per feature to the prediction for `x`. - Precondition: `x.count == featureCount`.
    func contributions(_ x: [Double]) -> [Double]
}

extension SGDRegressor: ExplainableRegressor {}

extension StandardizedRegressor: ExplainableRegressor where Model: ExplainableRegressor {
    /// The inner model's contributions on the standardised row. - Complexity: O(featureCount) plus the
    /// inner model's cost; allocates the standardised row and the result.
    public func contributions(_ x: [Double]) -> [Double] {
        precondition(x.count == featureCount, "feature vector width")
        let (row, scale) = modelRow(x)
        let inner = model.contributions(row)
        return scale == 1 ? inner : inner.map { $0 * scale }
    }
}

extension HoeffdingTreeRegressor: ExplainableRegressor {
    /// `pathContributions(x)`. - Complexity: O(depth + featureCount); allocates the result.
    public func contributions(_ x: [Double]) -> [Double] { pathContributions(x) }
}

extension AdaptiveRandomForestRegressor: ExplainableRegressor {
    /// The mean of the active trees' root means: the base value of `contributions`. With mean aggregation
    /// and leaves that answer with their mean, `rootMean + Σ contributions(x) == predict(x)`.
    public var rootMean: Double { members.reduce(0) { $0 + $1.tree.rootMean } / Double(members.count) }

    /// The mean over the forest's active (foreground) trees of their path contributions.
    /// - Complexity: O(treeCount × (depth + featureCount)); allocates one array per tree.
    public func contributions(_ x: [Double]) -> [Double] {
        precondition(x.count == featureCount, "feature vector width")
        var out = Array(repeating: 0.0, count: featureCount)
        for m in members {
            for (f, v) in m.tree.pathContributions(x).enumerated() { out[f] += v / Double(members.count) }
        }
        return out
    }
}
