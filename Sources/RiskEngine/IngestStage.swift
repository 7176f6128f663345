import MarketEvents
import Synchronization
import ZeroMQ

/// The ingest thread's work: receive `[topic, payload]` messages on the SUB socket, decode and validate
/// them, and hand valid inbound events to compute through the ring.
///
/// Owns the SUB socket (created on the engine's thread, used only here after `start`). Malformed frames
/// are counted by reason, the last few kept in `MalformedLog`, logged at most 5 lines a second, and never
/// passed on; they cost nothing to the frames around them. Per valid frame: one decode, one ring push,
/// one relaxed store of the running count; no allocation for ticks with short symbols.
final class IngestStage {
    let socket: Socket
    let ring: SPSCRing<WireEvent>
    let codec: WireCodec
    let counters: EngineCounters
    let malformedLog: MalformedLog
    private var limiter = RateLimiter(burst: 5, periodNanoseconds: 1_000_000_000)
    private var accepted: UInt64 = 0
    private var rejected: UInt64 = 0

    init(socket: Socket, ring: SPSCRing<WireEvent>, codec: WireCodec, counters: EngineCounters, log: MalformedLog) {
        self.socket = socket
        self.ring = ring
        self.codec = codec
        self.counters = counters
        self.malformedLog = log
    }

    /// Runs until `stop` is set (checked at least every receive timeout), then closes the socket.
    func run(stop: borrowing Atomic<Bool>) {
        let buffer = MessageBuffer(capacity: 2)
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
        }
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
        case .tick, .news, .position:
            accepted &+= 1
            counters.eventsIn.store(accepted, ordering: .relaxed)
            ring.push(event)
        case .alert, .hedge, .risk, .heartbeat:
            reject(
                reason: "unexpected_kind", field: nil,
                detail: "'\(event.kind)' is an outbound kind; the engine ingests tick, news and position",
                buffer: buffer)
        }
    }

    private func reject(reason: String, field: String?, detail: String, buffer: MessageBuffer) {
        rejected &+= 1
        counters.malformed.store(rejected, ordering: .relaxed)
        let topic = buffer.frameCount > 0 ? String(decoding: buffer.frame(0).prefix(64), as: UTF8.self) : ""
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
