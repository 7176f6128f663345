import Journal
import MarketEvents
import RiskEngine
import Testing
import ZeroMQ

/// An engine under test with real sockets on tcp loopback: a feed (XPUB, so the test knows when the
/// engine has subscribed) and an observer subscribed to everything the engine publishes.
final class EngineHarness {
    let context: Context
    let feed: Socket
    let observer: Socket
    let engine: Engine
    let codec = WireCodec()
    private let buffer = MessageBuffer(capacity: 2)
    /// Everything the observer has received, in order.
    private(set) var received: [WireEvent] = []

    /// `feedHighWaterMark` bounds the feed's send queue (0: unbounded, so the feed never drops).
    init(
        feedHighWaterMark: Int32 = 0, journal: JournalWriter? = nil, _ configure: (inout Pipeline) -> Void = { _ in }
    ) throws {
        context = try Context()
        feed = try Socket(context, .xpub)
        try feed.set(.sendHighWaterMark(feedHighWaterMark))
        try feed.bind("tcp://127.0.0.1:*")
        var pipeline = Pipeline()
        pipeline.ingest.feeds = [try feed.lastEndpoint]
        pipeline.publish.endpoint = "tcp://127.0.0.1:*"
        pipeline.publish.heartbeatMilliseconds = 50
        pipeline.publish.riskSnapshotMilliseconds = 0
        configure(&pipeline)
        engine = try Engine(pipeline: pipeline, context: context, journal: journal)
        observer = try Socket(context, .sub)
        try observer.set(.receiveHighWaterMark(0))
        try observer.subscribe("")
        try observer.set(.receiveTimeout(.milliseconds(20)))
        try observer.connect(engine.publishEndpoint!)
        engine.start()
        // The engine subscribes to one prefix per topic; once all arrived, nothing sent is lost to a slow join.
        try feed.set(.receiveTimeout(.seconds(5)))
        for _ in pipeline.ingest.topics { _ = try #require(try feed.receiveMessage(), "engine never subscribed") }
        // The observer is attached once it sees a heartbeat.
        _ = try waitFor(seconds: 5) { if case .heartbeat = $0 { true } else { false } }
    }

    deinit {
        engine.stop()
        engine.wait()
    }

    func send(_ event: WireEvent, binary: Bool = false) throws {
        try feed.send(multipart: [Array(event.topic.utf8), binary ? WireCodec.encodeBinary(event) : WireCodec.encodeJSON(event)])
    }

    func sendRaw(_ frames: [[UInt8]]) throws {
        try feed.send(multipart: frames)
    }

    /// Receives until `predicate` matches a message (returned) or `seconds` pass (nil).
    @discardableResult
    func waitFor(seconds: Double, _ predicate: (WireEvent) -> Bool) throws -> WireEvent? {
        let deadline = EngineClock.monotonicNanoseconds() + Int64(seconds * 1e9)
        while EngineClock.monotonicNanoseconds() < deadline {
            if let event = try receiveOne(), predicate(event) { return event }
        }
        return nil
    }

    /// Waits up to the observer's receive timeout (20 ms) for one message; records and returns it.
    private func receiveOne() throws -> WireEvent? {
        guard try observer.receive(into: buffer) else { return nil }
        try #require(buffer.frameCount == 2)
        let event = try codec.decode(topic: buffer.frame(0), payload: buffer.frame(1))
        received.append(event)
        return event
    }

    /// Waits for a heartbeat satisfying `predicate`.
    func heartbeat(within seconds: Double = 10, where predicate: (Heartbeat) -> Bool) throws -> Heartbeat? {
        let event = try waitFor(seconds: seconds) { if case .heartbeat(let h) = $0 { predicate(h) } else { false } }
        if case .heartbeat(let h) = event { return h }
        return nil
    }

    /// A barrier on the engine's own counters: waits until ingest has accepted `events` inbound events and
    /// compute has finished with every one not lost to the ring (`processed + dropped == events`), then for
    /// a heartbeat made after that. Compute publishes in order on one socket, so once that heartbeat has
    /// arrived every message caused by those events has arrived before it. Returns the heartbeat; fails
    /// the test (and stops it) if the engine does not get there within `seconds`.
    @discardableResult
    func settle(
        events: UInt64, within seconds: Double = 120, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Heartbeat {
        let counters = engine.counters
        func done() -> Bool {
            counters.eventsIn.load(ordering: .relaxed) == events
                && counters.processed.load(ordering: .relaxed) &+ engine.dropped == events
        }
        let deadline = EngineClock.monotonicNanoseconds() + Int64(seconds * 1e9)
        // Each pass blocks on the observer for up to its receive timeout, collecting what arrives.
        while !done() && EngineClock.monotonicNanoseconds() < deadline { _ = try receiveOne() }
        let seen = (counters.eventsIn.load(ordering: .relaxed), counters.processed.load(ordering: .relaxed))
        try #require(
            done(), "events_in \(seen.0), processed \(seen.1), dropped \(engine.dropped); expected \(events)",
            sourceLocation: sourceLocation)
        // The compute thread made any heartbeat stamped after this moment after it had finished the batch.
        let finished = EngineClock.wallNanoseconds()
        let beat = try heartbeat(within: seconds) { $0.ts >= finished }
        return try #require(beat, "no heartbeat after the events were processed", sourceLocation: sourceLocation)
    }

    var alerts: [Alert] {
        received.compactMap { if case .alert(let a) = $0 { a } else { nil } }
    }

    /// A tick `i` milliseconds after a fixed start, with a tight quote around `mid`.
    static func tick(_ symbol: String, _ i: Int, mid: Double, seq: UInt64? = nil, spacingMs: Int64 = 10) -> WireEvent {
        .tick(
            Tick(
                symbol: symbol, ts: 1_700_000_000_000_000_000 + Int64(i) * spacingMs * 1_000_000, price: mid, size: 100,
                bid: mid * (1 - 1e-5), ask: mid * (1 + 1e-5), bidSize: 500, askSize: 500, seq: seq))
    }
}
