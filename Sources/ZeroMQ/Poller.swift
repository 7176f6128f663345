internal import CZeroMQ

/// Readiness a poll waits for or reports.
public struct PollEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// At least one message can be received without blocking.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Waits on several sockets at once with `zmq_poll` (libzmq 4.3's stable poll API).
///
/// The item array is built once and reused, so `poll` allocates nothing. Owned by one thread, like the
/// sockets it polls; it retains them.
public final class Poller {
    private var sockets: [Socket] = []
    private var items: [zmq_pollitem_t] = []

    public init() {}

    /// Adds a socket; returns its index for `events(at:)`.
    @discardableResult
    public func add(_ socket: Socket, for events: PollEvents = .readable) throws(ZeroMQError) -> Int {
        let h = try socket.live("poll")
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: h, fd: 0, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Waits until a socket is ready or `timeout` passes (`nil`: forever; `.zero`: just look).
    /// - Returns: how many sockets are ready; 0 on timeout or when a signal interrupted the wait.
    public func poll(timeout: Duration?) throws(ZeroMQError) -> Int {
        for socket in sockets where socket.isClosed {
            throw ZeroMQError(code: ZeroMQError.notASocket, operation: "poll")
        }
        let ms = timeout.map { Int(Socket.milliseconds($0)) } ?? -1
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32($0.count), ms) }
        if rc >= 0 { return Int(rc) }
        let code = zmq_errno()
        if code == ZeroMQError.interrupted { return 0 }
        throw ZeroMQError(code: code, operation: "poll")
    }

    /// What the last `poll` reported for the socket at `index`.
    public func events(at index: Int) -> PollEvents {
        PollEvents(rawValue: items[index].revents)
    }
}
