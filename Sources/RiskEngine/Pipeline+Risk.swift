public import RiskModels

// The learning and risk sections of a pipeline (issue 5): features, delayed labels, models, risk
// measures, alert limits, accounts and hedging. Parsed by `Pipeline.load(yaml:source:)`.

extension Pipeline {
    /// Alert thresholds with hysteresis and cooldown, shared by every rule-driven alert kind.
    public struct Limit: Sendable, Hashable {
        public var warning: Double
        public var critical: Double
        /// An alert clears when the value falls below threshold × (1 − hysteresis).
        public var hysteresis = 0.2
        /// Minimum event time between two messages of this kind for one symbol (or account).
        public var cooldownMilliseconds: Int64 = 1_000
        /// Least event time a raised level is held before it is lowered (de-escalated or cleared).
        public var minimumDwellMilliseconds: Int64 = 30_000

        public init(
            warning: Double, critical: Double, hysteresis: Double = 0.2, cooldownMilliseconds: Int64 = 1_000,
            minimumDwellMilliseconds: Int64 = 30_000
        ) {
            self.warning = warning
            self.critical = critical
            self.hysteresis = hysteresis
            self.cooldownMilliseconds = cooldownMilliseconds
            self.minimumDwellMilliseconds = minimumDwellMilliseconds
        }

        /// The alert rule these limits describe (times in nanoseconds).
        public var rule: ThresholdRule {
            ThresholdRule(
                warning: warning, critical: critical, hysteresis: hysteresis, cooldown: cooldownMilliseconds * 1_000_000,
                minimumDwell: minimumDwellMilliseconds * 1_000_000)
        }
    }

    /// The online-learning stage: features per symbol, forward labels, and the models that learn them.
    public struct Learning: Sendable, Hashable {
        /// Whether the stage runs at all (off: the engine is the issue-3 engine, EWMA only).
        public var enabled = true
        /// Feature names (see `FeatureSpec`), in vector order.
        public var features: [String] = FeatureSpec.defaultSet.map(\.name)
        /// The reference (index) symbol: its returns feed `index_return`, and it is the default hedge
        /// instrument. `nil`: no reference.
        public var referenceSymbol: String?
        /// Label horizon: forward realised volatility over the next `horizonEvents` accepted ticks, or
        /// over the next `horizonSeconds` of event time when that is set.
        public var horizonEvents = 50
        public var horizonSeconds: Double?
        /// One accepted tick in this many becomes a learning row (and is scored); every tick is still
        /// forecast. Consecutive rows share most of their label's horizon, so a forest on a busy feed
        /// can learn from every k-th row at 1/k of the cost (the rolling MAE in snapshots shows the price).
        public var rowEvery = 1
        /// Pending rows per symbol awaiting their label; when full the oldest is dropped and counted.
        public var pendingCapacity = 512
        /// Which forecast drives alerts: the model with the lowest rolling MAE, or an inverse-MAE ensemble.
        public var drive: Drive = .best
        /// Window of the rolling MAE scoreboard, in scored rows.
        public var scoreWindow = 500
        /// The volatility models (the EWMA estimate is always scored beside them as `ewma`). Each predicts the symbol's forward volatility relative to its EWMA
        /// volatility (so one shared model serves every symbol on normalised features).
        public var models: [Model] = [
            Model(name: "sgd", kind: .sgd), Model(name: "arf", kind: .arf),
        ]

        public enum Drive: String, Sendable, Hashable, CaseIterable {
            case best, ensemble
        }

        public struct Model: Sendable, Hashable {
            public var name: String
            public var kind: Kind
            /// One model for all symbols, or one per symbol.
            public var scope: Scope = .shared
            public var seed: UInt64 = 1
            /// Trees, for `arf`.
            public var trees = 10

            public init(name: String, kind: Kind, scope: Scope = .shared, seed: UInt64 = 1, trees: Int = 10) {
                self.name = name
                self.kind = kind
                self.scope = scope
                self.seed = seed
                self.trees = trees
            }

            public enum Kind: String, Sendable, Hashable, CaseIterable {
                case sgd, htr, arf
            }

            public enum Scope: String, Sendable, Hashable, CaseIterable {
                case shared
                case perSymbol = "per_symbol"
            }
        }
    }

    /// Risk measures and their alerts.
    public struct Risk: Sendable, Hashable {
        /// VaR/ES confidence level of snapshots and `var_breach`.
        public var confidence = 0.99
        /// VaR horizons in seconds of event time: one minute, one hour, one 6.5-hour trading day.
        public var horizonsSeconds: [Double] = [60, 3_600, 23_400]
        /// The variance per second behind every horizon (`IntradayVariance`; `risk.variance` in YAML).
        public var variance = IntradayVariance.Configuration()
        /// The shape of returns over a horizon: `ewma` normal, `t` a unit-variance Student-t.
        public var varMethod: VaRMethod = .t
        /// Degrees of freedom of the Student-t method.
        public var studentDegreesOfFreedom = 5.0
        /// Which volatility the `volatility` alert follows: the EWMA estimate or the learned forecast.
        public var volatilitySource: VolatilitySource = .ewma
        /// `var_breach` follows the traffic light of the last `varBreachWindow` one-step VaR breaches
        /// (raised in the yellow zone, critical in the red, cleared back in the green) ...
        public var varBreachWindow = 250
        /// ... and is raised at once, critical, for a loss inside a window of this many times its VaR,
        public var varBreachExtreme = 3.0
        /// at most once per this much event time per symbol.
        public var varBreachCooldownMilliseconds: Int64 = 5_000
        /// Drawdown of the reference price from its high-water mark (fraction).
        public var drawdown = Limit(warning: 0.05, critical: 0.10)
        /// Spread against its own EWMA (ratio; 1 = normal).
        public var liquidity = Limit(warning: 2.5, critical: 4.0)
        /// EWMA decay per tick of the spread baseline.
        public var liquidityLambda = 0.995
        /// News shock: negative decayed sentiment × news intensity.
        public var newsShock = Limit(warning: 0.5, critical: 1.5, hysteresis: 0.5, cooldownMilliseconds: 2_000)
        /// A sentiment lexicon file replacing the built-in one (`riskstream lexicon` prints the built-in
        /// one in the file format); read by the command line when the engine starts.
        public var newsLexicon: String?
        /// Half-life of the news sentiment and intensity decays, seconds of event time.
        public var newsHalfLifeSeconds = 30.0
        /// ADWIN δ on the driving model's absolute residuals; a detected change raises `model_drift`.
        public var driftDelta = 0.002
        public var driftCooldownMilliseconds: Int64 = 10_000
        /// `model_drift` needs the mean error to rise by this factor (large) ...
        public var driftMinimumRatio = 1.5
        /// ... and to stay there for this many scored rows and this much event time after ADWIN found it
        /// (lasting: at hundreds of ticks a second, rows alone pass in a moment).
        public var driftConfirmRows = 200
        public var driftConfirmMilliseconds: Int64 = 60_000
        /// Per-symbol overrides of the volatility and drawdown limits (a symbol's own risk appetite).
        public var symbols: [String: SymbolLimits] = [:]
        /// When most symbols raise the same kind at once, one market-wide alert replaces theirs.
        public var market = MarketWide()

        /// Market-wide alerts: once `minimumSymbols` symbols, and at least `fraction` of the symbols
        /// seen, have raised one kind within `windowMilliseconds` of event time, one alert on
        /// `alert.MARKET` names them, and further raises of that kind are folded into it until it clears.
        public struct MarketWide: Sendable, Hashable {
            public var minimumSymbols = 3
            public var fraction = 0.5
            public var windowMilliseconds: Int64 = 10_000

            public init(minimumSymbols: Int = 3, fraction: Double = 0.5, windowMilliseconds: Int64 = 10_000) {
                self.minimumSymbols = minimumSymbols
                self.fraction = fraction
                self.windowMilliseconds = windowMilliseconds
            }
        }

        public struct SymbolLimits: Sendable, Hashable {
            /// Annualised volatility thresholds replacing `volatility.warning`/`critical`.
            public var volatility: Limit?
            public var drawdown: Limit?
            public init(volatility: Limit? = nil, drawdown: Limit? = nil) {
                self.volatility = volatility
                self.drawdown = drawdown
            }
        }

        public enum VolatilitySource: String, Sendable, Hashable, CaseIterable {
            case ewma, forecast
        }
    }

    /// One risk-appetite profile. Limits are on a position's VaR in currency over
    /// `hedging.var_horizon_days` and on its volatility-scaled notional (|notional| × annualised
    /// volatility); `nil` means no limit.
    public struct AccountLimits: Sendable, Hashable {
        public var varLimit: Double?
        public var volatilityNotionalLimit: Double?
        /// The same limits on the account's beta-weighted portfolio exposure to each hedge instrument.
        public var portfolioVaRLimit: Double?

        public init(varLimit: Double? = nil, volatilityNotionalLimit: Double? = nil, portfolioVaRLimit: Double? = nil) {
            self.varLimit = varLimit
            self.volatilityNotionalLimit = volatilityNotionalLimit
            self.portfolioVaRLimit = portfolioVaRLimit
        }
    }

    /// Positions and hedge signals.
    public struct Hedging: Sendable, Hashable {
        /// The limits of accounts not named in `accounts`.
        public var defaultLimits = AccountLimits()
        /// Per-account risk appetite.
        public var accounts: [String: AccountLimits] = [:]
        /// Hedge instrument per symbol; symbols not listed hedge with `learning.reference_symbol`.
        public var instruments: [String: String] = [:]
        /// Holding period of the position VaR that `var` limits apply to, in trading days.
        public var varHorizonDays = 1.0
        /// The beta learns from log returns over intervals of this much event time.
        public var betaIntervalMilliseconds: Int64 = 1_000
        /// Forgetting factor of the recursive-least-squares beta.
        public var betaLambda = 0.995
        /// Below this R², the beta is not trusted and no hedge signal is sent.
        public var minimumRSquared = 0.1
        /// A new signal for the same account and symbol needs the hedge quantity to change by this
        /// fraction (or the reason to change).
        public var materialChange = 0.25
        /// Most distinct accounts whose positions are kept; positions of further accounts are rejected
        /// and counted (`rejected_accounts`). Each account holds at most one position per tracked symbol.
        public var maxAccounts = 10_000
    }
}

extension Pipeline {
    /// What makes a pipeline unusable beyond what its types say, or `nil`. `Pipeline.load` rejects these
    /// with the file's line; this is the same check for pipelines built in code (`Engine.init` calls it).
    public var problem: String? {
        func bad(_ limit: Limit, _ path: String) -> String? {
            guard limit.warning > 0, limit.critical > limit.warning else {
                return "\(path): needs 0 < warning < critical"
            }
            guard limit.hysteresis >= 0, limit.hysteresis < 1 else { return "\(path).hysteresis: must be in [0, 1)" }
            return limit.cooldownMilliseconds >= 0 ? nil : "\(path).cooldown_ms: must be >= 0"
        }
        if volatility.critical <= volatility.warning { return "volatility.critical: must be greater than warning" }
        if !symbols.universe.isEmpty, symbols.universe.count > symbols.max {
            return "symbols.universe: lists \(symbols.universe.count) symbols, more than symbols.max (\(symbols.max))"
        }
        if learning.enabled {
            if learning.models.isEmpty { return "learning.models: needs at least one model" }
            if Set(learning.models.map(\.name)).count != learning.models.count {
                return "learning.models: model names must differ"
            }
            if let model = learning.models.first(where: { !(1...100).contains($0.trees) }) {
                return "learning.models: \(model.name): trees must be 1...100"
            }
            if learning.horizonEvents < 1 { return "learning.horizon_events: must be >= 1" }
            if let s = learning.horizonSeconds, !(s > 0 && s.isFinite) { return "learning.horizon_seconds: must be > 0" }
            if learning.pendingCapacity < 1 { return "learning.pending_capacity: must be >= 1" }
            if learning.rowEvery < 1 { return "learning.row_every: must be >= 1" }
            if learning.scoreWindow < 1 { return "learning.score_window: must be >= 1" }
        }
        if !(risk.confidence >= 0.5 && risk.confidence < 1) { return "risk.confidence: must be in [0.5, 1)" }
        if !(risk.studentDegreesOfFreedom > 2) { return "risk.student_dof: must be > 2" }
        if risk.varBreachWindow < 10 { return "risk.var_breach_window: must be >= 10" }
        if risk.horizonsSeconds.isEmpty || risk.horizonsSeconds.contains(where: { !($0 > 0 && $0.isFinite) }) {
            return "risk.horizons_s: needs at least one horizon, each > 0 seconds"
        }
        if risk.varMethod != .ewma && risk.varMethod != .t {
            return "risk.var_method: the engine's horizon VaR takes ewma (normal) or t (Student-t)"
        }
        if let problem = risk.variance.problem { return "risk.variance: \(problem)" }
        if risk.market.minimumSymbols < 2 { return "risk.market.min_symbols: must be >= 2" }
        if !(risk.market.fraction > 0 && risk.market.fraction <= 1) { return "risk.market.fraction: must be in (0, 1]" }
        if !(risk.varBreachExtreme >= 1) { return "risk.var_breach_extreme: must be >= 1" }
        if !(risk.liquidityLambda > 0 && risk.liquidityLambda < 1) { return "risk.liquidity_lambda: must be in (0, 1)" }
        if !(risk.newsHalfLifeSeconds > 0) { return "risk.news_half_life_s: must be > 0" }
        if !(risk.driftDelta > 0 && risk.driftDelta < 1) { return "risk.drift_delta: must be in (0, 1)" }
        if !(risk.driftMinimumRatio > 1) { return "risk.drift_min_ratio: must be > 1" }
        if risk.driftConfirmRows < 0 { return "risk.drift_confirm_rows: must be >= 0" }
        if risk.driftConfirmMilliseconds < 0 { return "risk.drift_confirm_ms: must be >= 0" }
        for (path, limit) in [("risk.drawdown", risk.drawdown), ("risk.liquidity", risk.liquidity),
                              ("risk.news_shock", risk.newsShock)] {
            if let problem = bad(limit, path) { return problem }
        }
        for (symbol, limits) in risk.symbols.sorted(by: { $0.key < $1.key }) {
            if let v = limits.volatility, let problem = bad(v, "risk.symbols.\(symbol).volatility") { return problem }
            if let d = limits.drawdown, let problem = bad(d, "risk.symbols.\(symbol).drawdown") { return problem }
        }
        if !(hedging.betaLambda > 0 && hedging.betaLambda <= 1) { return "hedging.beta_lambda: must be in (0, 1]" }
        if hedging.betaIntervalMilliseconds < 1 { return "hedging.beta_interval_ms: must be >= 1" }
        if !(0...1).contains(hedging.minimumRSquared) { return "hedging.min_r_squared: must be in [0, 1]" }
        if !(hedging.materialChange >= 0) { return "hedging.material_change: must be >= 0" }
        if !(hedging.varHorizonDays > 0) { return "hedging.var_horizon_days: must be > 0" }
        return nil
    }
}
