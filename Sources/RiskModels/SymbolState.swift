internal import Glibc
public import MarketEvents

/// Everything the engine keeps about one symbol's ticks, in constant memory: data-quality checks, the
/// jump filter, EWMA volatility, and windows of recent prices, returns, spreads and sizes.
///
/// Calling contract. Hand each tick to `receive(_:now:)`, then call `nextReleased()` until it returns
/// `nil`, and process the released ticks in that order (`SymbolFeatures.observe` and the engine's risk
/// stage read this state as of each released tick: the estimators move only as a tick is released).
/// Every tick received is released exactly once, in arrival order except that a quarantined tick is
/// released at once, ahead of ticks still held.
///
/// Holding. Every tick goes through the data-quality monitor first. A tick with a quarantining issue is
/// released at once, quarantined: it touches nothing, not even the return chain (the next accepted
/// tick's return is measured from the last accepted price). A clean tick goes to the `JumpFilter`
/// (with the volatility's sigma once it is warm). A price jump beyond the threshold is *held*, with the
/// prints after it, until the prints decide: the new level holds (`confirmTicks` prints, or one print
/// `confirmAfter` later, or `confirmPendingJump()` for a market-wide move) and the held ticks are accepted
/// in order, the first one with its full return from the pre-jump price; or a print goes back to the old
/// level and the held ticks are quarantined as bad prints (`.priceJump`). So a jump delays this symbol's
/// ticks by at most `confirmTicks` clean prints, and at most `confirmTicks` ticks are held; a symbol that
/// falls silent right after a jump holds it until its next print.
///
/// An accepted tick updates the volatility and the windows as it is released; its return (against the
/// previous accepted tick) is in its `Update`.
///
/// - Complexity: `receive` O(1) (O(`confirmTicks`) when a jump is decided), `nextReleased` O(1); no
///   allocation after `init` as long as the caller drains after every `receive`. Memory O(window capacity
///   + `confirmTicks`).
public struct SymbolState: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Capacity of each window.
        public var windowCapacity: Int
        /// EWMA decay factor.
        public var lambda: Double
        /// Returns before the volatility is warm (and jump checks start).
        public var warmupReturns: Int
        public var quality: DataQualityMonitor.Configuration
        public var jumps: JumpFilter.Configuration

        public init(
            windowCapacity: Int = 256, lambda: Double = 0.94, warmupReturns: Int = 20,
            quality: DataQualityMonitor.Configuration = .init(), jumps: JumpFilter.Configuration = .init()
        ) {
            self.windowCapacity = windowCapacity
            self.lambda = lambda
            self.warmupReturns = warmupReturns
            self.quality = quality
            self.jumps = jumps
        }
    }

    /// What one tick did.
    public struct Update: Sendable, Hashable {
        /// Data-quality findings; `report.isQuarantined` says whether the models saw the tick.
        public var report: DataQualityReport
        /// The log return the tick added, or `nil` when quarantined or for the first accepted tick.
        public var acceptedReturn: Double?

        public init(report: DataQualityReport, acceptedReturn: Double?) {
            self.report = report
            self.acceptedReturn = acceptedReturn
        }
    }

    /// A tick leaving the state, with what it did.
    public struct Release: Sendable {
        public var tick: Tick
        public var update: Update
    }

    /// A received tick waiting to be released.
    private struct Entry: Sendable {
        var tick: Tick
        var report: DataQualityReport
        var reference: Double
        var accepted: Bool
    }

    public private(set) var quality: DataQualityMonitor
    public private(set) var jumps: JumpFilter
    public private(set) var volatility: EWMAVolatility
    /// Accepted prices.
    public private(set) var prices: RingWindow<Double>
    /// Accepted log returns.
    public private(set) var returns: RollingStatistics
    /// Bid-ask spreads of accepted ticks with both sides, in basis points of the mid.
    public private(set) var spreadsBps: RollingStatistics
    /// Sizes of accepted ticks that carry one.
    public private(set) var sizes: RollingStatistics
    /// Ticks received and ticks released quarantined, since `init`.
    public private(set) var ticksSeen: UInt64 = 0
    public private(set) var ticksQuarantined: UInt64 = 0
    /// Jumps decided since `init`: confirmed as market data, and rejected as bad prints.
    public private(set) var jumpsConfirmed: UInt64 = 0
    public private(set) var jumpsRejected: UInt64 = 0

    /// The pending suspect and the prints that held its level (at most `confirmTicks`).
    private var held: [Entry] = []
    /// Decided ticks not yet released; `ready[readHead...]`.
    private var ready: [Entry] = []
    private var readHead = 0

    public init(configuration: Configuration = Configuration()) {
        quality = DataQualityMonitor(configuration: configuration.quality)
        jumps = JumpFilter(configuration: configuration.jumps)
        volatility = EWMAVolatility(lambda: configuration.lambda, warmupReturns: configuration.warmupReturns)
        prices = RingWindow(capacity: configuration.windowCapacity)
        returns = RollingStatistics(capacity: configuration.windowCapacity)
        spreadsBps = RollingStatistics(capacity: configuration.windowCapacity)
        sizes = RollingStatistics(capacity: configuration.windowCapacity)
        held.reserveCapacity(configuration.jumps.confirmTicks)
        ready.reserveCapacity(configuration.jumps.confirmTicks + 2)
    }

    /// The price the estimators follow: the quote mid when the tick carries an uncrossed bid and ask,
    /// else the trade price. Trade prices bounce between bid and ask, and that bounce would otherwise
    /// dominate a tick-by-tick volatility estimate (and look like jumps to the jump filter).
    @inline(__always)
    public static func referencePrice(of tick: Tick) -> Double {
        if let bid = tick.bid, let ask = tick.ask, bid <= ask { return (bid + ask) / 2 }
        return tick.price
    }

    /// The jump waiting for the prints after it, if any.
    public var pendingJump: JumpFilter.Suspect? { jumps.pending }

    /// Ticks held behind a pending jump.
    public var heldCount: Int { held.count }

    /// Takes one valid tick received when the engine's clock read `now` (nanoseconds since the epoch).
    /// `sequence` is the verdict on its `seq` when it was checked upstream (the engine's ingest); `nil`
    /// checks it here. Returns the suspect jump when this tick opened one (for a market-wide check), else
    /// `nil`. Drain `nextReleased()` afterwards.
    /// - Complexity: O(1); O(`confirmTicks`) when it decides a jump. No allocation.
    @discardableResult
    public mutating func receive(_ tick: Tick, now: Int64, sequence: SequenceCheck? = nil) -> JumpFilter.Suspect? {
        ticksSeen += 1
        let reference = Self.referencePrice(of: tick)
        let report =
            if let sequence {
                quality.inspect(sequence: sequence, ts: tick.ts, bid: tick.bid, ask: tick.ask, now: now)
            } else {
                quality.inspect(seq: tick.seq, ts: tick.ts, bid: tick.bid, ask: tick.ask, now: now)
            }
        let entry = Entry(tick: tick, report: report, reference: reference, accepted: !report.isQuarantined)
        guard entry.accepted else {
            ready.append(entry)
            return nil
        }
        let sigma = volatility.isWarm ? volatility.perEventVolatility : nil
        let suspect = jumps.pending
        switch jumps.judge(price: reference, ts: tick.ts, sigma: sigma) {
        case .accept:
            ready.append(entry)
        case .suspect:
            held.append(entry)
            return jumps.pending
        case .hold:
            held.append(entry)
        case .confirm:
            releaseHeld(suspect!, confirmed: true)
            ready.append(entry)
        case .revert:
            releaseHeld(suspect!, confirmed: false)
            // Judged afresh against the old level: accepted, or a new suspect (no jump is pending now).
            if jumps.judge(price: reference, ts: tick.ts, sigma: sigma) == .suspect {
                held.append(entry)
                return jumps.pending
            }
            ready.append(entry)
        }
        return nil
    }

    /// Confirms the pending jump as market data from outside (many symbols jumped the same way): the held
    /// ticks become releasable, accepted. - Precondition: `pendingJump != nil`.
    /// - Complexity: O(`confirmTicks`), no allocation.
    public mutating func confirmPendingJump() {
        let suspect = jumps.pending!
        jumps.confirm(lastHeldPrice: held[held.count - 1].reference)
        releaseHeld(suspect, confirmed: true)
    }

    /// The next tick leaving the state, in order, with what it did; `nil` when none is ready. An accepted
    /// tick updates the volatility and the windows now, so the state reads as of this tick.
    /// - Complexity: O(1), no allocation.
    public mutating func nextReleased() -> Release? {
        guard readHead < ready.count else {
            if readHead > 0 {
                ready.removeAll(keepingCapacity: true)
                readHead = 0
            }
            return nil
        }
        let entry = ready[readHead]
        readHead += 1
        guard entry.accepted else {
            ticksQuarantined += 1
            return Release(tick: entry.tick, update: Update(report: entry.report, acceptedReturn: nil))
        }
        let tick = entry.tick
        let r = volatility.observe(price: entry.reference, at: tick.ts)
        prices.append(entry.reference)
        if let r { returns.append(r) }
        if let bid = tick.bid, let ask = tick.ask {
            let mid = (bid + ask) / 2
            spreadsBps.append((ask - bid) / mid * 10_000)
        }
        if let size = tick.size { sizes.append(size) }
        return Release(tick: tick, update: Update(report: entry.report, acceptedReturn: r))
    }

    /// Moves the held ticks to `ready`, accepted (the jump is confirmed) or quarantined as bad prints.
    /// The suspect carries `.confirmedJump` or `.priceJump`; prints that held with a rejected suspect
    /// carry `.priceJump` with their own return from the old level.
    private mutating func releaseHeld(_ suspect: JumpFilter.Suspect, confirmed: Bool) {
        let sigma = abs(suspect.jumpReturn) / suspect.sigmas
        for i in held.indices {
            var entry = held[i]
            let r = i == 0 ? suspect.jumpReturn : log(entry.reference / suspect.oldLevel)
            if i == 0 || !confirmed {
                entry.report.issues.insert(confirmed ? .confirmedJump : .priceJump)
                entry.report.jumpReturn = r
                entry.report.jumpSigmas = abs(r) / sigma
            }
            entry.accepted = confirmed
            ready.append(entry)
        }
        held.removeAll(keepingCapacity: true)
        if confirmed { jumpsConfirmed += 1 } else { jumpsRejected += 1 }
    }

    /// Checks the feed for silence; see `DataQualityMonitor.checkStale(now:)`.
    public mutating func checkStale(now: Int64) -> Int64? {
        quality.checkStale(now: now)
    }
}
