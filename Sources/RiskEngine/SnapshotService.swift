import MarketEvents
import ZeroMQ

/// What a subscriber that joins late needs to catch up (the ZeroMQ guide's Clone pattern): every open
/// alert and the newest risk snapshot of each symbol, as they were published (same `seq` and `ts`).
///
/// The engine keeps this state on the compute thread from what it publishes; `SnapshotService` answers
/// requests on a ROUTER socket bound at `publish.snapshot_endpoint`. A client (REQ or DEALER) should
/// subscribe to the PUB socket first, then send one frame, a topic prefix (`""` for everything,
/// `alert.` for alerts only); the reply is `[topic, payload]` pairs of the matching messages, ordered by
/// `seq`, then `[snapshot.end, {"type":"snapshot_end","seq":N}]` where N is the last `seq` published
/// when the reply was made. Messages from the PUB socket with `seq <= N` are already in the snapshot.
final class OpenState {
    /// Raised alerts not yet cleared, keyed by `kind symbol account`.
    private(set) var alerts: [String: WireEvent] = [:]
    /// The newest risk snapshot per symbol.
    private(set) var risk: [String: WireEvent] = [:]

    /// Records one published message. - Complexity: O(1) amortised; a dictionary write per alert or
    /// snapshot.
    func record(_ message: WireEvent) {
        switch message {
        case .alert(let a):
            let key = "\(a.kind.rawValue) \(a.symbol) \(a.account ?? "")"
            if a.state == .cleared {
                alerts[key] = nil
            } else if a.kind != .dataQuality || a.drivers.first?.feature == "stale" {
                // A data-quality finding is a one-off report, except a stale feed, which stays open until
                // the feed recovers.
                alerts[key] = message
            }
        case .risk(let r): risk[r.symbol] = message
        default: break
        }
    }

    /// The messages whose topic starts with `prefix`, ordered by `seq`.
    func messages(matching prefix: String) -> [WireEvent] {
        (Array(alerts.values) + Array(risk.values)).filter { $0.topic.hasPrefix(prefix) }
            .sorted { $0.outboundSeq < $1.outboundSeq }
    }
}

extension WireEvent {
    /// `seq` of an outbound message (0 for inbound kinds).
    var outboundSeq: UInt64 {
        switch self {
        case .alert(let a): a.seq
        case .hedge(let h): h.seq
        case .risk(let r): r.seq
        case .heartbeat(let b): b.seq
        case .tick, .news, .position: 0
        }
    }
}

/// Answers snapshot requests on a ROUTER socket; owned by the compute thread, polled without waiting.
final class SnapshotService {
    let socket: Socket
    let encoding: Pipeline.Encoding
    private var served: UInt64 = 0

    init(socket: Socket, encoding: Pipeline.Encoding) {
        self.socket = socket
        self.encoding = encoding
    }

    /// Answers every request waiting on the socket. - Complexity: one non-blocking receive when idle;
    /// O(open alerts + symbols) per request.
    func serve(_ state: OpenState, lastSeq: UInt64) {
        while let request = try? socket.receiveMessage(dontWait: true) {
            // ROUTER sees [identity, prefix] from a DEALER and [identity, "", prefix] from a REQ; the
            // envelope goes back in front of the reply. Anything else is not a request.
            let envelope: [[UInt8]]
            switch request.count {
            case 2: envelope = [request[0]]
            case 3 where request[1].isEmpty: envelope = [request[0], []]
            default: continue
            }
            let prefix = String(decoding: request[request.count - 1], as: UTF8.self)
            var frames = envelope
            for message in state.messages(matching: prefix) {
                frames.append(Array(message.topic.utf8))
                switch encoding {
                case .json: frames.append(WireCodec.encodeJSON(message))
                case .binary: frames.append(WireCodec.encodeBinary(message))
                }
            }
            frames.append(Array("snapshot.end".utf8))
            frames.append(Array("{\"type\":\"snapshot_end\",\"seq\":\(lastSeq)}".utf8))
            _ = try? socket.send(multipart: frames, dontWait: true)
            served += 1
        }
    }

    func close() { socket.close() }
}
