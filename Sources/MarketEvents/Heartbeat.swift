/// The engine's liveness message on topic `heartbeat` (wire contract v1), with counters since start.
public struct Heartbeat: Sendable, Hashable {
    public var seq: UInt64
    public var ts: Int64
    /// Valid events accepted.
    public var eventsIn: UInt64
    /// Frames rejected by the wire contract.
    public var malformed: UInt64
    /// Events lost to a full buffer.
    public var dropped: UInt64
    /// Alert messages sent, raised or cleared.
    public var alertsOut: UInt64
    public var hedgesOut: UInt64
    /// Engine clock minus the newest event's `ts`, in nanoseconds (0 before the first event).
    public var lagNs: Int64

    public init(
        seq: UInt64, ts: Int64, eventsIn: UInt64 = 0, malformed: UInt64 = 0, dropped: UInt64 = 0,
        alertsOut: UInt64 = 0, hedgesOut: UInt64 = 0, lagNs: Int64 = 0
    ) {
        self.seq = seq
        self.ts = ts
        self.eventsIn = eventsIn
        self.malformed = malformed
        self.dropped = dropped
        self.alertsOut = alertsOut
        self.hedgesOut = hedgesOut
        self.lagNs = lagNs
    }
}
