internal import CZeroMQ

/// A libzmq context: the I/O threads and the registry of `inproc://` endpoints.
///
/// Thread-safe and shared: create one per process (or per engine) and hand it to every `Socket`.
/// Each socket retains its context, so the context is terminated (`zmq_ctx_term`) only after the last of
/// its sockets is closed; because every socket is created with a zero linger, termination never waits
/// for undelivered messages and never hangs.
public final class Context: @unchecked Sendable {
    // @unchecked: libzmq documents contexts as thread-safe; the handle is immutable after init.
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads (one moves about a gigabyte per second).
    public init(ioThreads: Int = 1) throws(ZeroMQError) {
        guard let handle = zmq_ctx_new() else { throw ZeroMQError.last("zmq_ctx_new") }
        self.handle = handle
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads)) != 0 {
            let error = ZeroMQError.last("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
            zmq_ctx_term(handle)
            throw error
        }
    }

    /// Wakes every blocking call on this context's sockets, in any thread, with `ETERM`
    /// (`ZeroMQError.isContextTerminated`), and makes new sockets fail. Sockets must still be closed by
    /// their owners. Safe to call more than once and from any thread.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == ZeroMQError.interrupted {}
    }

    /// The linked libzmq's version, e.g. (4, 3, 4).
    public static var libraryVersion: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether the linked libzmq supports a capability: "ipc", "curve", "draft", ...
    public static func supports(_ capability: String) -> Bool {
        zmq_has(capability) != 0
    }
}
