// The engine throughput section: the in-process engine (ingest thread → SPSC ring → compute thread) fed
// over tcp loopback as fast as a publisher can send, next to bare libzmq PUB→SUB moving the very same
// frames in the same run. Runs alternate bare and engine so machine load touches both alike.
import Journal
import MarketEvents
import MarketSimulator
import RiskEngine
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

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

    /// Sends the ticks in `range` (all of them by default) as `[topic, payload]` on `socket`.
    func send(on socket: Socket, range: Range<Int>? = nil) throws {
        try topicBytes.withUnsafeBytes { topics throws in
            try payloadBytes.withUnsafeBytes { payloads throws in
                for i in range ?? 0..<count {
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
    /// CPU nanoseconds per timed event of the busiest thread other than the sender (with learning on,
    /// the compute thread): what one event costs the engine's bottleneck, whatever else the machine runs.
    var busiestThreadNanoseconds: Double?
    var alertsOut: UInt64 = 0
    var dropped: UInt64 = 0
}

/// What the learning stage runs in a benchmark configuration: off (the issue-3 engine, EWMA only), or
/// on with the given volatility models, shared across symbols, `SPX` as the reference symbol.
struct LearningSetup {
    var label: String
    /// `nil`: the learning stage is off.
    var models: [Pipeline.Learning.Model]?

    static let off = LearningSetup(label: "learning off", models: nil)
    static let sgd = LearningSetup(
        label: "learning on: sgd", models: Pipeline().learning.models.filter { $0.kind == .sgd })
    /// The pipeline's default models (`sgd` and a 10-tree `arf`).
    static let defaults = LearningSetup(
        label: "learning on: " + describe(Pipeline().learning.models), models: Pipeline().learning.models)

    var isOn: Bool { models != nil }

    static func describe(_ models: [Pipeline.Learning.Model]) -> String {
        models.map { $0.kind == .arf ? "\($0.name) (\($0.trees) trees)" : $0.name }.joined(separator: " + ")
    }

    /// Applies this setup to `pipeline`. Learning on: the simulator's index `SPX` is the reference
    /// symbol, so `index_return` and the hedge betas are live.
    func apply(to pipeline: inout Pipeline) {
        guard let models else {
            pipeline.learning.enabled = false
            return
        }
        pipeline.learning.enabled = true
        pipeline.learning.models = models
        pipeline.learning.referenceSymbol = "SPX"
    }
}

/// The engine's pipeline for the throughput runs: feed connected, nothing lost (`block`, unbounded
/// receive HWM), alerts published on a loopback PUB nobody reads, no periodic snapshots.
func throughputPipeline(feed: String, learning: LearningSetup) -> Pipeline {
    var pipeline = Pipeline()
    pipeline.name = "bench-throughput"
    pipeline.ingest.feeds = [feed]
    pipeline.ingest.topics = ["tick."]
    pipeline.ingest.receiveHighWaterMark = 0
    pipeline.ingest.whenFull = .block
    pipeline.publish.endpoint = "tcp://127.0.0.1:*"
    pipeline.publish.riskSnapshotMilliseconds = 0
    learning.apply(to: &pipeline)
    return pipeline
}

/// Waits until the engine's compute stage has processed (or the ingest has dropped) `target` events;
/// throws if nothing moves for 5 s. Polls every millisecond while more than 1,000 events remain, then
/// every 50 µs: the end is still seen within 50 µs of when it happens, and on a small machine the
/// poller does not take the compute thread's core 10,000 times a second during long learning runs.
private func awaitProcessed(_ engine: Engine, _ target: UInt64) throws {
    var last: UInt64 = 0
    var lastProgress = now()
    while true {
        let processed = engine.counters.processed.load(ordering: .relaxed)
        if processed + engine.dropped >= target { return }
        let t = now()
        if processed != last {
            (last, lastProgress) = (processed, t)
        } else if t - lastProgress > 5_000_000_000 {
            throw BenchError(
                description: "engine stalled at \(processed) of \(target) events "
                    + "(events_in \(engine.counters.eventsIn.load(ordering: .relaxed)), dropped \(engine.dropped))")
        }
        sleep(until: t + (processed + engine.dropped + 1_000 < target ? 1_000_000 : 50_000))
    }
}

/// Events/s through the engine: the first `warmUp` ticks are sent and processed untimed (the models
/// learn and grow), then the clock runs from the next send until the compute stage has processed the
/// last of `count` ticks.
func engineThroughput(
    _ ticks: EncodedTicks, count: Int, warmUp: Int, learning: LearningSetup, journal: Bool = false
) throws -> ThroughputSample {
    precondition(warmUp < count && count <= ticks.count)
    let feedContext = try Context(ioThreads: 1)
    let engineContext = try Context(ioThreads: 1)
    let (feed, endpoint) = try boundFeed(feedContext)
    defer { feed.close() }
    // With `journal`, every frame is also journaled (`run --journal`'s default fsync, ms:100) into a
    // directory under /tmp removed afterwards.
    let journalDirectory = "/tmp/riskstream-bench-engine-journal-\(getpid())"
    let writer = journal ? try JournalWriter(directory: journalDirectory) : nil
    defer {
        if writer != nil {
            for segment in (try? JournalDirectory.segments(journalDirectory)) ?? [] { unlink(segment.path) }
            rmdir(journalDirectory)
        }
    }
    let engine = try Engine(
        pipeline: throughputPipeline(feed: endpoint, learning: learning), context: engineContext, journal: writer)
    engine.start()
    defer {
        engine.stop()
        engine.wait()
    }
    try awaitSubscriber(feed, "the engine")
    if warmUp > 0 {
        try ticks.send(on: feed, range: 0..<warmUp)
        try awaitProcessed(engine, UInt64(warmUp))
    }
    let cpuBefore = threadCPUNanoseconds()
    let start = now()
    try ticks.send(on: feed, range: warmUp..<count)
    try awaitProcessed(engine, UInt64(count))
    let elapsed = now() - start
    let sender = Int(getpid())  // this (main) thread sends
    let busiest = threadCPUNanoseconds().filter { $0.key != sender }.map { $0.value - (cpuBefore[$0.key] ?? 0) }.max()
    return ThroughputSample(
        eventsPerSecond: Double(count - warmUp) / (Double(elapsed) / 1e9),
        busiestThreadNanoseconds: busiest.map { Double($0) / Double(count - warmUp) },
        alertsOut: engine.counters.alertsOut.load(ordering: .relaxed),
        // With the journal, frames its queue refused count as dropped too (the line after the table).
        dropped: engine.dropped + (writer.map { $0.dropped.load(ordering: .relaxed) + $0.failed.load(ordering: .relaxed) } ?? 0))
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

/// One row of the throughput table: a configuration's median events/s and the bare figure it is
/// compared with, from the same rounds.
struct ThroughputResult {
    var name: String
    var ticks: Int
    var warmUp: Int
    var eventsPerSecond: Double
    /// Median of the bare libzmq runs in the same rounds.
    var bare: Double
    var alertsPerRun: UInt64
    var dropped: UInt64
    /// Median CPU ns per event of the engine's busiest thread (`nil` for bare runs).
    var busiestThreadNanoseconds: Double?
    var isBare = false
    var format = "binary"
    var ratio: Double { eventsPerSecond / bare }
}

/// One configuration measured in every round: bare libzmq (`learning == nil`) or the engine.
private struct ThroughputCase {
    var name: String
    /// "binary" or "JSON".
    var format: String
    var ticks: EncodedTicks
    var count: Int
    var warmUp: Int
    var learning: LearningSetup?
    var journal = false
    var samples: [ThroughputSample] = []

    func run() throws -> ThroughputSample {
        guard let learning else { return try bareThroughput(ticks) }
        return try engineThroughput(ticks, count: count, warmUp: warmUp, learning: learning, journal: journal)
    }
}

/// The throughput section. Binary ticks: bare libzmq, then the engine with learning off (without and
/// with the journal), with `sgd`, and with the default models; JSON ticks: bare libzmq and the engine with learning off (decoding cost
/// does not depend on learning). Each round runs every case once, in that order, so machine load
/// touches all alike; medians over the rounds. Learning-on runs move fewer ticks (the models cost far
/// more than the transport) after an untimed warm-up over which the models learn and the trees grow.
func runThroughput(_ options: Options) throws -> [ThroughputResult] {
    let count = options.quick ? 100_000 : 400_000
    let learningCount = options.quick ? 40_000 : 120_000
    let learningWarmUp = options.quick ? 10_000 : 30_000
    let (binary, json) = simulatedTicks(count: count, seed: 7)
    print(
        "engine throughput over tcp 127.0.0.1: simulated ticks (seed 7, 6 symbols, SPX the reference), "
            + "median of \(options.runs) rounds")
    print("  events/s = ticks ÷ (first send → compute stage has processed the last tick); bare = first send →")
    print("  a SUB thread has received the last message. when_full: block, receive HWM unbounded: nothing lost.")
    print(
        "  learning on: the first \(grouped(Double(learningCount))) ticks of the same stream, the first "
            + "\(grouped(Double(learningWarmUp))) of them an untimed warm-up")
    print(
        "  (the models learn and grow), events/s over the remaining \(grouped(Double(learningCount - learningWarmUp)))."
    )
    print("  busiest thread CPU ns/event: CPU time of the engine's busiest thread (the compute thread once")
    print("  learning is on) over the timed ticks, from /proc/self/task/*/schedstat; 1e9 ÷ it is what that")
    print("  thread could sustain with a core to itself.")
    print("")
    var cases = [
        ThroughputCase(
            name: "bare libzmq PUB→SUB", format: "binary", ticks: binary, count: count, warmUp: 0, learning: nil),
        ThroughputCase(
            name: "engine, \(LearningSetup.off.label)", format: "binary", ticks: binary, count: count, warmUp: 0,
            learning: .off),
        ThroughputCase(
            name: "engine, \(LearningSetup.off.label), --journal", format: "binary", ticks: binary, count: count,
            warmUp: 0, learning: .off, journal: true),
        ThroughputCase(
            name: "engine, \(LearningSetup.sgd.label)", format: "binary", ticks: binary, count: learningCount,
            warmUp: learningWarmUp,
            learning: .sgd),
        ThroughputCase(
            name: "engine, \(LearningSetup.defaults.label)", format: "binary", ticks: binary, count: learningCount,
            warmUp: learningWarmUp, learning: .defaults),
        ThroughputCase(
            name: "bare libzmq PUB→SUB", format: "JSON", ticks: json, count: count, warmUp: 0, learning: nil),
        ThroughputCase(
            name: "engine, \(LearningSetup.off.label)", format: "JSON", ticks: json, count: count, warmUp: 0,
            learning: .off),
    ]
    for _ in 0..<options.runs {
        for i in cases.indices { cases[i].samples.append(try cases[i].run()) }
    }
    var results: [ThroughputResult] = []
    var bare = 0.0
    for c in cases {
        let rate = median(c.samples.map(\.eventsPerSecond))
        let cpu = c.samples.compactMap(\.busiestThreadNanoseconds)  // empty without /proc
        if c.learning == nil { bare = rate }
        results.append(
            ThroughputResult(
                name: c.name, ticks: c.count, warmUp: c.warmUp, eventsPerSecond: rate, bare: bare,
                alertsPerRun: c.samples.map(\.alertsOut).max() ?? 0,
                dropped: c.samples.reduce(0) { $0 + $1.dropped },
                busiestThreadNanoseconds: c.learning == nil || cpu.isEmpty ? nil : median(cpu),
                isBare: c.learning == nil, format: c.format))
    }
    let header =
        pad("", 46) + padLeft("ticks timed", 12) + padLeft("events/s", 12) + padLeft("ns/event", 11)
        + padLeft("÷ bare", 9) + padLeft("busiest thread CPU ns/event", 29)
    for (title, rows) in [
        ("binary ticks (\(binary.averagePayload) B)", results[0..<5]),
        ("JSON ticks (\(json.averagePayload) B)", results[5..<7]),
    ] {
        print(pad(title, 46) + header.dropFirst(46))
        for r in rows {
            print(
                pad(r.name, 46) + padLeft(grouped(Double(r.ticks - r.warmUp)), 12)
                    + padLeft(grouped(r.eventsPerSecond), 12) + padLeft(fixed(1e9 / r.eventsPerSecond, 1), 11)
                    + (r.isBare ? "" : padLeft("\(fixed(r.ratio, 2))×", 9))
                    + (r.busiestThreadNanoseconds.map { padLeft(fixed($0, 0), 29) } ?? ""))
        }
        print("")
    }
    for (r, c) in zip(results, cases) where !r.isBare {
        let per = c.samples.map { fixed($0.eventsPerSecond / 1000, 0) }.joined(separator: " ")
        print(
            "\(r.name), \(r.format): "
                + "up to \(r.alertsPerRun) alerts per run, \(r.dropped) dropped in all runs; k events/s per round: \(per)"
        )
    }
    return results
}
