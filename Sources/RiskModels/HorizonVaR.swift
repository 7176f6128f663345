internal import Glibc

/// Value at Risk over a fixed horizon of event time (one minute, one hour, one day), forecast at the
/// start of each window and backtested on the realised return over that window, as a desk backtests
/// its daily VaR on daily P&L.
///
/// Windows. Windows are consecutive and do not overlap: `[s, s + h)`, `[s + h, s + 2h)`, …, where `s`
/// is the time of the first price seen once the variance estimate is warm. A window's forecast is made
/// from the variance known at its start (`VaR = q·σ·√h`, `q` the shape's quantile per unit of σ); its
/// realised return is `log(p_end / p_start)`, where `p_end` is the last price before the window's end.
/// A window is scored when the first price at or after its end arrives; its return is a breach when it
/// is below `−VaR`. When no price arrives for longer than a whole window (a closed market), the
/// windows with no price in them are not scored: the next window starts at the next price, and the move
/// across the gap is not charged to a one-window forecast.
///
/// Extreme moves. Inside a window, the loss so far `−log(p / p_start)` is checked on every price; the
/// first time it reaches `extremeMultiple × VaR` the window reports it (at most once per window). A
/// loss three times the 99 % VaR is a 7σ move under the normal: the forecast distribution has been left
/// far behind, and a desk wants to know at once, not at the end of the window.
///
/// - Complexity: O(1) per price, no allocation.
public struct HorizonVaR: Sendable {
    /// A scored window: its realised return, the forecast made at its start, and whether it breached.
    public struct ScoredWindow: Sendable, Hashable {
        public var realizedReturn: Double
        public var forecast: RiskForecast
        public var breached: Bool
        /// When the window started, nanoseconds of event time.
        public var start: Int64
    }

    /// A loss inside the current window of at least `extremeMultiple` × its VaR.
    public struct ExtremeMove: Sendable, Hashable {
        public var loss: Double
        public var forecast: RiskForecast
        /// Event time since the window started, seconds.
        public var elapsedSeconds: Double
    }

    /// What one price did: a window scored, an extreme move, both (the price closed a window and is
    /// already an extreme move in the next), or neither.
    public struct Outcome: Sendable, Hashable {
        public var scored: ScoredWindow?
        public var extreme: ExtremeMove?
    }

    public let horizonSeconds: Double
    public let confidence: Double
    public let extremeMultiple: Double
    private let horizonNanoseconds: Int64
    private let shape: VolatilityShape
    /// The current window: start time and price, and its forecast.
    public private(set) var windowStart: Int64 = 0
    private var startPrice = 0.0
    private var lastPrice = 0.0
    private var extremeReported = false
    /// The forecast of the current window, made at its start; `nil` before the first window.
    public private(set) var forecast: RiskForecast?
    /// Breaches over the recent windows, with Kupiec's and Christoffersen's tests and the Basel zone.
    public private(set) var backtest: VaRBacktest

    /// - Parameters:
    ///   - horizonSeconds: the horizon, > 0.
    ///   - confidence: in (0, 1).
    ///   - studentDegreesOfFreedom: `nil` for normal returns over the horizon, else a unit-variance
    ///     Student-t with this ν > 2.
    ///   - extremeMultiple: a loss of this many VaRs inside a window is reported at once, ≥ 1.
    ///   - backtestWindow: windows in the rolling breach count (250 as Basel's).
    public init(
        horizonSeconds: Double, confidence: Double, studentDegreesOfFreedom: Double? = nil,
        extremeMultiple: Double = 3, backtestWindow: Int = 250
    ) {
        precondition(horizonSeconds > 0 && horizonSeconds.isFinite, "horizon must be > 0")
        precondition(extremeMultiple >= 1, "the extreme multiple must be >= 1")
        self.horizonSeconds = horizonSeconds
        self.confidence = confidence
        self.extremeMultiple = extremeMultiple
        horizonNanoseconds = Int64((horizonSeconds * 1e9).rounded())
        shape = studentDegreesOfFreedom.map { .studentT(confidence: confidence, degreesOfFreedom: $0) }
            ?? .normal(confidence: confidence)
        backtest = VaRBacktest(confidence: confidence, baselWindow: backtestWindow)
    }

    /// VaR and ES over the horizon for a variance per second, in log-return units.
    public func forecast(perSecondVariance variance: Double) -> RiskForecast {
        shape.forecast(volatility: (max(0, variance) * horizonSeconds).squareRoot())
    }

    /// A horizon as a desk writes it: `1m`, `1h`, `6.5h`, `1d`, `30s`.
    public static func label(seconds: Double) -> String {
        func trim(_ x: Double) -> String {
            let rounded = (x * 10).rounded() / 10
            return rounded == rounded.rounded() ? "\(Int(rounded))" : "\(rounded)"
        }
        if seconds >= 86_400 && seconds.truncatingRemainder(dividingBy: 86_400) == 0 {
            return "\(Int(seconds / 86_400))d"
        }
        if seconds >= 3_600 { return trim(seconds / 3_600) + "h" }
        if seconds >= 60 { return trim(seconds / 60) + "m" }
        return trim(seconds) + "s"
    }

    /// VaR per unit of σ over the horizon (the shape's quantile).
    public var quantilePerSigma: Double { shape.varPerSigma }

    /// Folds in an accepted price at event time `ts`. `variance` is the variance per second known
    /// *before* this price (`nil` while the estimator is not warm: no window starts).
    /// - Complexity: O(1), no allocation.
    public mutating func observe(price: Double, at ts: Int64, perSecondVariance variance: Double?) -> Outcome {
        defer { lastPrice = price }
        var outcome = Outcome()
        guard let current = forecast else {
            if let variance { startWindow(at: ts, price: price, variance: variance) }
            return outcome
        }
        let end = windowStart &+ horizonNanoseconds
        if ts >= end {
            let r = log(lastPrice / startPrice)
            let breached = current.isBreached(by: r)
            if r.isFinite {
                backtest.record(breach: breached)
                outcome.scored = ScoredWindow(realizedReturn: r, forecast: current, breached: breached, start: windowStart)
            }
            if let variance {
                if ts &- end < horizonNanoseconds {
                    startWindow(at: end, price: lastPrice, variance: variance)
                } else {
                    startWindow(at: ts, price: price, variance: variance)
                }
            } else {
                forecast = nil
                return outcome
            }
        }
        outcome.extreme = checkExtreme(price, at: ts)
        return outcome
    }

    private mutating func startWindow(at ts: Int64, price: Double, variance: Double) {
        windowStart = ts
        startPrice = price
        extremeReported = false
        forecast = forecast(perSecondVariance: variance)
    }

    private mutating func checkExtreme(_ price: Double, at ts: Int64) -> ExtremeMove? {
        guard !extremeReported, let current = forecast, current.valueAtRisk > 0 else { return nil }
        let loss = -log(price / startPrice)
        guard loss >= extremeMultiple * current.valueAtRisk else { return nil }
        extremeReported = true
        return ExtremeMove(loss: loss, forecast: current, elapsedSeconds: Double(ts &- windowStart) * 1e-9)
    }

    /// The loss so far in the current window, as a log return (positive when the price fell).
    public func lossSoFar(price: Double) -> Double? {
        forecast == nil ? nil : -log(price / startPrice)
    }
}
