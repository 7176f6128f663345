/// What a topic's `seq` said about one event: in order, after a gap, or backwards (a duplicate, a late
/// frame, or a restarted publisher). A plain value, no allocation.
public struct SequenceCheck: Sendable, Hashable {
    public enum Status: UInt8, Sendable {
        /// The event had no `seq`, or it is the first one seen on its topic.
        case unchecked
        case inOrder
        /// `expected ..< received` never arrived.
        case gap
        /// `received < expected`.
        case backwards
    }

    public var status: Status
    /// The `seq` expected and the one received (0 for `.unchecked`).
    public var expected: UInt64
    public var received: UInt64

    public init(status: Status = .unchecked, expected: UInt64 = 0, received: UInt64 = 0) {
        self.status = status
        self.expected = expected
        self.received = received
    }

    public static let unchecked = SequenceCheck()

    /// Sequence numbers lost before this event: `received - expected` after a gap, else 0.
    public var missed: UInt64 { status == .gap ? received - expected : 0 }
}

/// One topic's sequence numbers: the first `seq` seen sets the expectation; then `seq == expected` is in
/// order, `seq > expected` a gap, `seq < expected` backwards. After either, the expectation becomes
/// `seq + 1`, so a restarted publisher costs one backwards event and a duplicate of the previous frame no
/// spurious gap. Events without `seq` are not checked and leave the expectation alone.
///
/// The engine's ingest keeps one per tick topic, before its ring, so a gap is a loss upstream of the
/// engine (the publisher, or ZeroMQ's high-water marks), never one of the engine's own ring drops.
/// - Complexity: O(1), no allocation; one optional word.
public struct SequenceTracker: Sendable, Hashable {
    private var expected: UInt64?

    public init() {}

    public mutating func check(_ seq: UInt64?) -> SequenceCheck {
        guard let seq else { return .unchecked }
        defer { expected = seq &+ 1 }
        guard let expected else { return .unchecked }
        if seq == expected { return SequenceCheck(status: .inOrder, expected: expected, received: seq) }
        return SequenceCheck(status: seq > expected ? .gap : .backwards, expected: expected, received: seq)
    }
}
