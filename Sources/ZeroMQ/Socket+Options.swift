internal import CZeroMQ

/// A socket option RiskStream sets, with its value. Read them back through the typed properties on
/// `Socket` (`sendHighWaterMark`, `linger`, ...).
public enum SocketOption: Sendable, Hashable {
    /// Messages queued per peer for sending before PUB drops / PUSH blocks; 0 means no limit.
    case sendHighWaterMark(Int32)
    /// Messages queued per peer for receiving; 0 means no limit.
    case receiveHighWaterMark(Int32)
    /// SUB/XSUB: receive messages whose first frame starts with this prefix (empty = everything).
    case subscribe([UInt8])
    case unsubscribe([UInt8])
    /// How long `close` keeps undelivered messages; `nil` waits forever (avoid: it can hang shutdown).
    case linger(Duration?)
    /// How long a blocking send waits before giving up (`nil`: forever).
    case sendTimeout(Duration?)
    /// How long a blocking receive waits before giving up (`nil`: forever).
    case receiveTimeout(Duration?)
    /// Largest inbound message in bytes; a peer sending more is disconnected. `nil`: no limit.
    case maxMessageSize(Int64?)
    /// XPUB: at the high-water mark, a send fails with "would block" instead of dropping silently.
    case xpubNoDrop(Bool)
    /// XPUB: pass every subscription up to the application, duplicates too (a reconnecting subscriber's
    /// resent subscription arrives even while its old connection is still known).
    case xpubVerbose(Bool)
    /// Act as the CURVE server (needs `curveSecretKey`).
    case curveServer(Bool)
    case curvePublicKey(CurveKey)
    case curveSecretKey(CurveKey)
    /// Client side: the server's long-term public key.
    case curveServerKey(CurveKey)
    /// ZAP authentication domain.
    case zapDomain(String)
    /// TCP keepalive: `true` on, `false` off, `nil` the operating system's default.
    case tcpKeepalive(Bool?)
    /// Queue messages only to completed connections.
    case immediate(Bool)
}

extension Socket {
    /// Sets one option.
    /// - Throws: `ZeroMQError` naming the option, e.g. for an option the socket type does not support.
    public func set(_ option: SocketOption) throws(ZeroMQError) {
        switch option {
        case .sendHighWaterMark(let v): try setInt32(ZMQ_SNDHWM, v, "ZMQ_SNDHWM")
        case .receiveHighWaterMark(let v): try setInt32(ZMQ_RCVHWM, v, "ZMQ_RCVHWM")
        case .subscribe(let prefix): try setBytes(ZMQ_SUBSCRIBE, prefix, "ZMQ_SUBSCRIBE")
        case .unsubscribe(let prefix): try setBytes(ZMQ_UNSUBSCRIBE, prefix, "ZMQ_UNSUBSCRIBE")
        case .linger(let d): try setInt32(ZMQ_LINGER, Self.milliseconds(d), "ZMQ_LINGER")
        case .sendTimeout(let d): try setInt32(ZMQ_SNDTIMEO, Self.milliseconds(d), "ZMQ_SNDTIMEO")
        case .receiveTimeout(let d): try setInt32(ZMQ_RCVTIMEO, Self.milliseconds(d), "ZMQ_RCVTIMEO")
        case .maxMessageSize(let v): try setInt64(ZMQ_MAXMSGSIZE, v ?? -1, "ZMQ_MAXMSGSIZE")
        case .xpubNoDrop(let v): try setInt32(ZMQ_XPUB_NODROP, v ? 1 : 0, "ZMQ_XPUB_NODROP")
        case .xpubVerbose(let v): try setInt32(ZMQ_XPUB_VERBOSE, v ? 1 : 0, "ZMQ_XPUB_VERBOSE")
        case .curveServer(let v): try setInt32(ZMQ_CURVE_SERVER, v ? 1 : 0, "ZMQ_CURVE_SERVER")
        case .curvePublicKey(let k): try setBytes(ZMQ_CURVE_PUBLICKEY, k.bytes, "ZMQ_CURVE_PUBLICKEY")
        case .curveSecretKey(let k): try setBytes(ZMQ_CURVE_SECRETKEY, k.bytes, "ZMQ_CURVE_SECRETKEY")
        case .curveServerKey(let k): try setBytes(ZMQ_CURVE_SERVERKEY, k.bytes, "ZMQ_CURVE_SERVERKEY")
        case .zapDomain(let d): try setBytes(ZMQ_ZAP_DOMAIN, Array(d.utf8), "ZMQ_ZAP_DOMAIN")
        case .tcpKeepalive(let v): try setInt32(ZMQ_TCP_KEEPALIVE, v.map { $0 ? 1 : 0 } ?? -1, "ZMQ_TCP_KEEPALIVE")
        case .immediate(let v): try setInt32(ZMQ_IMMEDIATE, v ? 1 : 0, "ZMQ_IMMEDIATE")
        }
    }

    /// Convenience: subscribe to a topic prefix (SUB/XSUB).
    public func subscribe(_ prefix: String) throws(ZeroMQError) {
        try set(.subscribe(Array(prefix.utf8)))
    }

    public var sendHighWaterMark: Int32 { get throws(ZeroMQError) { try int32(ZMQ_SNDHWM, "ZMQ_SNDHWM") } }
    public var receiveHighWaterMark: Int32 { get throws(ZeroMQError) { try int32(ZMQ_RCVHWM, "ZMQ_RCVHWM") } }
    public var linger: Duration? {
        get throws(ZeroMQError) { Self.duration(try int32(ZMQ_LINGER, "ZMQ_LINGER")) }
    }
    public var sendTimeout: Duration? {
        get throws(ZeroMQError) { Self.duration(try int32(ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO")) }
    }
    public var receiveTimeout: Duration? {
        get throws(ZeroMQError) { Self.duration(try int32(ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO")) }
    }
    public var maxMessageSize: Int64? {
        get throws(ZeroMQError) {
            let v = try int64(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE")
            return v < 0 ? nil : v
        }
    }
    public var isCurveServer: Bool { get throws(ZeroMQError) { try int32(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER") != 0 } }
    public var curvePublicKey: CurveKey {
        get throws(ZeroMQError) { CurveKey(uncheckedBytes: try bytes(ZMQ_CURVE_PUBLICKEY, 32, "ZMQ_CURVE_PUBLICKEY")) }
    }
    public var curveSecretKey: CurveKey {
        get throws(ZeroMQError) { CurveKey(uncheckedBytes: try bytes(ZMQ_CURVE_SECRETKEY, 32, "ZMQ_CURVE_SECRETKEY")) }
    }
    public var curveServerKey: CurveKey {
        get throws(ZeroMQError) { CurveKey(uncheckedBytes: try bytes(ZMQ_CURVE_SERVERKEY, 32, "ZMQ_CURVE_SERVERKEY")) }
    }
    public var zapDomain: String {
        get throws(ZeroMQError) { Self.string(try bytes(ZMQ_ZAP_DOMAIN, 256, "ZMQ_ZAP_DOMAIN")) }
    }
    public var tcpKeepalive: Bool? {
        get throws(ZeroMQError) {
            let v = try int32(ZMQ_TCP_KEEPALIVE, "ZMQ_TCP_KEEPALIVE")
            return v < 0 ? nil : v != 0
        }
    }
    public var isImmediate: Bool { get throws(ZeroMQError) { try int32(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE") != 0 } }
    /// The endpoint last bound or connected, with a wildcard port resolved: `tcp://127.0.0.1:40123`.
    public var lastEndpoint: String {
        get throws(ZeroMQError) { Self.string(try bytes(ZMQ_LAST_ENDPOINT, 1024, "ZMQ_LAST_ENDPOINT")) }
    }
    /// Whether the last frame received has more frames after it in the same message.
    var hasMoreFrames: Bool { get throws(ZeroMQError) { try int32(ZMQ_RCVMORE, "ZMQ_RCVMORE") != 0 } }

    // MARK: - Plumbing

    static func milliseconds(_ d: Duration?) -> Int32 {
        guard let d else { return -1 }
        let (seconds, attoseconds) = d.components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }

    static func duration(_ ms: Int32) -> Duration? {
        ms < 0 ? nil : .milliseconds(Int64(ms))
    }

    static func string(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    func setInt32(_ option: Int32, _ value: Int32, _ name: String) throws(ZeroMQError) {
        let h = try live("setsockopt(\(name))")
        var v = value
        if zmq_setsockopt(h, option, &v, MemoryLayout<Int32>.size) != 0 {
            throw ZeroMQError.last("setsockopt(\(name), \(value))")
        }
    }

    func setInt64(_ option: Int32, _ value: Int64, _ name: String) throws(ZeroMQError) {
        let h = try live("setsockopt(\(name))")
        var v = value
        if zmq_setsockopt(h, option, &v, MemoryLayout<Int64>.size) != 0 {
            throw ZeroMQError.last("setsockopt(\(name), \(value))")
        }
    }

    func setBytes(_ option: Int32, _ value: [UInt8], _ name: String) throws(ZeroMQError) {
        let h = try live("setsockopt(\(name))")
        let rc = value.withUnsafeBytes { zmq_setsockopt(h, option, $0.baseAddress, $0.count) }
        if rc != 0 { throw ZeroMQError.last("setsockopt(\(name))") }
    }

    func int32(_ option: Int32, _ name: String) throws(ZeroMQError) -> Int32 {
        let h = try live("getsockopt(\(name))")
        var v: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(h, option, &v, &size) != 0 { throw ZeroMQError.last("getsockopt(\(name))") }
        return v
    }

    func int64(_ option: Int32, _ name: String) throws(ZeroMQError) -> Int64 {
        let h = try live("getsockopt(\(name))")
        var v: Int64 = 0
        var size = MemoryLayout<Int64>.size
        if zmq_getsockopt(h, option, &v, &size) != 0 { throw ZeroMQError.last("getsockopt(\(name))") }
        return v
    }

    func bytes(_ option: Int32, _ capacity: Int, _ name: String) throws(ZeroMQError) -> [UInt8] {
        let h = try live("getsockopt(\(name))")
        var buffer = [UInt8](repeating: 0, count: capacity)
        var size = capacity
        let rc = buffer.withUnsafeMutableBytes { zmq_getsockopt(h, option, $0.baseAddress, &size) }
        if rc != 0 { throw ZeroMQError.last("getsockopt(\(name))") }
        return Array(buffer.prefix(size))
    }
}
