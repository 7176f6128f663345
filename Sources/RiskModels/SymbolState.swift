public import MarketEvents

/// Everything the engine keeps about one symbol's ticks, in constant memory: data-quality checks, EWMA
/// volatility, and windows of recent prices, returns, spreads and sizes.
///
/// Every tick goes through the data-quality monitor first (with the volatility's sigma once it is warm,
/// for the jump check). A quarantined tick touches nothing else, and the return chain restarts: no
/// return is ever computed across a quarantined tick. An accepted tick updates the volatility and the
/// windows; its return (against the previous accepted tick) is returned.
///
/// - Complexity: O(1) per tick, no allocation after `init`; memory O(window capacity).
public struct SymbolState: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Capacity of each window.
        public var windowCapacity: Int
        /// EWMA decay factor.
        public var lambda: Double
        /// Returns before the volatility is warm (and jump checks start).
        public var warmupReturns: Int
        public var quality: DataQualityMonitor.Configuration

        public init(
            windowCapacity: Int = 256, lambda: Double = 0.94, warmupReturns: Int = 20,
            quality: DataQualityMonitor.Configuration = .init()
        ) {
            self.windowCapacity = windowCapacity
            self.lambda = lambda
            self.warmupReturns = warmupReturns
            self.quality = quality
        }
    }

    /// What one tick did.
    public struct Update: Sendable, Hashable {
        /// Data-quality findings; `report.isQuarantined` says whether the models saw the tick.
        public var report: DataQualityReport
        /// The log return the tick added, or `nil` when quarantined or at the start of a return chain.
        public var acceptedReturn: Double?
    }

    public private(set) var quality: DataQualityMonitor
    public private(set) var volatility: EWMAVolatility
    /// Accepted prices.
    public private(set) var prices: RingWindow<Double>
    /// Accepted log returns.
    public private(set) var returns: RollingStatistics
    /// Bid-ask spreads of accepted ticks with both sides, in basis points of the mid.
    public private(set) var spreadsBps: RollingStatistics
    /// Sizes of accepted ticks that carry one.
    public private(set) var sizes: RollingStatistics
    /// Ticks seen and ticks quarantined, since `init`.
    public private(set) var ticksSeen: UInt64 = 0
    public private(set) var ticksQuarantined: UInt64 = 0

    public init(configuration: Configuration = Configuration()) {
        quality = DataQualityMonitor(configuration: configuration.quality)
        volatility = EWMAVolatility(lambda: configuration.lambda, warmupReturns: configuration.warmupReturns)
        prices = RingWindow(capacity: configuration.windowCapacity)
        returns = RollingStatistics(capacity: configuration.windowCapacity)
        spreadsBps = RollingStatistics(capacity: configuration.windowCapacity)
        sizes = RollingStatistics(capacity: configuration.windowCapacity)
    }

    /// The price the estimators follow: the quote mid when the tick carries an uncrossed bid and ask,
    /// else the trade price. Trade prices bounce between bid and ask, and that bounce would otherwise
    /// dominate a tick-by-tick volatility estimate (and look like jumps to the data-quality check).
    @inline(__always)
    public static func referencePrice(of tick: Tick) -> Double {
        if let bid = tick.bid, let ask = tick.ask, bid <= ask { return (bid + ask) / 2 }
        return tick.price
    }

    /// Processes one valid tick received when the engine's clock read `now`.
    /// - Complexity: O(1), no allocation.
    public mutating func update(tick: Tick, now: Int64) -> Update {
        ticksSeen += 1
        let sigma = volatility.isWarm ? volatility.perEventVolatility : nil
        let reference = Self.referencePrice(of: tick)
        let report = quality.inspect(
            seq: tick.seq, ts: tick.ts, price: reference, bid: tick.bid, ask: tick.ask, sigma: sigma, now: now)
        if report.isQuarantined {
            ticksQuarantined += 1
            volatility.restartReturns()
            return Update(report: report, acceptedReturn: nil)
        }
        let r = volatility.observe(price: reference, at: tick.ts)
        prices.append(reference)
        if let r { returns.append(r) }
        if let bid = tick.bid, let ask = tick.ask {
            let mid = (bid + ask) / 2
            spreadsBps.append((ask - bid) / mid * 10_000)
        }
        if let size = tick.size { sizes.append(size) }
        return Update(report: report, acceptedReturn: r)
    }

    /// Checks the feed for silence; see `DataQualityMonitor.checkStale(now:)`.
    public mutating func checkStale(now: Int64) -> Int64? {
        quality.checkStale(now: now)
    }
}
