public import Synchronization

/// The engine's counters since start, shared by its threads. Each counter has one writer thread, so the
/// writer stores its running total (`relaxed`, a plain store on x86) instead of paying for an atomic
/// add; readers (heartbeat, metrics, tests) load with `relaxed` and may see a value a moment old.
public final class EngineCounters: Sendable {
    /// Valid inbound events accepted by the wire contract (written by ingest). A dropped event was
    /// accepted first, so `dropped` is a subset of `eventsIn`.
    public let eventsIn = Atomic<UInt64>(0)
    /// Inbound events the compute stage has finished with (written by compute once per drained batch,
    /// after the batch). Equals `eventsIn - dropped` once compute has caught up with ingest.
    public let processed = Atomic<UInt64>(0)
    /// Frames rejected (written by ingest); per-reason counts are in `MalformedLog`.
    public let malformed = Atomic<UInt64>(0)
    /// Alert messages published, raised or cleared (written by compute).
    public let alertsOut = Atomic<UInt64>(0)
    public let hedgesOut = Atomic<UInt64>(0)
    /// Per-symbol alert messages folded into a market-wide alert instead of published (written by compute).
    public let alertsFolded = Atomic<UInt64>(0)
    /// Valid events kept away from the models by data quality (written by compute).
    public let quarantined = Atomic<UInt64>(0)
    /// Learning rows dropped unlabelled because a symbol's pending queue was full (written by compute).
    public let pendingDropped = Atomic<UInt64>(0)
    /// Ticks for symbols beyond the configured maximum, and news mentions of symbols that cannot take a
    /// slot (written by compute).
    public let rejectedSymbols = Atomic<UInt64>(0)
    /// Positions for accounts beyond `hedging.max_accounts` (written by compute).
    public let rejectedAccounts = Atomic<UInt64>(0)
    /// Ticks that never reached the engine: the sum over tick topics of the gaps in their `seq`, as seen
    /// by ingest before the ring (written by ingest). Distinct from the ring's own `dropped`.
    public let lostUpstream = Atomic<UInt64>(0)
    /// Messages libzmq still held for the engine when it stopped, received and discarded unprocessed
    /// (written by ingest once, at stop).
    public let discardedAtStop = Atomic<UInt64>(0)
    /// Feed connections the ingest socket lost, ones it connected or accepted (written by ingest, from
    /// the socket's monitor; see `FeedWatch`): a publisher that went away, a network error, or a frame
    /// over `ingest.max_frame_bytes` (a protocol error to libzmq). Each comes back: libzmq reconnects
    /// the first kinds, the engine the last.
    public let disconnects = Atomic<UInt64>(0)
    /// Of `disconnects`, connected feeds (`ingest.feeds`) the engine re-established itself because libzmq
    /// would not: it never reconnects after a protocol error, most likely a frame over
    /// `ingest.max_frame_bytes` (written by ingest; see `FeedWatch`).
    public let feedReconnects = Atomic<UInt64>(0)
    /// Outbound messages handed to the PUB socket, and those it refused (written by compute).
    public let published = Atomic<UInt64>(0)
    public let publishRefused = Atomic<UInt64>(0)
    /// With `run --journal`: received frames the journal writer has written, refused for a full queue,
    /// lost to a write error (and refused after it), and its failed system calls. Copied from the
    /// `JournalWriter` by ingest every 64 messages and every receive timeout, and once more at stop.
    public let journalWritten = Atomic<UInt64>(0)
    public let journalDropped = Atomic<UInt64>(0)
    public let journalFailed = Atomic<UInt64>(0)
    public let journalErrors = Atomic<UInt64>(0)
    /// Newest inbound event time seen by compute, for `lag_ns` (0 before the first event).
    public let newestEventTs = Atomic<Int64>(0)

    public init() {}
}

/// Malformed frames by reason, and the last few kept for inspection. Written by the ingest thread only on
/// the (rare) malformed path; read by anyone.
public final class MalformedLog: Sendable {
    /// One rejected frame as kept for inspection.
    public struct Entry: Sendable, Hashable {
        /// Engine wall clock when it was rejected.
        public var ts: Int64
        /// The wire reason (`WireError.Reason.rawValue`) or an engine reason such as `unexpected_kind`.
        public var reason: String
        public var field: String?
        public var detail: String
        /// The topic as received, cut to 64 bytes, with bytes that are not UTF-8 as `\xNN`
        /// (`EngineLog.printable`).
        public var topic: String
        /// Payload size in bytes and its first bytes in hex.
        public var payloadBytes: Int
        public var payloadPrefixHex: String
    }

    /// How many recent rejections are kept.
    public let keep: Int
    private let state: Mutex<State>

    struct State {
        var byReason: [String: UInt64] = [:]
        var recent: [Entry] = []
        var next = 0
    }

    public init(keep: Int = 16) {
        self.keep = keep
        state = Mutex(State())
    }

    func record(_ entry: Entry) {
        state.withLock { s in
            s.byReason[entry.reason, default: 0] += 1
            if s.recent.count < keep {
                s.recent.append(entry)
            } else {
                s.recent[s.next] = entry
            }
            s.next = (s.next + 1) % keep
        }
    }

    /// Counts per reason since start.
    public var countsByReason: [String: UInt64] { state.withLock { $0.byReason } }

    /// The most recent rejections, oldest first.
    public var recent: [Entry] {
        state.withLock { s in
            s.recent.count < keep ? s.recent : Array(s.recent[s.next...] + s.recent[..<s.next])
        }
    }
}

/// Ticks lost upstream, by feed topic (`tick.<SYMBOL>`). Written by the ingest thread only when a gap is
/// seen; read by anyone. Holds at most `keep` topics; losses on further topics are summed under `other`.
public final class LossLog: Sendable {
    public let keep: Int
    private let state = Mutex<[String: UInt64]>([:])

    public init(keep: Int = 1024) { self.keep = keep }

    func record(topic: String, missed: UInt64) {
        state.withLock { byTopic in
            if byTopic[topic] != nil || byTopic.count < keep {
                byTopic[topic, default: 0] &+= missed
            } else {
                byTopic["other", default: 0] &+= missed
            }
        }
    }

    /// Sequence numbers lost per topic since start.
    public var byTopic: [String: UInt64] { state.withLock { $0 } }
}
