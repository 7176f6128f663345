import Synchronization

/// A socket's connection events (`zmq_socket_monitor`), delivered on a PAIR socket of its own.
///
/// `init` starts libzmq's monitor on the watched socket, so it runs on the thread that owns that socket,
/// then connects the PAIR on a fresh `inproc://` endpoint of the same context. From then on the monitor
/// is an ordinary socket under `Socket`'s contract (one thread at a time); it may be read on the watched
/// socket's thread or on another one. libzmq's side never blocks the watched socket: events nobody reads
/// queue up to the PAIR's high-water mark (1000 by default) and are then dropped.
public final class SocketMonitor: @unchecked Sendable {
    // @unchecked: one thread at a time by contract, like `Socket`; the endpoint is immutable.

    /// The `inproc://` endpoint libzmq publishes the events on; unique in the process.
    public let endpoint: String
    /// The PAIR the events arrive on: poll it with `Poller`, or set its `receiveTimeout` for `next()`.
    public let socket: Socket

    private static let serial = Atomic<UInt64>(0)

    /// Starts monitoring `events` on `watched`.
    /// - Throws: `ZeroMQError` if `watched` is closed or its context was shut down.
    public init(watching watched: Socket, events: MonitorEvents = .all) throws(ZeroMQError) {
        let n = Self.serial.add(1, ordering: .relaxed).newValue
        endpoint = "inproc://zeromq-swift.monitor.\(n)"
        socket = try Socket(watched.context, .pair)
        do {
            try watched.monitor(endpoint, events: events)
            try socket.connect(endpoint)
        } catch {
            socket.close()
            throw error
        }
    }

    /// The next event: waits for it (up to the PAIR's `receiveTimeout`) unless `dontWait`.
    /// - Returns: `nil` when nothing arrived in time (or nothing is waiting, with `dontWait`).
    /// - Complexity: two small allocations per event (its frames); nothing when there is no event.
    public func next(dontWait: Bool = false) throws(ZeroMQError) -> MonitorEvent? {
        try socket.receiveMonitorEvent(dontWait: dontWait)
    }

    /// Closes the PAIR. libzmq keeps monitoring the watched socket until it closes (or
    /// `stopMonitoring()`), dropping the events nobody reads any more.
    public func close() {
        socket.close()
    }
}
