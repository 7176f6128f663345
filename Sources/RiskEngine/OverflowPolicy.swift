/// What a bounded ring does when the producer pushes into a full ring. Set per pipeline (`overflow:` in the
/// pipeline file, spelled as the raw values). Every element lost to a policy is counted in
/// ``SPSCRing/dropped``.
public enum OverflowPolicy: String, Sendable, CaseIterable {
    /// The producer waits for the consumer to make room: nothing is lost, and the backpressure reaches the
    /// ingest socket, whose ZeroMQ high-water mark then decides what the publisher sees.
    case block
    /// The oldest element still in the ring is dropped to make room for the new one: the consumer always sees
    /// the freshest data.
    case dropOldest = "drop_oldest"
    /// The new element is dropped: the ring keeps what it already holds.
    case dropNewest = "drop_newest"
}

/// The result of ``SPSCRing/push(_:)``.
public enum PushOutcome: Sendable, Hashable {
    /// The element was stored and nothing was lost.
    case enqueued
    /// The ring was full (`.dropNewest`): the pushed element was dropped and counted.
    case droppedNewest
    /// The ring was full (`.dropOldest`): the oldest element was dropped and counted, and the pushed element was
    /// stored.
    case droppedOldest
    /// The ring was full (`.block`) and ``SPSCRing/stopWaiting()`` had been called: the pushed element was
    /// dropped and counted instead of waiting.
    case abandoned
}
