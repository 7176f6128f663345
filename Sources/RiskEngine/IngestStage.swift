import Journal
import MarketEvents
import RiskModels
import Synchronization
import ZeroMQ

/// An inbound event as ingest hands it to compute through the ring, with the verdict on its topic's
/// `seq` made before the ring: a gap there is a loss upstream of the engine, never one of the ring's own
/// drops (which compute learns from `SPSCRing.dropped`).
struct InboundEvent: Sendable {
    var event: WireEvent
    var sequence: SequenceCheck
}

/// The ingest thread's work: receive `[topic, payload]` messages on the SUB socket, decode and validate
/// them, check each tick topic's `seq`, and hand valid inbound events to compute through the ring.
///
/// Owns the SUB socket (created on the engine's thread, used only here after `start`). Malformed frames
/// are counted by reason, the last few kept in `MalformedLog`, logged at most 5 lines a second, and never
/// passed on; they cost nothing to the frames around them. Gaps in a tick topic's `seq` are summed in
/// `EngineCounters.lostUpstream` and by topic in `LossLog`; sequences are tracked for at most
/// `trackedTopics` topics (first come; further topics are not checked). Per valid frame: one decode, one
/// dictionary lookup for a tick with `seq`, one ring push, one relaxed store of the running count; no
/// allocation for ticks with short symbols of known topics.
final class IngestStage {
    let socket: Socket
    let ring: SPSCRing<InboundEvent>
    let codec: WireCodec
    let counters: EngineCounters
    let malformedLog: MalformedLog
    let lossLog: LossLog
    let trackedTopics: Int
    /// Where every received frame is journaled, accepted or rejected (`run --journal`), before the ring.
    var journal: JournalWriter?
    private var journalFailureLogged = false
    private var limiter = RateLimiter(burst: 5, periodNanoseconds: 1_000_000_000)
    private var accepted: UInt64 = 0
    private var rejected: UInt64 = 0
    private var lost: UInt64 = 0
    private var sequences: [String: SequenceTracker] = [:]

    init(
        socket: Socket, ring: SPSCRing<InboundEvent>, codec: WireCodec, counters: EngineCounters,
        log: MalformedLog, lossLog: LossLog, trackedTopics: Int
    ) {
        self.socket = socket
        self.ring = ring
        self.codec = codec
        self.counters = counters
        self.malformedLog = log
        self.lossLog = lossLog
        self.trackedTopics = trackedTopics
        sequences.reserveCapacity(min(trackedTopics, 4096))
    }

    /// Runs until `stop` is set (checked at least every receive timeout), then counts what libzmq still
    /// held queued for the engine (`EngineCounters.discardedAtStop`, at most `drainLimit` messages
    /// received without waiting; they are not processed) and closes the socket. `feeds` is checked after
    /// every receive timeout and every 64 messages, so a dropped feed is seen within one timeout when the
    /// feeds are quiet and within 64 messages when they are not.
    func run(stop: borrowing Atomic<Bool>, drainLimit: Int, feeds: FeedWatch? = nil) {
        let buffer = MessageBuffer(capacity: 2)
        var sinceCheck = 0
        while !stop.load(ordering: .relaxed) {
            let received: Bool
            do {
                received = try socket.receive(into: buffer)
            } catch {
                if !error.isContextTerminated {
                    EngineLog.write(.error, "ingest", "receive failed; ingest stops", [("error", "\(error)")])
                }
                break
            }
            if received { handle(buffer) }
            sinceCheck &+= 1
            if !received || sinceCheck == 64 {
                sinceCheck = 0
                feeds?.check(socket)
                copyJournalCounters()
            }
        }
        var discarded: UInt64 = 0
        while discarded < UInt64(drainLimit), (try? socket.receive(into: buffer, dontWait: true)) == true {
            discarded += 1
        }
        counters.discardedAtStop.store(discarded, ordering: .relaxed)
        feeds?.close()
        socket.close()
    }

    private func handle(_ buffer: MessageBuffer) {
        guard buffer.frameCount == 2 else {
            reject(
                reason: WireError.Reason.frameCount.rawValue, field: nil,
                detail: "expected 2 frames [topic, payload], got \(buffer.frameCount)", buffer: buffer)
            return
        }
        let event: WireEvent
        do {
            event = try codec.decode(topic: buffer.frame(0), payload: buffer.frame(1))
        } catch {
            reject(reason: error.reason.rawValue, field: error.field, detail: error.detail, buffer: buffer)
            return
        }
        switch event {
        case .tick(let tick):
            journalFrame(buffer, rejected: false)
            accepted &+= 1
            counters.eventsIn.store(accepted, ordering: .relaxed)
            ring.push(InboundEvent(event: event, sequence: checkSequence(tick)))
        case .news, .position:
            journalFrame(buffer, rejected: false)
            accepted &+= 1
            counters.eventsIn.store(accepted, ordering: .relaxed)
            ring.push(InboundEvent(event: event, sequence: .unchecked))
        case .alert, .hedge, .risk, .heartbeat:
            reject(
                reason: "unexpected_kind", field: nil,
                detail: "'\(event.kind)' is an outbound kind; the engine ingests tick, news and position",
                buffer: buffer)
        }
    }

    /// The verdict on a tick's `seq` from its topic's tracker; a gap adds to `lostUpstream`.
    private func checkSequence(_ tick: Tick) -> SequenceCheck {
        guard let seq = tick.seq else { return .unchecked }
        let check: SequenceCheck
        if let index = sequences.index(forKey: tick.symbol) {
            check = sequences.values[index].check(seq)
        } else if sequences.count < trackedTopics {
            var tracker = SequenceTracker()
            check = tracker.check(seq)
            sequences[tick.symbol] = tracker
        } else {
            return .unchecked
        }
        if check.status == .gap {
            lost &+= check.missed
            counters.lostUpstream.store(lost, ordering: .relaxed)
            lossLog.record(topic: "tick.\(tick.symbol)", missed: check.missed)
        }
        return check
    }

    /// Hands the frame to the journal writer (a copy into its queue; never waits for the disk). A message
    /// of other than two frames keeps its first two (an empty payload when there is one).
    private func journalFrame(_ buffer: MessageBuffer, rejected: Bool) {
        guard let journal else { return }
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        journal.append(
            topic: buffer.frameCount > 0 ? buffer.frame(0) : none, payload: buffer.frameCount > 1 ? buffer.frame(1) : none,
            receiveTime: EngineClock.wallNanoseconds(), rejected: rejected)
    }

    /// Copies the journal writer's counters into `EngineCounters` (ingest is their one writer) and logs
    /// the writer's error once, when it stops on one.
    func copyJournalCounters() {
        guard let journal else { return }
        counters.journalWritten.store(journal.written.load(ordering: .relaxed), ordering: .relaxed)
        counters.journalDropped.store(journal.dropped.load(ordering: .relaxed), ordering: .relaxed)
        counters.journalFailed.store(journal.failed.load(ordering: .relaxed), ordering: .relaxed)
        counters.journalErrors.store(journal.errors.load(ordering: .relaxed), ordering: .relaxed)
        if !journalFailureLogged, let error = journal.lastError {
            journalFailureLogged = true
            EngineLog.write(
                .error, "journal", "journal writer stopped: frames are no longer journaled",
                [("error", error.description)])
        }
    }

    private func reject(reason: String, field: String?, detail: String, buffer: MessageBuffer) {
        journalFrame(buffer, rejected: true)
        rejected &+= 1
        counters.malformed.store(rejected, ordering: .relaxed)
        let topic = buffer.frameCount > 0 ? EngineLog.printable(buffer.frame(0).prefix(64)) : ""
        let payload = buffer.frameCount > 1 ? buffer.frame(1) : UnsafeRawBufferPointer(start: nil, count: 0)
        let hex = payload.prefix(32).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
        }.joined()
        let now = EngineClock.wallNanoseconds()
        malformedLog.record(
            .init(
                ts: now, reason: reason, field: field, detail: detail, topic: topic, payloadBytes: payload.count,
                payloadPrefixHex: hex))
        let (allowed, suppressed) = limiter.allow(now: EngineClock.monotonicNanoseconds())
        if allowed {
            var fields = [("reason", reason), ("topic", topic), ("detail", detail)]
            if let field { fields.append(("field", field)) }
            if suppressed > 0 { fields.append(("suppressed_before", "\(suppressed)")) }
            EngineLog.write(.warn, "ingest", "malformed frame rejected", fields)
        }
    }
}
