import MarketEvents
public import RiskModels

/// The engine's compute stage without threads or sockets, for replays of a journal and for tools: hand
/// it received messages with their receive times, in order; it admits them exactly as the live engine's
/// ingest does (`InboundGate`), runs every timer that falls due before each one on the recorded receive
/// clock (snapshots, staleness, heartbeats), processes it, and hands each outbound message to `deliver`.
///
/// Deterministic: the same messages with the same receive times give the same outbound bytes, `ts`
/// included (stamped from the receive clock, not the wall clock). Single-threaded; O(1) amortised per
/// message as in the live engine.
public final class ReplayCore {
    /// Counters as the live engine keeps them (`dropped` is always 0: there is no ring).
    public let counters = EngineCounters()
    public let malformedLog = MalformedLog()
    public let lossLog = LossLog()
    private var gate: InboundGate
    private let compute: ComputeStage
    private var nextDeadline: Int64?
    private var clock: Int64 = 0

    /// - Parameters:
    ///   - encoding: the encoding of what `deliver` gets (the pipeline's `publish.encoding` when `nil`).
    ///   - deliver: receives each outbound `[topic, payload]`; the buffers are valid only during the call.
    /// - Throws: `EngineError` for a pipeline the engine would refuse.
    public init(
        pipeline: Pipeline, lexicon: SentimentLexicon = .builtIn, encoding: Pipeline.Encoding? = nil,
        deliver: @escaping (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void
    ) throws(EngineError) {
        try Engine.check(pipeline)
        gate = InboundGate(
            codec: WireCodec(maxPayloadBytes: pipeline.ingest.maxMessageBytes), counters: counters,
            malformedLog: malformedLog, lossLog: lossLog, trackedTopics: pipeline.symbols.max)
        let publisher = Publisher(
            sink: ClosureSink(deliver), encoding: encoding ?? pipeline.publish.encoding, counters: counters)
        compute = ComputeStage(pipeline: pipeline, counters: counters, lexicon: lexicon, publisher: publisher)
    }

    /// One received message (`frameCount` frames, the first two given) at `receivedAt` (ns since the
    /// epoch); `recordedRejected` for a journal record flagged rejected. Times that go back are taken as
    /// the newest time seen, for the timers.
    /// - Returns: whether it was admitted (a valid inbound event) rather than counted as malformed.
    @discardableResult
    public func receive(
        frameCount: Int = 2, topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receivedAt: Int64,
        recordedRejected: Bool = false
    ) -> Bool {
        advance(to: receivedAt)
        guard
            let inbound = gate.admit(
                frameCount: frameCount, topic: topic, payload: payload, receivedAt: receivedAt,
                recordedRejected: recordedRejected)
        else { return false }
        compute.process(inbound.event, sequence: inbound.sequence, now: inbound.receivedAt)
        counters.processed.wrappingAdd(1, ordering: .relaxed)
        return true
    }

    /// Runs every timer due up to `time`, each at its own deadline, as a live engine whose clock passed
    /// through them would.
    public func advance(to time: Int64) {
        clock = max(clock, time)
        compute.catchUp(to: clock, next: &nextDeadline)
    }

    /// Publishes a last risk snapshot of every symbol (the state the replay ends with) and the final
    /// heartbeat, as a stopping engine does.
    public func finish() {
        compute.publisher.clock = clock
        compute.publishSnapshots()
        compute.publishHeartbeat(dropped: 0, now: clock)
    }
}

/// A sink that hands each message to a closure.
final class ClosureSink: OutboundSink {
    let deliver: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void

    init(_ deliver: @escaping (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) { self.deliver = deliver }

    func deliver(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) -> Bool {
        deliver(topic, payload)
        return true
    }
}
