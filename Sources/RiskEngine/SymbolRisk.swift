import MarketEvents
import OnlineLearning
import RiskModels

/// The learning and risk state of one symbol: features, pending labels, per-symbol models, the
/// scoreboard, the VaR forecaster and the rules of the risk alerts. Constant memory per symbol.
struct SymbolRisk {
    var features: SymbolFeatures
    /// Pending rows: `[features…, ewma σ per event, ewma σ annualised, prediction of each model…]`.
    var labels: ForwardLabels
    /// Models of `per_symbol` scope, by model index (`nil` for shared models).
    var models: [(any ExplainableRegressor)?]
    /// Ticks since the last row was enqueued (`learning.row_every`).
    var rowsSkipped = 0
    /// Rolling scores of each model, then of the EWMA estimate (last).
    var scores: Scoreboard
    /// Latest forecast ratio of each model (forward σ ÷ EWMA σ).
    var ratios: [Double]
    /// ADWIN on the driving model's absolute residuals, once it has been scored, and which model that is.
    var drift: ADWIN
    var driftModel = -1
    var lastDriftAlert: Int64 = .min
    var driftRaised = false
    /// A shift up that ADWIN found and that must last `drift_confirm_rows` scored rows before it is
    /// raised: the mean error before it, and the rows scored since.
    var driftPending: (before: Double, rows: Int, since: Int64)?
    /// Variance per second on an event-time grid: the volatility alert, every horizon's VaR, position
    /// risk.
    var intraday: IntradayVariance
    /// VaR/ES over each of `risk.horizons_s`, with its own windows and backtest.
    var horizons: [HorizonVaR]
    /// Per horizon, the traffic light of its recent windows' breaches: 1 yellow (warning), 2 red
    /// (critical), 0 green.
    var breachRules: [ThresholdRule]
    /// Per horizon, whether an extreme move's critical `var_breach` is open (cleared by the next window
    /// that ends inside its VaR).
    var extremeOpen: [Bool]
    var drawdownRule: ThresholdRule
    var liquidityRule: ThresholdRule
    var newsRule: ThresholdRule
    /// EWMA of the spread in bps: the liquidity baseline.
    var spreadBaseline: Double?
    var spreadTicks = 0
    /// Decayed sum of negative news sentiment, and when it was last moved.
    var newsShock = 0.0
    var newsShockAt: Int64 = 0
    /// The latest news explanation: lexicon terms and their contributions.
    var newsDrivers: [Alert.Driver] = []
    /// News items waiting for the volatility that follows them (the news-impact model's labels), oldest
    /// first; at most `maximumPendingNews`, the oldest dropped beyond.
    var pendingNews: [PendingNews] = []
    static let maximumPendingNews = 16
    /// Beta to the hedge instrument, and the start of the current beta interval: event time and the log
    /// prices of the symbol and of the instrument.
    var beta: OnlineBeta
    var betaAnchor: (ts: Int64, symbol: Double, hedge: Double)?
    /// The hedge instrument's slot, once known.
    var hedgeSlot: Int?
    /// The latest driving forecast, annualised, and whether it came from a scored model.
    var forecast: Double?
    var forecastIsLearned = false
    /// Positions in this symbol, by account (for the hedge check on each tick).
    var hasPositions = false

    init(pipeline: Pipeline, specs: [FeatureSpec], modelCount: Int) {
        let learning = pipeline.learning
        let risk = pipeline.risk
        features = SymbolFeatures(
            specs: specs,
            configuration: .init(windowCapacity: pipeline.symbols.window, newsHalfLife: risk.newsHalfLifeSeconds))
        let horizon: ForwardLabels.Horizon =
            learning.horizonSeconds.map { .seconds($0) } ?? .events(learning.horizonEvents)
        labels = ForwardLabels(
            configuration: .init(
                width: specs.count + 2 + modelCount, capacity: learning.pendingCapacity, horizon: horizon))
        models = Array(repeating: nil, count: modelCount)
        for (m, model) in learning.models.enumerated() where model.scope == .perSymbol {
            models[m] = makeStageModel(model, featureCount: specs.count)
        }
        scores = Scoreboard(models: modelCount + 1, window: learning.scoreWindow)
        ratios = Array(repeating: 1, count: modelCount)
        drift = ADWIN(delta: risk.driftDelta)
        intraday = IntradayVariance(configuration: risk.variance)
        let dof = risk.varMethod == .t ? risk.studentDegreesOfFreedom : nil
        horizons = risk.horizonsSeconds.map {
            HorizonVaR(
                horizonSeconds: $0, confidence: risk.confidence, studentDegreesOfFreedom: dof,
                extremeMultiple: risk.varBreachExtreme, backtestWindow: risk.varBreachWindow)
        }
        let zoneRule = ThresholdRule(
            warning: 1, critical: 2, hysteresis: 0.5, cooldown: risk.varBreachCooldownMilliseconds * 1_000_000)
        breachRules = Array(repeating: zoneRule, count: horizons.count)
        extremeOpen = Array(repeating: false, count: horizons.count)
        drawdownRule = risk.drawdown.rule
        liquidityRule = risk.liquidity.rule
        newsRule = risk.newsShock.rule
        beta = OnlineBeta(forgetting: pipeline.hedging.betaLambda, minimumObservations: pipeline.volatility.warmUp)
    }
}

/// A news item waiting for its label: the realised volatility of the next horizon's returns against
/// the EWMA volatility when it arrived.
struct PendingNews {
    var features: NewsFeatures
    var sigmaBefore: Double
    var returns = 0
    var sumOfSquares = 0.0
}
