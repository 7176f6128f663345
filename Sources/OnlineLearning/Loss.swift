#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A regression loss ℓ(p, y) of a prediction `p` against a target `y`, with its derivative in `p`.
///
/// All four are convex in `p`; `gradient` is a (sub)gradient, 0 at a kink.
public enum Loss: Sendable, Hashable {
    /// ½(p − y)². Predicts the conditional mean.
    case squared
    /// ½r² for |r| ≤ δ, δ(|r| − ½δ) beyond, r = p − y. Quadratic near the target, linear in the tails.
    case huber(delta: Double)
    /// max(0, |p − y| − ε): errors within ε cost nothing.
    case epsilonInsensitive(epsilon: Double)
    /// Pinball loss for quantile τ ∈ (0, 1): τ·(y − p) if y ≥ p, (1 − τ)·(p − y) otherwise.
    case quantile(tau: Double)

    /// Whether the parameter is in range (δ > 0, ε ≥ 0, 0 < τ < 1, all finite).
    public var isValid: Bool {
        switch self {
        case .squared: true
        case .huber(let delta): delta > 0 && delta.isFinite
        case .epsilonInsensitive(let epsilon): epsilon >= 0 && epsilon.isFinite
        case .quantile(let tau): tau > 0 && tau < 1
        }
    }

    /// ℓ(p, y). - Complexity: O(1).
    public func value(prediction p: Double, target y: Double) -> Double {
        switch self {
        case .squared:
            let r = p - y
            return 0.5 * r * r
        case .huber(let delta):
            let a = abs(p - y)
            return a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta)
        case .epsilonInsensitive(let epsilon):
            return max(0, abs(p - y) - epsilon)
        case .quantile(let tau):
            let r = y - p
            return r >= 0 ? tau * r : (tau - 1) * r
        }
    }

    /// ∂ℓ/∂p at (p, y); 0 at a kink. - Complexity: O(1).
    public func gradient(prediction p: Double, target y: Double) -> Double {
        switch self {
        case .squared:
            return p - y
        case .huber(let delta):
            let r = p - y
            return r > delta ? delta : (r < -delta ? -delta : r)
        case .epsilonInsensitive(let epsilon):
            let r = p - y
            return r > epsilon ? 1 : (r < -epsilon ? -1 : 0)
        case .quantile(let tau):
            let r = y - p
            return r > 0 ? -tau : (r < 0 ? 1 - tau : 0)
        }
    }

    /// The change of the prediction after following the gradient flow dp/ds = −ℓ′(p)·k for `s` from 0 to
    /// `importance`, in closed form (the "importance-aware" update of Karampatziakis & Langford).
    ///
    /// `k > 0` is how fast the prediction moves per unit of gradient. The flow never carries the prediction
    /// past the target (squared, Huber, quantile) or into the ε-tube (epsilon-insensitive), whatever `k`
    /// and `importance` are: this is what keeps the normalized update from overshooting.
    func flowStep(prediction p: Double, target y: Double, importance h: Double, rate k: Double) -> Double {
        switch self {
        case .squared:
            return (y - p) * -expm1(-h * k)
        case .huber(let delta):
            let r = p - y
            let a = abs(r)
            if a <= delta { return -r * -expm1(-h * k) }
            let sign: Double = r > 0 ? 1 : -1
            // Linear phase at speed δ·k until |r| = δ, then the quadratic phase for the remaining time.
            let linearTime = (a - delta) / (delta * k)
            if linearTime >= h { return -sign * delta * h * k }
            return -sign * ((a - delta) + delta * -expm1(-(h - linearTime) * k))
        case .epsilonInsensitive(let epsilon):
            let r = y - p
            let a = abs(r)
            if a <= epsilon { return 0 }
            return (r > 0 ? 1 : -1) * min(h * k, a - epsilon)
        case .quantile(let tau):
            let r = y - p
            if r > 0 { return min(h * tau * k, r) }
            if r < 0 { return -min(h * (1 - tau) * k, -r) }
            return 0
        }
    }
}

/// How `SGDRegressor` turns a gradient into a step. Every rule updates only the features present in an
/// example (non-zero values) and the intercept.
public enum UpdateRule: Sendable, Hashable {
    /// w ← w − η·g.
    case constant(learningRate: Double)
    /// w ← w − η/tᵖ·g, t the number of updates so far including this one (scikit-learn's "invscaling").
    case inverseScaling(learningRate: Double, power: Double)
    /// Per-coordinate AdaGrad: G ← G + g², w ← w − η·g/(√G + 1e-8).
    case adaGrad(learningRate: Double)
    /// Adam (Kingma & Ba) with bias correction and ε = 1e-8; the step counter is the model's update count.
    case adam(learningRate: Double, beta1: Double, beta2: Double)
    /// Normalized adaptive update in the spirit of Vowpal Wabbit's default (adaptive + normalized +
    /// importance-invariant, Ross, Mineiro & Langford 2013):
    ///
    /// - each feature keeps sᵢ = max |xᵢ| seen; when a larger value arrives its weight is rescaled by
    ///   sᵢ/|xᵢ| first, so a feature that jumps in scale does not blow up the prediction;
    /// - each feature keeps Gᵢ = Σ h·g²·xᵢ² and gets rate rᵢ = 1/(√Gᵢ·sᵢ);
    /// - a global factor η·√(Σh / Σ h·‖x/s‖²) corrects for how many features are active;
    /// - the step along that direction is the closed-form gradient flow of the loss (`Loss.flowStep`),
    ///   which never moves the prediction past the target. It cannot diverge, whatever the scales.
    case normalizedAdaptive(learningRate: Double)

    /// The default: `.normalizedAdaptive(learningRate: 0.5)` (Vowpal Wabbit's default rate).
    public static let `default` = UpdateRule.normalizedAdaptive(learningRate: 0.5)

    /// The base step size used to scale regularization at update count `t` (≥ 1).
    func baseRate(at t: Double) -> Double {
        switch self {
        case .constant(let eta), .adaGrad(let eta), .adam(let eta, _, _), .normalizedAdaptive(let eta):
            return eta
        case .inverseScaling(let eta, let power):
            return eta / pow(t, power)
        }
    }

    /// Whether the parameters are in range (positive finite rates, 0 ≤ β < 1, power ≥ 0).
    public var isValid: Bool {
        switch self {
        case .constant(let eta), .adaGrad(let eta), .normalizedAdaptive(let eta):
            return eta > 0 && eta.isFinite
        case .inverseScaling(let eta, let power):
            return eta > 0 && eta.isFinite && power >= 0 && power.isFinite
        case .adam(let eta, let beta1, let beta2):
            return eta > 0 && eta.isFinite && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1
        }
    }
}
