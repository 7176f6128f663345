internal import Glibc
public import MarketEvents

/// The kinds of data-quality issue one event can have (PRODUCT.md §2). A set, so one event can have
/// several; the details are in `DataQualityReport`.
public struct DataQualityIssues: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `seq` skipped ahead: `expectedSeq ..< receivedSeq` were lost. The event itself is fine: not
    /// quarantined.
    public static let sequenceGap = DataQualityIssues(rawValue: 1 << 0)
    /// `seq` did not advance (`receivedSeq < expectedSeq`): a duplicate, a late frame, or the publisher
    /// restarted. Quarantined (this one event); the expected sequence resynchronises to `receivedSeq + 1`.
    public static let sequenceBackwards = DataQualityIssues(rawValue: 1 << 1)
    /// `bid > ask`. Quarantined. A locked quote (`bid == ask`) is allowed.
    public static let crossedQuote = DataQualityIssues(rawValue: 1 << 2)
    /// `ts` is more than the tolerance behind the newest timestamp seen. Quarantined.
    public static let timestampBackwards = DataQualityIssues(rawValue: 1 << 3)
    /// `|log(price / last seen price)|` is more than `jumpThreshold` sigmas. Quarantined.
    public static let priceJump = DataQualityIssues(rawValue: 1 << 4)
    /// The first event after the feed was reported stale. Informational: not quarantined.
    public static let recovered = DataQualityIssues(rawValue: 1 << 5)

    /// The issues that keep an event away from the models.
    public static let quarantining: DataQualityIssues = [
        .sequenceBackwards, .crossedQuote, .timestampBackwards, .priceJump,
    ]
}

/// What `DataQualityMonitor.inspect` found in one event. Fields other than `issues` are meaningful only
/// when their issue is in `issues` (0 otherwise). A plain value: reporting allocates nothing.
public struct DataQualityReport: Sendable, Hashable {
    public var issues: DataQualityIssues = []
    /// `.sequenceGap`, `.sequenceBackwards`: the sequence number expected and the one received.
    public var expectedSeq: UInt64 = 0
    public var receivedSeq: UInt64 = 0
    /// `.crossedQuote`: the quote.
    public var bid = 0.0
    public var ask = 0.0
    /// `.timestampBackwards`: how far behind the newest timestamp seen, nanoseconds (`> tolerance`).
    public var backwardsBy: Int64 = 0
    /// `.priceJump`: the log return against the last seen price, and its size in sigmas.
    public var jumpReturn = 0.0
    public var jumpSigmas = 0.0
    /// `.recovered`: how long the feed was silent, nanoseconds of the engine's clock.
    public var silence: Int64 = 0

    public init() {}

    /// Whether any issue keeps the event away from the models.
    public var isQuarantined: Bool { !issues.isDisjoint(with: .quarantining) }

    /// How many sequence numbers were lost, for `.sequenceGap`; 0 otherwise.
    public var missedCount: UInt64 {
        issues.contains(.sequenceGap) ? receivedSeq - expectedSeq : 0
    }
}

/// Data-quality checks for one feed (one symbol's topic): sequence gaps, crossed quotes, timestamps
/// going backwards, price jumps and staleness. It sees every valid event, quarantined or not.
///
/// Conventions:
/// - Sequence: the first `seq` seen sets the expectation; then `seq == expected` is clean, `seq >
///   expected` a gap (not quarantined), `seq < expected` backwards (duplicate, late or publisher restart;
///   quarantined). After either, the expectation becomes `seq + 1`, so a restarted publisher costs one
///   quarantined event and a duplicate of the previous frame no spurious gap. Events without `seq` skip
///   the check.
/// - Timestamps: compared with the newest timestamp seen (a high-water mark, so a burst of late events
///   is caught, not only the first). After `timestampResync` backwards events in a row the high-water
///   mark is reset to the newest of them: a feed whose clock genuinely stepped back is quarantined for
///   that many events, not until it catches up.
/// - Price jumps: `r = log(price / lastSeenPrice)`, where the last seen price includes quarantined
///   events. A genuine level shift is therefore flagged once and the next price, compared with the
///   shifted one, is clean; a single bad print is flagged twice (going and coming back). Checked only when
///   the caller passes a `sigma` (a warm volatility estimate); the sigma used is `max(sigma, sigmaFloor)`
///   so a flat price history cannot make every later move a jump.
/// - Staleness: measured on the engine's clock (`now`), from the last event inspected; before the first
///   event a feed is never stale. `checkStale(now:)` reports the transition to stale once; the next event
///   carries `.recovered`.
///
/// - Complexity: O(1) per event, no allocation; a few words of state.
public struct DataQualityMonitor: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Backwards steps in `ts` up to this many nanoseconds are tolerated.
        public var timestampTolerance: Int64
        /// Backwards events in a row after which the timestamp high-water mark follows the feed.
        public var timestampResync: Int
        /// A price move beyond this many sigmas is a jump.
        public var jumpThreshold: Double
        /// Least sigma (log-return units) a jump is measured against.
        public var sigmaFloor: Double
        /// Silence (engine clock, nanoseconds) after which the feed is stale.
        public var staleAfter: Int64

        public init(
            timestampTolerance: Int64 = 1_000_000, timestampResync: Int = 10, jumpThreshold: Double = 8,
            sigmaFloor: Double = 1e-4, staleAfter: Int64 = 5_000_000_000
        ) {
            self.timestampTolerance = timestampTolerance
            self.timestampResync = timestampResync
            self.jumpThreshold = jumpThreshold
            self.sigmaFloor = sigmaFloor
            self.staleAfter = staleAfter
        }
    }

    public let configuration: Configuration

    private var expectedSeq: UInt64?
    private var newestTs: Int64?
    private var backwardsInARow = 0
    private var lastSeenPrice: Double?
    /// Engine clock at the last event inspected.
    private var lastEventClock: Int64?
    /// Whether `checkStale` has reported the feed stale and no event has arrived since.
    public private(set) var isStale = false

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.timestampTolerance >= 0 && configuration.timestampResync >= 1)
        precondition(configuration.jumpThreshold > 0 && configuration.sigmaFloor >= 0)
        precondition(configuration.staleAfter > 0)
        self.configuration = configuration
    }

    /// Inspects a tick received when the engine's clock read `now`. `sigma` is the current per-event
    /// volatility of log returns, or `nil` while it is not warm (no jump check).
    /// - Complexity: O(1), no allocation.
    public mutating func inspect(_ tick: Tick, sigma: Double?, now: Int64) -> DataQualityReport {
        inspect(seq: tick.seq, ts: tick.ts, price: tick.price, bid: tick.bid, ask: tick.ask, sigma: sigma, now: now)
    }

    /// Inspects one valid event's fields (events without a price or quote pass `nil`).
    /// - Complexity: O(1), no allocation.
    public mutating func inspect(
        seq: UInt64?, ts: Int64, price: Double?, bid: Double?, ask: Double?, sigma: Double?, now: Int64
    ) -> DataQualityReport {
        var report = DataQualityReport()

        if isStale, let last = lastEventClock {
            report.issues.insert(.recovered)
            report.silence = now - last
        }
        isStale = false
        lastEventClock = now

        if let seq {
            if let expected = expectedSeq, seq != expected {
                report.issues.insert(seq > expected ? .sequenceGap : .sequenceBackwards)
                report.expectedSeq = expected
                report.receivedSeq = seq
            }
            expectedSeq = seq &+ 1
        }

        if let bid, let ask, bid > ask {
            report.issues.insert(.crossedQuote)
            report.bid = bid
            report.ask = ask
        }

        if let newest = newestTs, ts < newest, newest - ts > configuration.timestampTolerance {
            report.issues.insert(.timestampBackwards)
            report.backwardsBy = newest - ts
            backwardsInARow += 1
            if backwardsInARow >= configuration.timestampResync {
                newestTs = ts
                backwardsInARow = 0
            }
        } else {
            backwardsInARow = 0
            newestTs = max(newestTs ?? ts, ts)
        }

        if let price {
            if let sigma, let previous = lastSeenPrice {
                let r = log(price / previous)
                let sigmas = abs(r) / max(sigma, configuration.sigmaFloor)
                if sigmas > configuration.jumpThreshold {
                    report.issues.insert(.priceJump)
                    report.jumpReturn = r
                    report.jumpSigmas = sigmas
                }
            }
            lastSeenPrice = price
        }
        return report
    }

    /// Checks for silence on the engine's clock. Returns the silence in nanoseconds when the feed has
    /// just become stale (more than `staleAfter` since its last event), and `nil` otherwise: before the
    /// first event, while fresh, and on later checks while it stays stale.
    /// - Complexity: O(1), no allocation.
    public mutating func checkStale(now: Int64) -> Int64? {
        guard !isStale, let last = lastEventClock, now - last > configuration.staleAfter else { return nil }
        isStale = true
        return now - last
    }
}
