internal import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connection events a socket monitor reports (`zmq_socket_monitor`).
public struct MonitorEvents: OptionSet, Sendable, Hashable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let connected = MonitorEvents(rawValue: ZMQ_EVENT_CONNECTED)
    /// A connect is under way (tcp: the non-blocking `connect(2)` has not finished yet).
    public static let connectDelayed = MonitorEvents(rawValue: ZMQ_EVENT_CONNECT_DELAYED)
    /// libzmq scheduled another connect attempt; the value is the interval in milliseconds. After a
    /// `disconnected` on a connected endpoint this says libzmq reconnects by itself; after a protocol
    /// error (a frame over `maxMessageSize`, say) it does not, and this event never comes.
    public static let connectRetried = MonitorEvents(rawValue: ZMQ_EVENT_CONNECT_RETRIED)
    public static let listening = MonitorEvents(rawValue: ZMQ_EVENT_LISTENING)
    public static let accepted = MonitorEvents(rawValue: ZMQ_EVENT_ACCEPTED)
    public static let closed = MonitorEvents(rawValue: ZMQ_EVENT_CLOSED)
    public static let disconnected = MonitorEvents(rawValue: ZMQ_EVENT_DISCONNECTED)
    public static let handshakeSucceeded = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
    public static let handshakeFailedAuth = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
    public static let handshakeFailedProtocol = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
    public static let handshakeFailedNoDetail = MonitorEvents(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    public static let monitorStopped = MonitorEvents(rawValue: ZMQ_EVENT_MONITOR_STOPPED)
    public static let all = MonitorEvents(rawValue: ZMQ_EVENT_ALL)
}

/// One event read from a monitor socket.
public struct MonitorEvent: Sendable, Hashable {
    public var event: MonitorEvents
    /// The event's value: a file descriptor, an errno, or a reconnect interval, depending on the event.
    public var value: UInt32
    /// The endpoint the event concerns.
    public var endpoint: String
}

extension Socket {
    /// Starts publishing this socket's connection events on a PAIR socket bound at `endpoint`
    /// (`inproc://...`). Connect a `.pair` socket there and read it with `receiveMonitorEvent`, or let
    /// `SocketMonitor` do both. Call it on the thread that owns this socket, like every other call.
    public func monitor(_ endpoint: String, events: MonitorEvents = .all) throws(ZeroMQError) {
        let h = try live("monitor(\(endpoint))")
        if zmq_socket_monitor(h, endpoint, events.rawValue) != 0 { throw ZeroMQError.last("monitor(\(endpoint))") }
    }

    /// Stops the monitor started by `monitor(_:events:)`, if any (libzmq sends `monitorStopped` first).
    public func stopMonitoring() throws(ZeroMQError) {
        let h = try live("stopMonitoring")
        if zmq_socket_monitor(h, nil, 0) != 0 { throw ZeroMQError.last("stopMonitoring") }
    }

    /// Reads one event from a PAIR socket connected to a monitor endpoint.
    /// - Returns: `nil` when `dontWait` is set and no event is waiting (or a receive timeout expired).
    public func receiveMonitorEvent(dontWait: Bool = false) throws(ZeroMQError) -> MonitorEvent? {
        guard let frames = try receiveMessage(dontWait: dontWait) else { return nil }
        guard frames.count == 2, frames[0].count == 6 else {
            throw ZeroMQError(code: EPROTO, operation: "receiveMonitorEvent: not a monitor socket")
        }
        let id = UInt16(frames[0][0]) | UInt16(frames[0][1]) << 8
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(frames[0][2 + i]) << (8 * UInt32(i)) }
        return MonitorEvent(
            event: MonitorEvents(rawValue: Int32(id)), value: value,
            endpoint: String(decoding: frames[1], as: UTF8.self))
    }
}
