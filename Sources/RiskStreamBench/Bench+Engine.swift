// The engine throughput section: the in-process engine (ingest thread → SPSC ring → compute thread) fed
// over tcp loopback as fast as a publisher can send, next to bare libzmq PUB→SUB moving the very same
// frames in the same run. Runs alternate bare and engine so machine load touches both alike.
import MarketEvents
import MarketSimulator
import RiskEngine
import ZeroMQ

/// Ticks encoded once, back to back in one array, so the send loop does no encoding and no allocation.
struct EncodedTicks {
    var topicBytes: [UInt8] = []
    /// Per symbol, its `tick.<SYMBOL>` topic's range in `topicBytes`.
    var topicRanges: [Range<Int>] = []
    /// Per tick, the symbol's index in `topicRanges`.
    var topicOf: [Int32] = []
    var payloadBytes: [UInt8] = []
    /// Per tick, where its payload starts in `payloadBytes`; one extra entry marks the end.
    var payloadStarts: [Int] = [0]

    var count: Int { topicOf.count }
    var averagePayload: Int { payloadBytes.count / Swift.max(count, 1) }

    mutating func addTopic(_ topic: [UInt8]) {
        topicRanges.append(topicBytes.count..<topicBytes.count + topic.count)
        topicBytes += topic
    }

    /// Sends every tick as `[topic, payload]` on `socket`.
    func send(on socket: Socket) throws {
        try topicBytes.withUnsafeBytes { topics throws in
            try payloadBytes.withUnsafeBytes { payloads throws in
                for i in 0..<count {
                    let topic = UnsafeRawBufferPointer(rebasing: topics[topicRanges[Int(topicOf[i])]])
                    let payload = UnsafeRawBufferPointer(rebasing: payloads[payloadStarts[i]..<payloadStarts[i + 1]])
                    _ = try socket.send(topic: topic, payload: payload)
                }
            }
        }
    }
}

/// `count` simulated ticks (news left out) with `seq` counting per topic from 1 and the simulator's own
/// timestamps, encoded in binary and in JSON.
func simulatedTicks(count: Int, seed: UInt64) -> (binary: EncodedTicks, json: EncodedTicks) {
    var simulator = MarketSimulator(configuration: .standard(seed: seed))
    var binary = EncodedTicks()
    var json = EncodedTicks()
    var symbolIndex: [String: Int] = [:]
    var seqs: [UInt64] = []
    binary.payloadBytes.reserveCapacity(count * 80)
    json.payloadBytes.reserveCapacity(count * 150)
    while binary.count < count {
        guard case .tick(var tick) = simulator.next() else { continue }
        let id: Int
        if let known = symbolIndex[tick.symbol] {
            id = known
        } else {
            id = seqs.count
            symbolIndex[tick.symbol] = id
            seqs.append(0)
            let topic = Array("tick.\(tick.symbol)".utf8)
            binary.addTopic(topic)
            json.addTopic(topic)
        }
        seqs[id] += 1
        tick.seq = seqs[id]
        let event = WireEvent.tick(tick)
        WireCodec.encodeBinary(event, into: &binary.payloadBytes)
        WireCodec.encodeJSON(event, into: &json.payloadBytes)
        binary.topicOf.append(Int32(id))
        json.topicOf.append(Int32(id))
        binary.payloadStarts.append(binary.payloadBytes.count)
        json.payloadStarts.append(json.payloadBytes.count)
    }
    return (binary, json)
}

/// A benchmark failure worth a message (a run that lost events or stalled).
struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// A PUB socket on tcp loopback that knows when a subscriber has arrived (XPUB passes subscriptions up).
func boundFeed(_ context: Context) throws -> (socket: Socket, endpoint: String) {
    let socket = try Socket(context, .xpub)
    try socket.set(.sendHighWaterMark(0))
    try socket.set(.receiveTimeout(.seconds(5)))
    try socket.bind("tcp://127.0.0.1:*")
    return (socket, try socket.lastEndpoint)
}

/// Waits for the first subscription message on an XPUB feed.
func awaitSubscriber(_ feed: Socket, _ what: String) throws {
    guard try feed.receiveMessage() != nil else {
        throw BenchError(description: "\(what) did not subscribe within 5 s")
    }
}

struct ThroughputSample {
    var eventsPerSecond: Double
    var alertsOut: UInt64 = 0
    var dropped: UInt64 = 0
}

/// The engine's pipeline for the throughput runs: feed connected, nothing lost (`block`, unbounded
/// receive HWM), alerts published on a loopback PUB nobody reads, no periodic snapshots.
func throughputPipeline(feed: String) -> Pipeline {
    var pipeline = Pipeline()
    pipeline.name = "bench-throughput"
    pipeline.ingest.feeds = [feed]
    pipeline.ingest.topics = ["tick."]
    pipeline.ingest.receiveHighWaterMark = 0
    pipeline.ingest.whenFull = .block
    pipeline.publish.endpoint = "tcp://127.0.0.1:*"
    pipeline.publish.riskSnapshotMilliseconds = 0
    return pipeline
}

/// Events/s through the engine: from the first send until the compute stage has processed all `ticks`.
func engineThroughput(_ ticks: EncodedTicks) throws -> ThroughputSample {
    let feedContext = try Context(ioThreads: 1)
    let engineContext = try Context(ioThreads: 1)
    let (feed, endpoint) = try boundFeed(feedContext)
    defer { feed.close() }
    let engine = try Engine(pipeline: throughputPipeline(feed: endpoint), context: engineContext)
    engine.start()
    defer {
        engine.stop()
        engine.wait()
    }
    try awaitSubscriber(feed, "the engine")
    let target = UInt64(ticks.count)
    let start = now()
    try ticks.send(on: feed)
    var last: UInt64 = 0
    var lastProgress = now()
    while true {
        let processed = engine.counters.processed.load(ordering: .relaxed)
        if processed + engine.dropped >= target { break }
        let t = now()
        if processed != last {
            (last, lastProgress) = (processed, t)
        } else if t - lastProgress > 5_000_000_000 {
            throw BenchError(
                description: "engine stalled at \(processed) of \(target) events "
                    + "(events_in \(engine.counters.eventsIn.load(ordering: .relaxed)), dropped \(engine.dropped))")
        }
        sleep(until: t + 100_000)  // 0.1 ms: the poll costs the engine's threads nothing
    }
    let elapsed = now() - start
    return ThroughputSample(
        eventsPerSecond: Double(target) / (Double(elapsed) / 1e9),
        alertsOut: engine.counters.alertsOut.load(ordering: .relaxed), dropped: engine.dropped)
}

/// Messages/s through bare libzmq PUB→SUB with the same frames: from the first send until a receiving
/// thread has all of them. Same sockets, options and contexts as the engine run, minus the engine.
func bareThroughput(_ ticks: EncodedTicks) throws -> ThroughputSample {
    let feedContext = try Context(ioThreads: 1)
    let receiverContext = try Context(ioThreads: 1)
    let (feed, endpoint) = try boundFeed(feedContext)
    defer { feed.close() }
    let sub = try Socket(receiverContext, .sub)
    try sub.set(.receiveHighWaterMark(0))
    try sub.set(.receiveTimeout(.seconds(5)))
    try sub.subscribe("tick.")
    try sub.connect(endpoint)
    try awaitSubscriber(feed, "the bare subscriber")
    let count = ticks.count
    let received = Box(0)
    let receiver = BackgroundThread(name: "bench-receive") {
        let buffer = MessageBuffer(capacity: 2)
        var n = 0
        while n < count, (try? sub.receive(into: buffer)) == true { n += 1 }
        received.value = n
        sub.close()
    }
    let start = now()
    try ticks.send(on: feed)
    receiver.join()
    let elapsed = now() - start
    let n = received.value  // join() ordered the write before this read
    guard n == count else { throw BenchError(description: "bare subscriber got \(n) of \(count) messages") }
    return ThroughputSample(eventsPerSecond: Double(count) / (Double(elapsed) / 1e9))
}

struct ThroughputResult {
    var name: String
    var payloadBytes: Int
    var bare: Double
    var engine: Double
    var alertsPerRun: UInt64
    var dropped: UInt64
}

func runThroughput(_ options: Options) throws -> [ThroughputResult] {
    let count = options.quick ? 100_000 : 400_000
    let (binary, json) = simulatedTicks(count: count, seed: 7)
    print(
        "engine throughput over tcp 127.0.0.1: \(grouped(Double(count))) simulated ticks per run (seed 7), "
            + "median of \(options.runs) runs")
    print("  events/s = ticks ÷ (first send → compute stage has processed the last tick); bare = first send →")
    print("  a SUB thread has received the last message. when_full: block, receive HWM unbounded: nothing lost.")
    print("")
    var results: [ThroughputResult] = []
    for (name, ticks) in [("binary", binary), ("JSON", json)] {
        var bare: [Double] = []
        var engine: [Double] = []
        var alerts: [UInt64] = []
        var dropped: UInt64 = 0
        for _ in 0..<options.runs {
            bare.append(try bareThroughput(ticks).eventsPerSecond)
            let sample = try engineThroughput(ticks)
            engine.append(sample.eventsPerSecond)
            alerts.append(sample.alertsOut)
            dropped += sample.dropped
        }
        results.append(
            ThroughputResult(
                name: name, payloadBytes: ticks.averagePayload, bare: median(bare), engine: median(engine),
                alertsPerRun: alerts.max() ?? 0, dropped: dropped))
    }
    print(
        pad("ticks, 2 frames [topic, payload]", 38) + padLeft("events/s", 12) + padLeft("ns/event", 11)
            + padLeft("engine ÷ bare", 15))
    for r in results {
        print(
            pad("bare libzmq PUB→SUB, \(r.name) (\(r.payloadBytes) B)", 38) + padLeft(grouped(r.bare), 12)
                + padLeft(fixed(1e9 / r.bare, 1), 11))
        print(
            pad("engine, \(r.name) ticks", 38) + padLeft(grouped(r.engine), 12)
                + padLeft(fixed(1e9 / r.engine, 1), 11) + padLeft("\(fixed(r.engine / r.bare, 2))×", 15))
    }
    print("")
    for r in results {
        print(
            "engine, \(r.name): up to \(r.alertsPerRun) alerts published per run; \(r.dropped) events dropped in all runs"
        )
    }
    return results
}
