import Journal
import MarketEvents
import RiskModels
import Synchronization
import ZeroMQ

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
    let counters: EngineCounters
    /// Where every received frame is journaled, accepted or rejected (`run --journal`), before the ring.
    var journal: JournalWriter?
    private var journalFailureLogged = false
    /// Decoding, validation, sequence checks and the counting of both.
    private var gate: InboundGate

    init(socket: Socket, ring: SPSCRing<InboundEvent>, gate: InboundGate, counters: EngineCounters) {
        self.socket = socket
        self.ring = ring
        self.gate = gate
        self.counters = counters
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
        let receivedAt = EngineClock.wallNanoseconds()
        let none = UnsafeRawBufferPointer(start: nil, count: 0)
        let topic = buffer.frameCount > 0 ? buffer.frame(0) : none
        let payload = buffer.frameCount > 1 ? buffer.frame(1) : none
        let inbound = gate.admit(frameCount: buffer.frameCount, topic: topic, payload: payload, receivedAt: receivedAt)
        journal?.append(topic: topic, payload: payload, receiveTime: receivedAt, rejected: inbound == nil)
        if let inbound { ring.push(inbound) }
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
}
