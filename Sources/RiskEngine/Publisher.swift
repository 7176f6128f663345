import MarketEvents
import ZeroMQ

/// The engine's outbound side: one PUB socket, the engine-wide `seq`, one `kind_seq` per outbound kind
/// (so a subscriber to `alert.` alone can tell a lost alert from a message it did not subscribe to), and
/// reused encode buffers.
///
/// Owned by the compute thread. Publishing never blocks it: a PUB socket never waits for subscribers
/// (at a subscriber's high-water mark libzmq drops that subscriber's copy, which the subscriber sees as
/// a `seq` gap), and every send also carries `ZMQ_DONTWAIT`, so even a full pipe returns at once; such a
/// refusal is counted in `EngineCounters.publishRefused`. Cost per message: one JSON (or binary) encode
/// into a reused buffer and one `zmq_send` pair, no allocation.
final class Publisher {
    let sink: (any OutboundSink)?
    let encoding: Pipeline.Encoding
    let counters: EngineCounters
    /// The last `seq` used; the first message carries 1.
    private(set) var seq: UInt64 = 0
    /// The time stamped as outbound `ts`: `nil` live (the wall clock at the send); a replay sets its
    /// receive clock here, so its outputs are the same bytes every time.
    var clock: Int64?
    /// While recovering from a journal: messages are stamped and returned (the open state is rebuilt
    /// from them) but not sent; the run before already sent them.
    var muted = false
    /// Where the sequences are reserved ahead of use, so a restarted engine never reuses one.
    var reservation: SequenceReservation?
    /// The last `kind_seq` used per outbound kind: alert, hedge, risk, heartbeat.
    private var kindSeqs: (alert: UInt64, hedge: UInt64, risk: UInt64, heartbeat: UInt64) = (0, 0, 0, 0)
    private var topic: [UInt8] = []
    private var payload: [UInt8] = []

    /// `sink` is where encoded messages go: the PUB socket live, memory or a file in replay and tests,
    /// nowhere when `nil` (the message is still stamped and returned).
    init(sink: (any OutboundSink)?, encoding: Pipeline.Encoding, counters: EngineCounters) {
        self.sink = sink
        self.encoding = encoding
        self.counters = counters
        topic.reserveCapacity(128)
        payload.reserveCapacity(4096)
    }

    /// Continues every sequence after `floor` (`seq`, then alert, hedge, risk, heartbeat `kind_seq`) when
    /// it is ahead: after a restart, from what the earlier run reserved.
    func resume(after floor: [UInt64]) {
        seq = max(seq, floor[0])
        kindSeqs = (
            max(kindSeqs.alert, floor[1]), max(kindSeqs.hedge, floor[2]), max(kindSeqs.risk, floor[3]),
            max(kindSeqs.heartbeat, floor[4])
        )
    }

    /// Stamps the next `seq`, the next `kind_seq` of its kind and the engine clock on `message`, encodes
    /// and sends it.
    /// Returns the message as sent.
    @discardableResult
    func publish(_ message: WireEvent) -> WireEvent {
        seq += 1
        var message = message
        let kindSeq: UInt64
        let kind: Int
        switch message {
        case .alert: kindSeqs.alert += 1; kindSeq = kindSeqs.alert; kind = 1
        case .hedge: kindSeqs.hedge += 1; kindSeq = kindSeqs.hedge; kind = 2
        case .risk: kindSeqs.risk += 1; kindSeq = kindSeqs.risk; kind = 3
        case .heartbeat: kindSeqs.heartbeat += 1; kindSeq = kindSeqs.heartbeat; kind = 4
        case .tick, .news, .position: kindSeq = 0; kind = 0
        }
        if let reservation, seq > reservation.reserved[0] || kindSeq > reservation.reserved[kind] {
            reservation.reserve(after: [seq, kindSeqs.alert, kindSeqs.hedge, kindSeqs.risk, kindSeqs.heartbeat])
        }
        message.stamp(seq: seq, kindSeq: kindSeq, ts: clock ?? EngineClock.wallNanoseconds())
        topic.removeAll(keepingCapacity: true)
        topic.append(contentsOf: message.topic.utf8)
        payload.removeAll(keepingCapacity: true)
        switch encoding {
        case .json: WireCodec.encodeJSON(message, into: &payload)
        case .binary: WireCodec.encodeBinary(message, into: &payload)
        }
        guard let sink, !muted else { return message }
        let sent = topic.withUnsafeBytes { t in payload.withUnsafeBytes { p in sink.deliver(topic: t, payload: p) } }
        if sent {
            counters.published.wrappingAdd(1, ordering: .relaxed)
        } else {
            counters.publishRefused.wrappingAdd(1, ordering: .relaxed)
        }
        return message
    }
}

extension WireEvent {
    /// Sets `seq`, `kind_seq` and `ts` on an outbound message; inbound events are unchanged.
    mutating func stamp(seq: UInt64, kindSeq: UInt64, ts: Int64) {
        switch self {
        case .alert(var a): a.seq = seq; a.kindSeq = kindSeq; a.ts = ts; self = .alert(a)
        case .hedge(var h): h.seq = seq; h.kindSeq = kindSeq; h.ts = ts; self = .hedge(h)
        case .risk(var r): r.seq = seq; r.kindSeq = kindSeq; r.ts = ts; self = .risk(r)
        case .heartbeat(var b): b.seq = seq; b.kindSeq = kindSeq; b.ts = ts; self = .heartbeat(b)
        case .tick, .news, .position: break
        }
    }
}

/// Where the publisher's encoded `[topic, payload]` messages go. Called on the compute thread only.
protocol OutboundSink: AnyObject {
    /// Delivers one message without waiting; `false` when it was refused (counted in
    /// `EngineCounters.publishRefused`). The buffers are valid only during the call.
    func deliver(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Bool
}

/// The live sink: the PUB socket, every send with `ZMQ_DONTWAIT`.
extension Socket: OutboundSink {
    func deliver(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Bool {
        (try? send(topic: topic, payload: payload, dontWait: true)) ?? false
    }
}

/// A sink that keeps every message in memory, in order: for tests and replays that drive the compute
/// stage directly, with no socket. Grows with what is published; callers bound their streams.
final class MemorySink: OutboundSink {
    private(set) var messages: [(topic: [UInt8], payload: [UInt8])] = []

    func deliver(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Bool {
        messages.append((Array(topic), Array(payload)))
        return true
    }
}
