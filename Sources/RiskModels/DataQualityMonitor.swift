public import MarketEvents

/// The kinds of data-quality issue one event can have (PRODUCT.md §2). A set, so one event can have
/// several; the details are in `DataQualityReport`.
public struct DataQualityIssues: OptionSet, Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

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
    /// A price jump beyond the threshold that the prints after it did not confirm: they went back to the
    /// old level, so this is a bad print. Quarantined. Set by `SymbolState` (see `JumpFilter`), never by
    /// the monitor.
    public static let priceJump = DataQualityIssues(rawValue: 1 << 4)
    /// The first event after the feed was reported stale. Informational: not quarantined.
    public static let recovered = DataQualityIssues(rawValue: 1 << 5)
    /// `ts` is not nanoseconds since the epoch near the engine's clock: most likely another unit
    /// (`DataQualityReport.timestampUnit`), or nanoseconds far ahead of the clock. Quarantined: its event
    /// time would poison every time-based estimator (elapsed times, horizons, decays).
    public static let implausibleTimestamp = DataQualityIssues(rawValue: 1 << 6)
    /// A price jump beyond the threshold that the prints after it confirmed (the new level held, or many
    /// symbols jumped together). Informational: the tick is market data and was accepted with its full
    /// return. Set by `SymbolState`, never by the monitor.
    public static let confirmedJump = DataQualityIssues(rawValue: 1 << 7)
    /// `ts` is more than `maxForwardJump` ahead of the newest timestamp seen on this topic (a clock
    /// that leapt, a corrupt field). Quarantined: it would advance every event-time timer at once.
    public static let timestampJump = DataQualityIssues(rawValue: 1 << 8)

    /// The issues that keep an event away from the models.
    public static let quarantining: DataQualityIssues = [
        .sequenceBackwards, .crossedQuote, .timestampBackwards, .priceJump, .implausibleTimestamp, .timestampJump,
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
    /// `.timestampJump`: how far ahead of the newest timestamp seen, nanoseconds (`> maxForwardJump`).
    public var jumpedBy: Int64 = 0
    /// `.priceJump`, `.confirmedJump`: the log return against the last accepted price, and its size in
    /// sigmas of the volatility when the jump was first seen.
    public var jumpReturn = 0.0
    public var jumpSigmas = 0.0
    /// `.implausibleTimestamp`: the unit `ts` most likely is (`nil`: none of them); `.nanoseconds` when it
    /// is nanoseconds but `aheadBy` (> `maxAhead`) ahead of the engine's clock.
    public var timestampUnit: TimestampUnit?
    public var aheadBy: Int64 = 0
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

/// Data-quality checks of one event at a time for one feed (one symbol's topic): sequence gaps, crossed
/// quotes, timestamps going backwards or in an implausible unit, and staleness. It sees every valid event,
/// quarantined or not. Price jumps need the prints after them to be judged: `JumpFilter` does that.
///
/// Conventions:
/// - Sequence: `SequenceTracker`'s verdict; a gap is reported (not quarantined), backwards (duplicate,
///   late or publisher restart) is quarantined. `inspect(_:now:)` keeps its own tracker; the engine checks
///   sequences in its ingest stage, before its ring, and passes the verdict in (`inspect(sequence:…)`).
/// - Timestamp unit: `ts` is read against the engine's clock `now` (`TimestampUnit.likely`). A `ts` that
///   reads as seconds, milliseconds or microseconds since the epoch, is not positive, or is nanoseconds
///   more than `maxAhead` ahead of the clock is `.implausibleTimestamp` and quarantined; it takes no part
///   in the backwards check below (a millisecond `ts` would otherwise drag the high-water mark).
///   Nanoseconds in the past are plausible however old (a replay of a recorded session). The check needs
///   a real clock: a `now` before `plausibleClock` (2001, a test's manual clock) turns it off.
/// - Timestamps: compared with the newest timestamp seen (a high-water mark, so a burst of late events
///   is caught, not only the first). After `timestampResync` backwards events in a row the high-water
///   mark is reset to the newest of them: a feed whose clock genuinely stepped back is quarantined for
///   that many events, not until it catches up. A `ts` more than `maxForwardJump` ahead of the mark is
///   `.timestampJump`, quarantined the same way (and resynchronised after as many in a row): one corrupt
///   time cannot move the topic's event time years ahead.
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
        /// Silence (engine clock, nanoseconds) after which the feed is stale.
        public var staleAfter: Int64
        /// A nanosecond `ts` more than this far ahead of the engine's clock is implausible.
        public var maxAhead: Int64
        /// A `ts` more than this far ahead of the topic's newest timestamp is a jump.
        public var maxForwardJump: Int64

        public init(
            timestampTolerance: Int64 = 1_000_000, timestampResync: Int = 10, staleAfter: Int64 = 5_000_000_000,
            maxAhead: Int64 = 86_400_000_000_000, maxForwardJump: Int64 = 7 * 86_400_000_000_000
        ) {
            self.timestampTolerance = timestampTolerance
            self.timestampResync = timestampResync
            self.staleAfter = staleAfter
            self.maxAhead = maxAhead
            self.maxForwardJump = maxForwardJump
        }
    }

    /// The earliest engine clock the timestamp-unit check trusts: 2001-09-09, 10¹⁸ ns after the epoch.
    public static let plausibleClock: Int64 = 1_000_000_000_000_000_000

    public let configuration: Configuration

    private var sequence = SequenceTracker()
    private var newestTs: Int64?
    private var backwardsInARow = 0
    private var forwardInARow = 0
    /// Engine clock at the last event inspected.
    private var lastEventClock: Int64?
    /// Whether `checkStale` has reported the feed stale and no event has arrived since.
    public private(set) var isStale = false

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.timestampTolerance >= 0 && configuration.timestampResync >= 1)
        precondition(configuration.staleAfter > 0 && configuration.maxAhead >= 0 && configuration.maxForwardJump > 0)
        self.configuration = configuration
    }

    /// Inspects a tick received when the engine's clock read `now` (nanoseconds since the epoch).
    /// - Complexity: O(1), no allocation.
    public mutating func inspect(_ tick: Tick, now: Int64) -> DataQualityReport {
        inspect(seq: tick.seq, ts: tick.ts, bid: tick.bid, ask: tick.ask, now: now)
    }

    /// Inspects one valid event's fields (events without a quote pass `nil`), checking `seq` with this
    /// monitor's own tracker.
    public mutating func inspect(seq: UInt64?, ts: Int64, bid: Double?, ask: Double?, now: Int64) -> DataQualityReport {
        inspect(sequence: sequence.check(seq), ts: ts, bid: bid, ask: ask, now: now)
    }

    /// Inspects one valid event's fields with a sequence verdict made elsewhere (the engine's ingest).
    /// - Complexity: O(1), no allocation (two logarithms only for an implausible timestamp).
    public mutating func inspect(
        sequence check: SequenceCheck, ts: Int64, bid: Double?, ask: Double?, now: Int64
    ) -> DataQualityReport {
        var report = DataQualityReport()

        if isStale, let last = lastEventClock {
            report.issues.insert(.recovered)
            report.silence = now - last
        }
        isStale = false
        lastEventClock = now

        switch check.status {
        case .unchecked, .inOrder: break
        case .gap, .backwards:
            report.issues.insert(check.status == .gap ? .sequenceGap : .sequenceBackwards)
            report.expectedSeq = check.expected
            report.receivedSeq = check.received
        }

        if let bid, let ask, bid > ask {
            report.issues.insert(.crossedQuote)
            report.bid = bid
            report.ask = ask
        }

        if now >= Self.plausibleClock,
            let unit = Self.implausibleUnit(ts: ts, now: now, maxAhead: configuration.maxAhead)
        {
            report.issues.insert(.implausibleTimestamp)
            report.timestampUnit = unit
            if unit == .nanoseconds { report.aheadBy = ts - now }
        } else if let newest = newestTs, ts < newest, newest - ts > configuration.timestampTolerance {
            report.issues.insert(.timestampBackwards)
            report.backwardsBy = newest - ts
            backwardsInARow += 1
            forwardInARow = 0
            if backwardsInARow >= configuration.timestampResync {
                newestTs = ts
                backwardsInARow = 0
            }
        } else if let newest = newestTs, ts > newest, ts &- newest > configuration.maxForwardJump {
            report.issues.insert(.timestampJump)
            report.jumpedBy = ts &- newest
            forwardInARow += 1
            backwardsInARow = 0
            if forwardInARow >= configuration.timestampResync {
                newestTs = ts
                forwardInARow = 0
            }
        } else {
            backwardsInARow = 0
            forwardInARow = 0
            newestTs = max(newestTs ?? ts, ts)
        }
        return report
    }

    /// `nil` when `ts` is plausible nanoseconds; otherwise the unit it most likely is, `.nanoseconds` for
    /// a time more than `maxAhead` ahead of `now`, wrapped in `.some(nil)` when it is no unit at all.
    private static func implausibleUnit(ts: Int64, now: Int64, maxAhead: Int64) -> TimestampUnit?? {
        // Fast path, no logarithm: within 1.5 decades below the clock and not too far ahead.
        if ts &- now <= maxAhead, Double(ts) * 31.622_776_601_683_793 > Double(now) { return nil }
        guard let unit = TimestampUnit.likely(ts: ts, clock: now) else { return .some(nil) }
        if unit != .nanoseconds || ts - now > maxAhead { return unit }
        return nil
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
