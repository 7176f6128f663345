internal import CZeroMQ

/// A libzmq socket.
///
/// Contract: a socket is used by one thread at a time. It may be created on one thread and handed to
/// another (libzmq allows migration across a full memory barrier, which handing it over through a lock,
/// a semaphore or thread creation provides), but two threads must never call into it concurrently; that
/// is why it is `@unchecked Sendable` rather than `Sendable`. The socket retains its `Context`, is created
/// with linger 0 (pending messages are dropped on close, so shutdown never hangs), and closes exactly once:
/// on `close()` or, failing that, on deinit. Any call after `close()` throws `ENOTSOCK`; none crashes.
public final class Socket: @unchecked Sendable {
    // @unchecked: one thread at a time by contract (see above); libzmq sockets are not thread-safe.

    /// The context this socket belongs to; kept alive by the socket.
    public let context: Context
    public let type: SocketType
    var handle: UnsafeMutableRawPointer?
    /// Scratch message reused by `receive` calls that copy out or discard frames.
    let scratch: UnsafeMutablePointer<zmq_msg_t>

    /// Creates a socket of `type` in `context`, with linger 0.
    /// - Throws: `ZeroMQError` if the context was shut down or the process is out of sockets.
    public init(_ context: Context, _ type: SocketType) throws(ZeroMQError) {
        guard let handle = zmq_socket(context.handle, type.rawValue) else {
            throw ZeroMQError.last("zmq_socket(\(type))")
        }
        self.context = context
        self.type = type
        self.handle = handle
        scratch = .allocate(capacity: 1)
        zmq_msg_init(scratch)
        var zero: Int32 = 0
        zmq_setsockopt(handle, ZMQ_LINGER, &zero, MemoryLayout<Int32>.size)
    }

    deinit {
        close()
        zmq_msg_close(scratch)
        scratch.deallocate()
    }

    /// Whether `close()` has been called.
    public var isClosed: Bool { handle == nil }

    /// Closes the socket. Idempotent; pending outbound messages are kept only for the linger period.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        zmq_close(handle)
    }

    /// The live handle, or `ENOTSOCK` naming `operation` after close.
    @inline(__always)
    func live(_ operation: @autoclosure () -> String) throws(ZeroMQError) -> UnsafeMutableRawPointer {
        guard let handle else { throw ZeroMQError(code: ZeroMQError.notASocket, operation: operation()) }
        return handle
    }

    /// Binds to `endpoint` (`tcp://127.0.0.1:5555`, `tcp://127.0.0.1:*` for any free port, `ipc:///path`,
    /// `inproc://name`). Read `lastEndpoint` for the port chosen by a wildcard.
    public func bind(_ endpoint: String) throws(ZeroMQError) {
        let h = try live("bind(\(endpoint))")
        try Self.checkPort(endpoint, "bind(\(endpoint))")
        try Self.checkIPCInUse(endpoint, "bind(\(endpoint))")
        if zmq_bind(h, endpoint) != 0 { throw ZeroMQError.last("bind(\(endpoint))") }
    }

    /// Connects to `endpoint`. Asynchronous for tcp and ipc: libzmq reconnects in the background, so
    /// connecting before the peer binds is fine.
    public func connect(_ endpoint: String) throws(ZeroMQError) {
        let h = try live("connect(\(endpoint))")
        try Self.checkPort(endpoint, "connect(\(endpoint))")
        if zmq_connect(h, endpoint) != 0 { throw ZeroMQError.last("connect(\(endpoint))") }
    }

    /// Stops listening on an endpoint previously bound (use the resolved `lastEndpoint` for wildcards).
    public func unbind(_ endpoint: String) throws(ZeroMQError) {
        let h = try live("unbind(\(endpoint))")
        if zmq_unbind(h, endpoint) != 0 { throw ZeroMQError.last("unbind(\(endpoint))") }
    }

    /// Disconnects from an endpoint previously connected.
    public func disconnect(_ endpoint: String) throws(ZeroMQError) {
        let h = try live("disconnect(\(endpoint))")
        if zmq_disconnect(h, endpoint) != 0 { throw ZeroMQError.last("disconnect(\(endpoint))") }
    }
}
