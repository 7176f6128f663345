public import Journal
import MarketEvents
public import RiskModels
import Synchronization
public import ZeroMQ

/// Why an engine could not start.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// An endpoint string is malformed (a usage error).
        case badEndpoint
        /// An endpoint could not be bound (in use, no permission) or the socket could not be made.
        case unavailable
        /// The pipeline names something the engine does not know (a feature, say): bad configuration.
        case badConfiguration
    }

    public var kind: Kind
    public var message: String
    public var description: String { message }

    static func endpoint(_ error: ZeroMQError, role: String) -> EngineError {
        EngineError(kind: error.isMalformedEndpoint ? .badEndpoint : .unavailable, message: "\(role): \(error)")
    }
}

/// The streaming risk engine: an ingest thread and a compute thread joined by a bounded SPSC ring.
///
///     feeds ─▶ SUB ─▶ [ingest thread: decode, validate] ─▶ SPSCRing ─▶ [compute thread: state, data
///     quality, volatility rules, snapshots, heartbeats] ─▶ PUB ─▶ execution engines
///
/// Lifecycle: `init` creates and binds/connects the sockets (so endpoint errors surface before anything
/// runs), `start` launches the threads, `stop` asks them to finish: ingest stops reading and closes its
/// socket, compute drains what the ring holds, publishes a final heartbeat and closes the PUB socket
/// (with a one-second linger so that heartbeat leaves). `wait` joins both threads.
public final class Engine: @unchecked Sendable {
    // @unchecked: the stages are handed to their threads in `start` and touched only there afterwards;
    // everything read from other threads (counters, the ring's counters, flags) is atomic.
    public let pipeline: Pipeline
    public let counters = EngineCounters()
    public let malformedLog = MalformedLog()
    /// Ticks lost upstream of the engine, by feed topic.
    public let lossLog = LossLog()
    /// The PUB endpoint actually bound (a wildcard port resolved), if publishing.
    public let publishEndpoint: String?
    /// The SUB endpoints actually bound.
    public let boundFeedEndpoints: [String]
    /// The snapshot (ROUTER) endpoint actually bound, if any.
    public let snapshotEndpoint: String?
    /// The journal every received frame goes to, if any; `wait` closes it.
    public let journal: JournalWriter?

    private let ring: SPSCRing<InboundEvent>
    private let publishSocket: Socket?
    private let ingest: IngestStage
    private let feedWatch: FeedWatch
    private let compute: ComputeStage
    private let stopRequested = Atomic<Bool>(false)
    private let ingestFinished = Atomic<Bool>(false)
    private var threads: [BackgroundThread] = []

    /// Creates the sockets and binds/connects them as the pipeline says. News without a sentiment is
    /// scored with `lexicon`; every received frame is appended to `journal`, if given (the engine closes
    /// it in `wait`).
    /// - Throws: `EngineError` naming the endpoint that failed, or a feature the engine does not know.
    public init(
        pipeline: Pipeline, context: Context, lexicon: SentimentLexicon = .builtIn, journal: JournalWriter? = nil
    ) throws(EngineError) {
        self.pipeline = pipeline
        self.journal = journal
        try Self.check(pipeline)
        let sub: Socket
        let pub: Socket?
        let watch: FeedWatch
        do {
            sub = try Socket(context, .sub)
            try sub.set(.receiveHighWaterMark(pipeline.ingest.receiveHighWaterMark))
            try sub.set(.receiveTimeout(.milliseconds(50)))
            // A hard ceiling far above the contract's limit: the codec rejects (and counts) frames over
            // max_message_bytes; libzmq drops the connection of a frame over max_frame_bytes before
            // allocating it, protecting memory, and the feed watch reconnects it.
            try sub.set(.maxMessageSize(Int64(pipeline.ingest.maxFrameBytes)))
            for prefix in pipeline.ingest.topics { try sub.subscribe(prefix) }
            watch = try FeedWatch(
                socket: sub, connected: pipeline.ingest.feeds, maxFrameBytes: pipeline.ingest.maxFrameBytes,
                counters: counters)
        } catch {
            throw EngineError(kind: .unavailable, message: "ingest socket: \(error)")
        }
        var bound: [String] = []
        for endpoint in pipeline.ingest.bind {
            do {
                try sub.bind(endpoint)
                bound.append(try sub.lastEndpoint)
            } catch { throw .endpoint(error, role: "ingest bind \(endpoint)") }
        }
        for endpoint in pipeline.ingest.feeds {
            do { try sub.connect(endpoint) } catch { throw .endpoint(error, role: "feed \(endpoint)") }
        }
        boundFeedEndpoints = bound
        if let endpoint = pipeline.publish.endpoint {
            do {
                let socket = try Socket(context, .pub)
                try socket.set(.sendHighWaterMark(pipeline.publish.sendHighWaterMark))
                try socket.set(.linger(.seconds(1)))
                try socket.bind(endpoint)
                pub = socket
                publishEndpoint = try socket.lastEndpoint
            } catch { throw .endpoint(error, role: "publish \(endpoint)") }
        } else {
            pub = nil
            publishEndpoint = nil
        }
        var snapshots: SnapshotService?
        if let endpoint = pipeline.publish.snapshotEndpoint {
            do {
                let socket = try Socket(context, .router)
                try socket.set(.linger(.milliseconds(0)))
                try socket.bind(endpoint)
                snapshots = SnapshotService(socket: socket, encoding: pipeline.publish.encoding)
                snapshotEndpoint = try socket.lastEndpoint
            } catch { throw .endpoint(error, role: "snapshot \(endpoint)") }
        } else {
            snapshotEndpoint = nil
        }
        feedWatch = watch
        ring = SPSCRing(capacity: pipeline.ingest.ringCapacity, policy: pipeline.ingest.whenFull)
        ingest = IngestStage(
            socket: sub, ring: ring,
            gate: InboundGate(
                codec: WireCodec(maxPayloadBytes: pipeline.ingest.maxMessageBytes), counters: counters,
                malformedLog: malformedLog, lossLog: lossLog, trackedTopics: pipeline.symbols.max),
            counters: counters)
        ingest.journal = journal
        compute = ComputeStage(
            pipeline: pipeline, counters: counters, lexicon: lexicon,
            publisher: Publisher(sink: pub, encoding: pipeline.publish.encoding, counters: counters))
        publishSocket = pub
        compute.snapshotService = snapshots
        if let journal {
            // With a journal, the outbound sequences continue after any earlier run's: never a repeat.
            let reservation = SequenceReservation(directory: journal.directory)
            compute.publisher.reservation = reservation
            compute.publisher.resume(after: reservation.loaded)
        }
    }

    /// Rebuilds the compute stage from what an earlier run recorded in the journal (the records before
    /// this writer's first), exactly as a replay of them would, publishing nothing (the earlier run sent
    /// it; open alerts and risk snapshots are rebuilt for late subscribers); then the outbound sequences
    /// continue after what the earlier run reserved (`SequenceReservation`), so none is ever reused. Live
    /// counters start from zero. Call once, before `start`; without a journal it only returns.
    /// - Returns: the records replayed and how long it took.
    /// - Throws: `JournalError` for a journal that cannot be read (damage stops recovery: repair first).
    public func recover() throws(JournalError) -> (records: Int, seconds: Double) {
        precondition(threads.isEmpty, "Engine.recover after start")
        guard let journal else { return (0, 0) }
        let started = EngineClock.monotonicNanoseconds()
        var gate = InboundGate(
            codec: WireCodec(maxPayloadBytes: pipeline.ingest.maxMessageBytes), counters: EngineCounters(),
            malformedLog: MalformedLog(), lossLog: LossLog(), trackedTopics: pipeline.symbols.max)
        var reader = try JournalReader(directory: journal.directory)
        var next: Int64?
        var records = 0
        compute.publisher.muted = true
        var clock: Int64 = 0
        while let record = try reader.next(), record.sequence < journal.firstSequence {
            records += 1
            clock = max(clock, record.receiveTime)
            compute.catchUp(to: clock, next: &next)
            if let inbound = gate.admit(
                frameCount: 2, topic: record.topic, payload: record.payload, receivedAt: record.receiveTime,
                recordedRejected: record.isRejected)
            {
                compute.process(inbound.event, sequence: inbound.sequence, now: inbound.receivedAt)
            }
        }
        compute.publisher.muted = false
        compute.publisher.clock = nil
        compute.restartTimers()
        if let reservation = compute.publisher.reservation { compute.publisher.resume(after: reservation.reserved) }
        return (records, Double(EngineClock.monotonicNanoseconds() - started) / 1e9)
    }

    /// What the compute stage needs of a pipeline beyond its types: `Pipeline.problem` and feature
    /// names it knows. - Throws: `EngineError` `.badConfiguration` naming the setting.
    static func check(_ pipeline: Pipeline) throws(EngineError) {
        if let problem = pipeline.problem { throw EngineError(kind: .badConfiguration, message: problem) }
        if pipeline.learning.enabled {
            for name in pipeline.learning.features {
                do {
                    _ = try FeatureSpec.parse(name, windowCapacity: pipeline.symbols.window)
                } catch {
                    throw EngineError(kind: .badConfiguration, message: "learning.features: \(error)")
                }
            }
        }
    }

    /// Events lost to a full ring since start.
    public var dropped: UInt64 { ring.dropped }

    /// Starts the ingest and compute threads. Call once.
    public func start() {
        precondition(threads.isEmpty, "Engine.start called twice")
        threads.append(BackgroundThread(name: "rs-compute") { [self] in runCompute() })
        threads.append(
            BackgroundThread(name: "rs-ingest") { [self] in
                ingest.run(
                    stop: stopRequested, drainLimit: Int(pipeline.ingest.receiveHighWaterMark), feeds: feedWatch)
                ingestFinished.store(true, ordering: .releasing)
                ring.wakeConsumer()
            })
    }

    /// Asks the engine to stop; returns at once. Any thread, any number of times (async-signal-unsafe:
    /// from a signal handler, set a flag and call this from a normal thread).
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        ring.stopWaiting()
    }

    /// Waits until both threads have finished (after `stop`, within the ingest receive timeout plus the
    /// time to drain the ring).
    public func wait() {
        for thread in threads { thread.join() }
        // Ingest, the journal's producer, has finished: write what is queued, sync, close.
        journal?.close()
        ingest.copyJournalCounters()
        // The threads' closures hold the engine; dropping them lets the engine, its sockets and then the
        // context be released, and the context's termination is what flushes the final heartbeat (within
        // the PUB socket's one-second linger) before the process exits.
        threads.removeAll()
    }

    /// The compute thread: drains the ring into the stage and advances its timers on the wall clock (the
    /// receive clock live; a replay drives the same stage with recorded times).
    private func runCompute() {
        var batch: [InboundEvent] = []
        batch.reserveCapacity(1024)
        var processed: UInt64 = 0
        while true {
            let finished = ingestFinished.load(ordering: .acquiring)
            let n = ring.drain(into: &batch, max: 1024)
            if n > 0 {
                for inbound in batch { compute.process(inbound.event, sequence: inbound.sequence, now: inbound.receivedAt) }
                batch.removeAll(keepingCapacity: true)
                processed &+= UInt64(n)
                counters.processed.store(processed, ordering: .relaxed)
            }
            let now = EngineClock.wallNanoseconds()
            let nextTimer = compute.advance(to: now, ringDropped: ring.dropped)
            if n == 0 {
                if finished { break }  // ingest is done and the ring is empty: everything was processed
                _ = ring.waitForElements(timeout: .nanoseconds(max(nextTimer - now, 0)))
            }
        }
        compute.publishHeartbeat(dropped: ring.dropped, now: EngineClock.wallNanoseconds())
        publishSocket?.close()
        compute.snapshotService?.close()
    }
}
