/// The engine's liveness message on topic `heartbeat` (wire contract v1), with counters since start.
///
/// The loss counters partition what went missing: `lostUpstream` never reached the engine (the
/// publisher's or ZeroMQ's high-water mark, seen as gaps in each tick topic's `seq`), `dropped` reached
/// it and was discarded by its own full ring, `malformed`, `quarantined` and the two `rejected…`
/// counters were received and refused for a reason.
public struct Heartbeat: Sendable, Hashable {
    public var seq: UInt64
    /// The heartbeat's own sequence number, from 1 (see `Alert.kindSeq`).
    public var kindSeq: UInt64
    public var ts: Int64
    /// Valid events accepted.
    public var eventsIn: UInt64
    /// Frames rejected by the wire contract.
    public var malformed: UInt64
    /// Events lost to the engine's full ring (a subset of `eventsIn`).
    public var dropped: UInt64
    /// Alert messages sent, raised or cleared.
    public var alertsOut: UInt64
    public var hedgesOut: UInt64
    /// Engine clock minus the newest plausible event's `ts`, in nanoseconds (0 before the first event).
    public var lagNs: Int64
    /// Ticks that never reached the engine: the sum over tick topics of the gaps in their `seq`.
    public var lostUpstream: UInt64
    /// Valid events kept away from the models by data quality.
    public var quarantined: UInt64
    /// Events for symbols beyond `symbols.max` (or outside the pipeline's universe).
    public var rejectedSymbols: UInt64
    /// Positions for accounts beyond `hedging.max_accounts`.
    public var rejectedAccounts: UInt64
    /// Feed connections libzmq dropped (a frame over the ingest ceiling, a protocol error) and the
    /// engine re-established.
    public var disconnects: UInt64

    public init(
        seq: UInt64, ts: Int64, eventsIn: UInt64 = 0, malformed: UInt64 = 0, dropped: UInt64 = 0,
        alertsOut: UInt64 = 0, hedgesOut: UInt64 = 0, lagNs: Int64 = 0, kindSeq: UInt64 = 0,
        lostUpstream: UInt64 = 0, quarantined: UInt64 = 0, rejectedSymbols: UInt64 = 0,
        rejectedAccounts: UInt64 = 0, disconnects: UInt64 = 0
    ) {
        self.seq = seq
        self.kindSeq = kindSeq
        self.ts = ts
        self.eventsIn = eventsIn
        self.malformed = malformed
        self.dropped = dropped
        self.alertsOut = alertsOut
        self.hedgesOut = hedgesOut
        self.lagNs = lagNs
        self.lostUpstream = lostUpstream
        self.quarantined = quarantined
        self.rejectedSymbols = rejectedSymbols
        self.rejectedAccounts = rejectedAccounts
        self.disconnects = disconnects
    }
}
