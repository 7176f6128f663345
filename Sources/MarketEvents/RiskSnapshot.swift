/// A periodic snapshot of one symbol's risk measures, published on `risk.<SYMBOL>` (wire contract v1).
///
/// A measure the engine cannot compute yet (too few observations, stage not configured) is `nil` and
/// encoded as JSON `null`, so the set of keys is the same in every snapshot.
public struct RiskSnapshot: Sendable, Hashable {
    /// One model's current forecast and progressive score.
    public struct ModelScore: Sendable, Hashable {
        public var model: String
        public var forecast: Double?
        /// Rolling mean absolute error of the model's forecasts (scored before learning).
        public var mae: Double?

        public init(model: String, forecast: Double? = nil, mae: Double? = nil) {
            self.model = model
            self.forecast = forecast
            self.mae = mae
        }
    }

    /// VaR and ES over one horizon of event time, with that horizon's recent backtest.
    public struct HorizonRisk: Sendable, Hashable {
        public var horizonSeconds: Double
        /// VaR over the horizon at the snapshot's `confidence`, a positive fraction of price.
        public var valueAtRisk: Double?
        public var expectedShortfall: Double?
        /// Breaches among the recent scored windows of this horizon, and how many were scored.
        public var breaches: UInt64
        public var windows: UInt64

        public init(
            horizonSeconds: Double, valueAtRisk: Double? = nil, expectedShortfall: Double? = nil, breaches: UInt64 = 0,
            windows: UInt64 = 0
        ) {
            self.horizonSeconds = horizonSeconds
            self.valueAtRisk = valueAtRisk
            self.expectedShortfall = expectedShortfall
            self.breaches = breaches
            self.windows = windows
        }
    }

    public var seq: UInt64
    /// This kind's own outbound sequence number (alerts, hedges, risk snapshots and heartbeats each count
    /// from 1), so a subscriber to one topic prefix can see its own gaps.
    public var kindSeq: UInt64
    public var ts: Int64
    public var symbol: String
    /// Last price seen.
    public var price: Double?
    /// Current volatility, annualised (0.35 = 35 %): the engine's driving forecast (Docs/WIRE.md).
    public var volatility: Double?
    /// Value at Risk at `confidence`, as a positive fraction of price (a loss).
    public var valueAtRisk: Double?
    /// Expected Shortfall at `confidence`, as a positive fraction of price.
    public var expectedShortfall: Double?
    /// Confidence level of `valueAtRisk` and `expectedShortfall`, e.g. 0.99.
    public var confidence: Double?
    /// Drawdown from the high-water mark, as a non-negative fraction.
    public var drawdown: Double?
    /// The horizon of `valueAtRisk` and `expectedShortfall`, seconds of event time.
    public var horizonSeconds: Double?
    /// Whether the estimators are still warming up (no alerts from them yet).
    public var warming: Bool
    /// VaR and ES over every configured horizon, the first being `valueAtRisk`'s.
    public var horizons: [HorizonRisk]
    public var models: [ModelScore]

    public init(
        seq: UInt64, ts: Int64, symbol: String, price: Double? = nil, volatility: Double? = nil,
        valueAtRisk: Double? = nil, expectedShortfall: Double? = nil, confidence: Double? = nil,
        horizonSeconds: Double? = nil, drawdown: Double? = nil, warming: Bool = false, horizons: [HorizonRisk] = [],
        models: [ModelScore] = [], kindSeq: UInt64 = 0
    ) {
        self.seq = seq
        self.kindSeq = kindSeq
        self.ts = ts
        self.symbol = symbol
        self.price = price
        self.volatility = volatility
        self.valueAtRisk = valueAtRisk
        self.expectedShortfall = expectedShortfall
        self.confidence = confidence
        self.drawdown = drawdown
        self.horizonSeconds = horizonSeconds
        self.warming = warming
        self.horizons = horizons
        self.models = models
    }
}
