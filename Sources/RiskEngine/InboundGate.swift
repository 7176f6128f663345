import MarketEvents
import RiskModels

/// An inbound event as ingest hands it to compute through the ring: the event, the verdict on its
/// topic's `seq` made before the ring (a gap there is a loss upstream of the engine, never one of the
/// ring's own drops, which compute learns from `SPSCRing.dropped`), and when it was received (the
/// engine's wall clock live; the journal's record in a replay), which is the compute stage's clock for it.
struct InboundEvent: Sendable {
    var event: WireEvent
    var sequence: SequenceCheck
    var receivedAt: Int64
}

/// Admission of received messages, the same live (ingest) and in a replay of a journal: decode and
/// validate `[topic, payload]`, refuse outbound kinds, check each tick topic's `seq`, and count all of
/// it in `EngineCounters` (`eventsIn`, `malformed`, `lostUpstream`), `MalformedLog` and `LossLog`.
///
/// Rejected messages are counted by reason, the last few kept in `MalformedLog`, and logged at most 5
/// lines a second. Sequences are tracked for at most `trackedTopics` tick topics (first come; further
/// topics are not checked). Owned by one thread.
/// - Complexity: per accepted message one decode and, for a tick with `seq`, one dictionary lookup; no
///   allocation for ticks with short symbols of known topics.
struct InboundGate {
    let codec: WireCodec
    let counters: EngineCounters
    let malformedLog: MalformedLog
    let lossLog: LossLog
    let trackedTopics: Int
    private var limiter = RateLimiter(burst: 5, periodNanoseconds: 1_000_000_000)
    private var accepted: UInt64 = 0
    private var rejected: UInt64 = 0
    private var lost: UInt64 = 0
    private var sequences: [String: SequenceTracker] = [:]

    init(codec: WireCodec, counters: EngineCounters, malformedLog: MalformedLog, lossLog: LossLog, trackedTopics: Int) {
        self.codec = codec
        self.counters = counters
        self.malformedLog = malformedLog
        self.lossLog = lossLog
        self.trackedTopics = trackedTopics
        sequences.reserveCapacity(min(trackedTopics, 4096))
    }

    /// The event to process, or `nil` when the message is refused (counted and logged). `frameCount` is
    /// the message's number of frames; `topic` and `payload` its first two (empty when absent).
    /// `recordedRejected` replays a journal record flagged rejected: one that still decodes was a message
    /// of other than two frames (the journal keeps the first two), and is refused as `frame_count` again.
    mutating func admit(
        frameCount: Int, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: Int64,
        recordedRejected: Bool = false
    ) -> InboundEvent? {
        guard frameCount == 2 else {
            reject(
                reason: WireError.Reason.frameCount.rawValue, field: nil,
                detail: "expected 2 frames [topic, payload], got \(frameCount)", topic: topic, payload: payload,
                at: receivedAt)
            return nil
        }
        let event: WireEvent
        do {
            event = try codec.decode(topic: topic, payload: payload)
        } catch {
            reject(
                reason: error.reason.rawValue, field: error.field, detail: error.detail, topic: topic, payload: payload,
                at: receivedAt)
            return nil
        }
        let sequence: SequenceCheck
        switch event {
        case .tick(let tick): sequence = checkSequence(tick)
        case .news, .position: sequence = .unchecked
        case .alert, .hedge, .risk, .heartbeat:
            reject(
                reason: "unexpected_kind", field: nil,
                detail: "'\(event.kind)' is an outbound kind; the engine ingests tick, news and position",
                topic: topic, payload: payload, at: receivedAt)
            return nil
        }
        if recordedRejected {
            reject(
                reason: WireError.Reason.frameCount.rawValue, field: nil,
                detail: "rejected when received: not two frames (the journal keeps the first two)", topic: topic,
                payload: payload, at: receivedAt)
            return nil
        }
        accepted &+= 1
        counters.eventsIn.store(accepted, ordering: .relaxed)
        return InboundEvent(event: event, sequence: sequence, receivedAt: receivedAt)
    }

    /// The verdict on a tick's `seq` from its topic's tracker; a gap adds to `lostUpstream`.
    private mutating func checkSequence(_ tick: Tick) -> SequenceCheck {
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

    private mutating func reject(
        reason: String, field: String?, detail: String, topic: UnsafeRawBufferPointer,
        payload: UnsafeRawBufferPointer, at receivedAt: Int64
    ) {
        rejected &+= 1
        counters.malformed.store(rejected, ordering: .relaxed)
        let shownTopic = EngineLog.printable(topic.prefix(64))
        let hex = payload.prefix(32).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
        }.joined()
        malformedLog.record(
            .init(
                ts: receivedAt, reason: reason, field: field, detail: detail, topic: shownTopic,
                payloadBytes: payload.count, payloadPrefixHex: hex))
        let (allowed, suppressed) = limiter.allow(now: EngineClock.monotonicNanoseconds())
        if allowed {
            var fields = [("reason", reason), ("topic", shownTopic), ("detail", detail)]
            if let field { fields.append(("field", field)) }
            if suppressed > 0 { fields.append(("suppressed_before", "\(suppressed)")) }
            EngineLog.write(.warn, "ingest", "malformed frame rejected", fields)
        }
    }
}
