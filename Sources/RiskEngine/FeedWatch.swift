import ZeroMQ

/// Keeps the ingest socket's feeds connected through what libzmq does not recover from by itself.
///
/// libzmq 4.3 drops a connection whose peer sends a frame over `ZMQ_MAXMSGSIZE` (`ingest.max_frame_bytes`)
/// as a protocol error, and a socket that connected never reconnects after a protocol error: the feed
/// would stay silent for good, even across a publisher restart. The watch reads the socket's monitor. An
/// endpoint of `ingest.feeds` that is `disconnected` and that libzmq does not follow with
/// `connect_retried` (it does at once after an ordinary connection error) is disconnected and connected
/// again, once `retryGrace` has passed. A publisher that connected to an `ingest.bind` endpoint sees an
/// ordinary connection error and its own libzmq reconnects (about 100 ms later), so those drops are only
/// counted and logged. Every drop counts in `disconnects`, every re-established endpoint in
/// `feedReconnects`; log lines are limited to 5 a second.
///
/// Owned by the ingest thread, like the socket it watches; `check` and `close` are called only there.
final class FeedWatch {
    private let monitor: SocketMonitor
    private let connectEndpoints: Set<String>
    private let maxFrameBytes: Int
    private let counters: EngineCounters
    /// Connect endpoints seen dropped, waiting for libzmq's `connect_retried`: since when (monotonic ns).
    private var dropped: [String: Int64] = [:]
    private var disconnects: UInt64 = 0
    private var reconnects: UInt64 = 0
    private var broken = false
    private var limiter = RateLimiter(burst: 5, periodNanoseconds: 1_000_000_000)

    /// How long a dropped connect endpoint waits for libzmq's own retry. libzmq schedules it on the same
    /// I/O thread right after the drop, so this only has to cover that thread being descheduled.
    static let retryGrace: Int64 = 100_000_000

    /// Starts monitoring `socket` (call on the thread that owns it, before it connects). `connected` are
    /// the endpoints it connects to, as given to `connect` (libzmq names them so in its events).
    init(socket: Socket, connected: [String], maxFrameBytes: Int, counters: EngineCounters) throws(ZeroMQError) {
        monitor = try SocketMonitor(watching: socket, events: [.disconnected, .connectRetried])
        connectEndpoints = Set(connected)
        self.maxFrameBytes = maxFrameBytes
        self.counters = counters
    }

    /// Takes every waiting monitor event, then re-establishes the connect endpoints libzmq gave up on.
    /// - Complexity: one non-blocking receive on an inproc PAIR when nothing happened (no clock read, no
    ///   allocation); a clock read while a drop is pending; a disconnect and a connect per re-established
    ///   endpoint.
    func check(_ socket: Socket) {
        guard !broken else { return }
        while let event = nextEvent() {
            if event.event == .disconnected {
                disconnects &+= 1
                counters.disconnects.store(disconnects, ordering: .relaxed)
                if connectEndpoints.contains(event.endpoint) {
                    dropped[event.endpoint] = EngineClock.monotonicNanoseconds()
                } else {
                    log(
                        .warn, "a feed connected to the engine dropped; its libzmq reconnects by itself",
                        endpoint: event.endpoint,
                        reason: "the publisher closed, the network failed, or it sent a frame over "
                            + "ingest.max_frame_bytes (\(maxFrameBytes) bytes)")
                }
            } else if event.event == .connectRetried, dropped.removeValue(forKey: event.endpoint) != nil {
                log(
                    .info, "feed connection lost; libzmq reconnects", endpoint: event.endpoint,
                    reason: "the publisher closed or the network failed")
            }
        }
        guard !dropped.isEmpty else { return }
        let now = EngineClock.monotonicNanoseconds()
        for (endpoint, since) in dropped where now - since >= Self.retryGrace {
            dropped[endpoint] = nil
            reestablish(endpoint, on: socket)
        }
    }

    /// Stops reading events (the socket's close stops libzmq's side).
    func close() {
        monitor.close()
    }

    private func nextEvent() -> MonitorEvent? {
        do {
            return try monitor.next(dontWait: true)
        } catch {
            broken = true
            if !error.isContextTerminated {
                EngineLog.write(.error, "ingest", "feed monitor failed; dropped feeds are no longer reconnected",
                    [("error", "\(error)")])
            }
            return nil
        }
    }

    private func reestablish(_ endpoint: String, on socket: Socket) {
        // libzmq keeps the dead endpoint registered, so disconnect succeeds; if it did not, connect anyway.
        try? socket.disconnect(endpoint)
        do {
            try socket.connect(endpoint)
        } catch {
            EngineLog.write(.error, "ingest", "could not reconnect a dropped feed",
                [("endpoint", endpoint), ("error", "\(error)")])
            return
        }
        reconnects &+= 1
        counters.feedReconnects.store(reconnects, ordering: .relaxed)
        log(
            .warn, "feed dropped by libzmq after a protocol error, which it never retries; reconnected",
            endpoint: endpoint,
            reason: "most likely a frame over ingest.max_frame_bytes (\(maxFrameBytes) bytes)")
    }

    private func log(_ level: EngineLog.Level, _ message: String, endpoint: String, reason: String) {
        let (allowed, suppressed) = limiter.allow(now: EngineClock.monotonicNanoseconds())
        guard allowed else { return }
        var fields = [("endpoint", endpoint), ("likely_reason", reason)]
        if suppressed > 0 { fields.append(("suppressed_before", "\(suppressed)")) }
        EngineLog.write(level, "ingest", message, fields)
    }
}
