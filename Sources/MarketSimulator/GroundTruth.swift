/// Something the simulator did that a risk engine should notice (or rightly ignore): what alert quality
/// is scored against. Recorded only while `MarketSimulator.recordsGroundTruth` is on; read with
/// `MarketSimulator.takeGroundTruth()`.
///
/// `ts` is the event time of the step that carried the change: the first tick after it shows it.
public struct GroundTruthEvent: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The market regime changed. `volatilities` are every instrument's true per-tick volatility
        /// before and after the step, in configuration order; `byNews` says whether negative news
        /// pushed the market into stress (otherwise the chain moved on its own).
        case regimeChange(from: Regime, to: Regime, byNews: Bool, volatilities: [VolatilityChange])
        /// A jump of `size` (log return): on one symbol, or on the market factor (`symbol == nil`, every
        /// symbol moves by its beta times it). `sigmas` is its size in the symbol's (for the market
        /// factor: the index factor's) true per-tick volatility at the time.
        case jump(symbol: String?, size: Double, sigmas: Double)
        /// A scripted crash began: every symbol will fall by `size` until `endTs`.
        case crashStart(size: Double, endTs: Int64)
        /// The scripted crash reached its full size.
        case crashEnd(size: Double)
        /// Negative news that raised stress pressure and, for symbol news, the symbol's volatility by
        /// `volatilityMultiplier`. `symbols` are the news item's tags.
        case negativeNews(symbols: [String], sentiment: Double, volatilityMultiplier: Double)
    }

    /// One instrument's true volatility around a regime change, per tick (log-return units).
    public struct VolatilityChange: Sendable, Hashable {
        public var symbol: String
        public var before: Double
        public var after: Double
        /// Mean time between two ticks of the symbol after the change, nanoseconds of event time (the
        /// simulated clock): with `after` it gives volatility per second.
        public var tickSpacingNanoseconds: Double

        public init(symbol: String, before: Double, after: Double, tickSpacingNanoseconds: Double) {
            self.symbol = symbol
            self.before = before
            self.after = after
            self.tickSpacingNanoseconds = tickSpacingNanoseconds
        }
    }

    public var ts: Int64
    public var kind: Kind

    public init(ts: Int64, kind: Kind) {
        self.ts = ts
        self.kind = kind
    }
}
