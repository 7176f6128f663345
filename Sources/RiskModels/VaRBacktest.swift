internal import Glibc

/// A likelihood-ratio test: the statistic and its asymptotic chi-square p-value.
public struct LikelihoodRatioTest: Sendable, Hashable {
    /// −2·log of the likelihood ratio; ≥ 0, never NaN.
    public var statistic: Double
    /// P(χ²_k > statistic), k the test's degrees of freedom; in [0, 1].
    public var pValue: Double

    public init(statistic: Double, pValue: Double) {
        self.statistic = statistic
        self.pValue = pValue
    }
}

/// Transition counts of the breach indicator I_t (1 = breach) between consecutive observations:
/// `n01` counts a quiet observation followed by a breach, and so on.
public struct BreachTransitions: Sendable, Hashable {
    public var n00 = 0
    public var n01 = 0
    public var n10 = 0
    public var n11 = 0

    public init(n00: Int = 0, n01: Int = 0, n10: Int = 0, n11: Int = 0) {
        self.n00 = n00
        self.n01 = n01
        self.n10 = n10
        self.n11 = n11
    }

    /// Counts the transitions of a whole sequence (for tests and offline use). - Complexity: O(n).
    public init<S: Sequence>(_ breaches: S) where S.Element == Bool {
        var previous: Bool?
        for b in breaches {
            if let p = previous { add(from: p, to: b) }
            previous = b
        }
    }

    public mutating func add(from previous: Bool, to current: Bool) {
        switch (previous, current) {
        case (false, false): n00 += 1
        case (false, true): n01 += 1
        case (true, false): n10 += 1
        case (true, true): n11 += 1
        }
    }

    public var total: Int { n00 + n01 + n10 + n11 }
}

/// The Basel Committee's traffic-light zones for a VaR model's breaches over its backtest window.
public enum BaselZone: String, Sendable, Hashable, CaseIterable {
    case green, yellow, red

    /// The zone of `breaches` among `observations` at confidence c, from the binomial distribution of
    /// breaches of a correct model, B(observations, 1 − c): green while P(X ≤ breaches) < 95%, red once
    /// it is ≥ 99.99%, yellow between. For 250 observations at 99% this is Basel's table: green 0–4,
    /// yellow 5–9, red 10 or more. No observations is green.
    /// - Complexity: O(√observations).
    public static func zone(breaches: Int, observations: Int, confidence c: Double) -> BaselZone {
        precondition(c > 0 && c < 1, "confidence must be in (0, 1)")
        precondition(breaches >= 0 && breaches <= observations, "0 <= breaches <= observations")
        let cumulative = Binomial.cdf(breaches, trials: observations, probability: 1 - c)
        if cumulative < 0.95 || observations == 0 { return .green }
        return cumulative < 0.9999 ? .yellow : .red
    }
}

/// x·log(y) with 0·log(0) = 0, so likelihoods of empty cells contribute nothing.
func xlogy(_ x: Double, _ y: Double) -> Double {
    x == 0 ? 0 : x * log(y)
}

/// An online VaR backtest: feed it each scored observation's breach indicator in time order; it keeps
/// the counts for Kupiec's and Christoffersen's tests and the last `baselWindow` indicators for the
/// traffic light.
///
/// - Complexity: `record` O(1), no allocation; memory O(baselWindow). The tests are O(1) (the traffic
///   light O(√baselWindow)).
public struct VaRBacktest: Sendable {
    public let confidence: Double
    /// Observations the traffic light looks back over (Basel: 250).
    public let baselWindow: Int
    public private(set) var observations = 0
    public private(set) var breaches = 0
    public private(set) var transitions = BreachTransitions()
    private var recent: RingWindow<Bool>
    /// Breaches among `recent`.
    public private(set) var recentBreaches = 0

    /// - Precondition: `0 < confidence < 1`, `baselWindow >= 1`.
    public init(confidence: Double, baselWindow: Int = 250) {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        self.confidence = confidence
        self.baselWindow = baselWindow
        recent = RingWindow(capacity: baselWindow)
    }

    /// Records one scored observation: whether its realised return breached the forecast VaR.
    public mutating func record(breach: Bool) {
        if let previous = recent.last { transitions.add(from: previous, to: breach) }
        observations += 1
        if breach { breaches += 1 }
        if recent.append(breach) == true { recentBreaches -= 1 }
        if breach { recentBreaches += 1 }
    }

    /// Breaches a correct model would have on average: (1 − c)·observations.
    public var expectedBreaches: Double { (1 - confidence) * Double(observations) }

    /// Breaches per observation; 0 before any observation.
    public var breachRate: Double { observations > 0 ? Double(breaches) / Double(observations) : 0 }

    /// Observations in the traffic-light window: min(observations, baselWindow).
    public var recentObservations: Int { recent.count }

    /// Kupiec's proportion-of-failures test of the breach rate against 1 − c.
    public var kupiec: LikelihoodRatioTest {
        Self.kupiec(observations: observations, breaches: breaches, confidence: confidence)
    }

    /// Christoffersen's test of independence of consecutive breaches.
    public var christoffersen: LikelihoodRatioTest { Self.christoffersen(transitions) }

    /// Christoffersen's conditional coverage: LR_cc = LR_pof + LR_ind against χ²₂.
    public var conditionalCoverage: LikelihoodRatioTest {
        let statistic = kupiec.statistic + christoffersen.statistic
        return LikelihoodRatioTest(statistic: statistic, pValue: ChiSquared.survivalTwoDegrees(statistic))
    }

    /// The traffic-light zone of the last `recentObservations` observations.
    public var baselZone: BaselZone {
        BaselZone.zone(breaches: recentBreaches, observations: recent.count, confidence: confidence)
    }

    /// Kupiec (1995): with n observations, x breaches, p = 1 − c and p̂ = x/n,
    ///
    ///     LR_pof = −2·[(n − x)·log(1 − p) + x·log p − (n − x)·log(1 − p̂) − x·log p̂]
    ///
    /// with 0·log 0 = 0 (so no breaches and all breaches are finite), against χ²₁. n = 0 gives LR 0, p 1.
    public static func kupiec(observations n: Int, breaches x: Int, confidence c: Double) -> LikelihoodRatioTest {
        precondition(x >= 0 && x <= n, "0 <= breaches <= observations")
        guard n > 0 else { return LikelihoodRatioTest(statistic: 0, pValue: 1) }
        let p = 1 - c
        let rate = Double(x) / Double(n)
        let quiet = Double(n - x)
        let breaches = Double(x)
        let null = xlogy(quiet, 1 - p) + xlogy(breaches, p)
        let fitted = xlogy(quiet, 1 - rate) + xlogy(breaches, rate)
        return test(-2 * (null - fitted), survival: ChiSquared.survivalOneDegree)
    }

    /// Christoffersen (1998): with π₀₁ = n01/(n00 + n01), π₁₁ = n11/(n10 + n11) and
    /// π = (n01 + n11)/total,
    ///
    ///     LR_ind = −2·[(n00 + n10)·log(1 − π) + (n01 + n11)·log π
    ///                  − n00·log(1 − π₀₁) − n01·log π₀₁ − n10·log(1 − π₁₁) − n11·log π₁₁]
    ///
    /// with 0·log 0 = 0, against χ²₁. An empty row (no quiet day, or no breach, to leave from) contributes
    /// nothing, so no transitions, no breaches and all breaches give LR 0, p 1.
    public static func christoffersen(_ t: BreachTransitions) -> LikelihoodRatioTest {
        let (n00, n01, n10, n11) = (Double(t.n00), Double(t.n01), Double(t.n10), Double(t.n11))
        let total = n00 + n01 + n10 + n11
        guard total > 0 else { return LikelihoodRatioTest(statistic: 0, pValue: 1) }
        let pi = (n01 + n11) / total
        let pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0
        let pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0
        let null = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
        let fitted = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11)
        return test(-2 * (null - fitted), survival: ChiSquared.survivalOneDegree)
    }

    /// Clamps rounding noise (a statistic a few ulps below 0) and attaches the p-value.
    private static func test(_ statistic: Double, survival: (Double) -> Double) -> LikelihoodRatioTest {
        let s = max(statistic, 0)
        return LikelihoodRatioTest(statistic: s, pValue: survival(s))
    }
}
