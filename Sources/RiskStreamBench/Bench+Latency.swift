// The latency section: ticks offered at a fixed rate over tcp loopback, each stamped with the wall clock
// just before it is sent; a subscriber records (wall clock on receipt − the stamp carried back) in a
// histogram. Through the engine, the stamp comes back as an alert's `event_ts`: every K-th tick is a
// crossed quote, which raises one `data_quality` alert at once (cooldown 0). Through the bare relay, a
// thread forwards every frame untouched from a SUB to a PUB and the receiver reads the tick's own `ts`.
// Sender, sockets, contexts and receiver are the same in both; only the middle differs.
import MarketEvents
import MarketSimulator
import RiskEngine
import Synchronization
import ZeroMQ

/// Flags shared by the sender (this thread), the receiver and the relay.
final class LatencyFlags: Sendable {
    let stop = Atomic<Bool>(false)
    /// Wall time from which samples count (after the warm-up); `Int64.max` until then.
    let measureFrom = Atomic<Int64>(.max)
}

struct LatencyResult {
    var name: String
    var histogram: Histogram
    /// Samples that should have arrived: crossed quotes (engine) or every tick (relay) after the warm-up.
    var expected: Int
    var offeredRate: Double
    /// Alerts other than `data_quality` received (engine only; not timed).
    var otherAlerts = 0
}

/// The ticks offered in one latency run: `seq` per topic, every `alertEvery`-th one crossed.
struct LatencyTicks {
    var ticks: [Tick] = []
    var topics: [[UInt8]] = []
    var topicOf: [Int] = []
    var crossed: [Bool] = []

    init(count: Int, rate: Double, alertEvery: Int, seed: UInt64) {
        var market = SimulatorConfiguration.standard(seed: seed)
        market.scaleVolatility(by: 0.01 * (2000 / rate).squareRoot())  // as the demo does at `rate`
        var simulator = MarketSimulator(configuration: market)
        var index: [String: Int] = [:]
        var seqs: [UInt64] = []
        while ticks.count < count {
            guard case .tick(var tick) = simulator.next() else { continue }
            let id: Int
            if let known = index[tick.symbol] {
                id = known
            } else {
                id = seqs.count
                index[tick.symbol] = id
                seqs.append(0)
                topics.append(Array("tick.\(tick.symbol)".utf8))
            }
            seqs[id] += 1
            tick.seq = seqs[id]
            let cross = (ticks.count + 1) % alertEvery == 0
            if cross {
                let mid = referencePrice(tick)
                tick.bid = mid * 1.0005
                tick.ask = mid * 0.9995
            }
            ticks.append(tick)
            topicOf.append(id)
            crossed.append(cross)
        }
    }
}

/// The quote mid when uncrossed, else the trade price (what the engine's estimators follow).
private func referencePrice(_ tick: Tick) -> Double {
    if let bid = tick.bid, let ask = tick.ask, bid <= ask { return (bid + ask) / 2 }
    return tick.price
}

/// The engine's pipeline for the latency runs: alerts only from crossed quotes (data_quality cooldown 0,
/// volatility thresholds out of reach, no jump quarantine), no snapshots, alerts in JSON as by default.
func latencyPipeline(feed: String, learning: LearningSetup) -> Pipeline {
    var pipeline = Pipeline()
    pipeline.name = "bench-latency"
    pipeline.ingest.feeds = [feed]
    pipeline.ingest.topics = ["tick."]
    pipeline.ingest.whenFull = .block
    pipeline.dataQuality.cooldownMilliseconds = 0
    pipeline.dataQuality.jumpSigmas = 1_000
    pipeline.dataQuality.staleAfterMilliseconds = 60_000
    pipeline.volatility.warning = 1e5
    pipeline.volatility.critical = 1e6
    pipeline.publish.endpoint = "tcp://127.0.0.1:*"
    pipeline.publish.riskSnapshotMilliseconds = 0
    learning.apply(to: &pipeline)
    return pipeline
}

/// Starts the receiving thread: SUB on `endpoint` for `prefix`, recording receive time − the event time
/// carried in each message (a `data_quality` alert's `event_ts`, a tick's `ts`) once `flags.measureFrom`
/// has passed. Other alerts (the learning stage's risk alerts) are counted in `others`, not timed.
func startReceiver(
    _ context: Context, endpoint: String, prefix: String, flags: LatencyFlags
) throws -> (BackgroundThread, Box<(histogram: Histogram, others: Int)>) {
    let sub = try Socket(context, .sub)
    try sub.set(.receiveTimeout(.milliseconds(20)))
    try sub.subscribe(prefix)
    try sub.connect(endpoint)
    let result = Box((histogram: Histogram(), others: 0))
    let thread = BackgroundThread(name: "bench-receive") {
        let buffer = MessageBuffer(capacity: 2)
        let codec = WireCodec()
        var histogram = Histogram()
        var others = 0
        while !flags.stop.load(ordering: .relaxed) {
            guard (try? sub.receive(into: buffer)) == true else { continue }
            let arrived = EngineClock.wallNanoseconds()
            guard buffer.frameCount == 2,
                let event = try? codec.decode(topic: buffer.frame(0), payload: buffer.frame(1))
            else { continue }
            let eventTs: Int64
            switch event {
            case .alert(let alert) where alert.kind == .dataQuality: eventTs = alert.eventTs
            case .alert:
                others += 1
                continue
            case .tick(let tick): eventTs = tick.ts
            default: continue
            }
            if eventTs >= flags.measureFrom.load(ordering: .relaxed) { histogram.record(arrived - eventTs) }
        }
        result.value = (histogram, others)
        sub.close()
    }
    return (thread, result)
}

/// Offers `ticks` on `feed` at `rate` on an absolute schedule (a late send is not made up by skipping),
/// stamping each `ts` with the wall clock just before encoding and sending. The first `warmUp` ticks
/// are not measured. Returns (ticks sent after the warm-up, crossed among them, seconds they took).
func offer(
    _ ticks: LatencyTicks, on feed: Socket, rate: Double, warmUp: Int, flags: LatencyFlags
) throws -> (sent: Int, crossed: Int, seconds: Double) {
    var payload: [UInt8] = []
    payload.reserveCapacity(256)
    let period = 1e9 / rate
    let start = now()
    var measuredStart = start
    var sent = 0
    var crossed = 0
    for i in ticks.ticks.indices {
        if i == warmUp {
            flags.measureFrom.store(EngineClock.wallNanoseconds(), ordering: .relaxed)
            measuredStart = now()
        }
        sleep(until: start + Int64(Double(i) * period))
        var tick = ticks.ticks[i]
        tick.ts = EngineClock.wallNanoseconds()
        payload.removeAll(keepingCapacity: true)
        WireCodec.encodeBinary(.tick(tick), into: &payload)
        try ticks.topics[ticks.topicOf[i]].withUnsafeBytes { t throws in
            try payload.withUnsafeBytes { p throws in _ = try feed.send(topic: t, payload: p) }
        }
        if i >= warmUp {
            sent += 1
            if ticks.crossed[i] { crossed += 1 }
        }
    }
    return (sent, crossed, Double(now() - measuredStart) / 1e9)
}

enum LatencyMiddle {
    case engine(LearningSetup)
    case relay
}

func measureLatency(_ middle: LatencyMiddle, ticks: LatencyTicks, rate: Double, warmUp: Int) throws -> LatencyResult {
    let edgeContext = try Context(ioThreads: 1)  // the feed's and the execution side's sockets
    let middleContext = try Context(ioThreads: 1)  // the engine's or the relay's
    let flags = LatencyFlags()
    let (feed, feedEndpoint) = try boundFeed(edgeContext)
    defer { feed.close() }
    var engine: Engine?
    var relay: BackgroundThread?
    let outEndpoint: String
    let name: String
    switch middle {
    case .engine(let learning):
        name = "engine, \(learning.label)"
        let e = try Engine(pipeline: latencyPipeline(feed: feedEndpoint, learning: learning), context: middleContext)
        e.start()
        engine = e
        outEndpoint = e.publishEndpoint!
        try awaitSubscriber(feed, "the engine")
    case .relay:
        name = "bare relay SUB→PUB"
        let sub = try Socket(middleContext, .sub)
        try sub.set(.receiveTimeout(.milliseconds(20)))
        try sub.subscribe("tick.")
        try sub.connect(feedEndpoint)
        let pub = try Socket(middleContext, .pub)
        try pub.bind("tcp://127.0.0.1:*")
        outEndpoint = try pub.lastEndpoint
        try awaitSubscriber(feed, "the relay")
        relay = BackgroundThread(name: "bench-relay") {
            let buffer = MessageBuffer(capacity: 2)
            while !flags.stop.load(ordering: .relaxed) {
                guard (try? sub.receive(into: buffer)) == true, buffer.frameCount == 2 else { continue }
                _ = try? pub.send(topic: buffer.frame(0), payload: buffer.frame(1))
            }
            sub.close()
            pub.close()
        }
    }
    let (receiver, histogram) = try startReceiver(
        edgeContext, endpoint: outEndpoint, prefix: engine != nil ? "alert." : "tick.", flags: flags)
    let offered = try offer(ticks, on: feed, rate: rate, warmUp: warmUp, flags: flags)
    sleep(until: now() + 200_000_000)  // let the last alerts arrive
    flags.stop.store(true, ordering: .relaxed)
    receiver.join()
    relay?.join()
    if let engine {
        engine.stop()
        engine.wait()
    }
    return LatencyResult(
        name: name, histogram: histogram.value.histogram, expected: engine != nil ? offered.crossed : offered.sent,
        offeredRate: Double(offered.sent) / offered.seconds, otherAlerts: histogram.value.others)
}

func runLatency(_ options: Options) throws -> [LatencyResult] {
    let seconds = options.latencySeconds ?? (options.quick ? 2.5 : 8)
    let warmUpSeconds = options.quick ? 0.3 : 0.5
    let warmUp = Int(options.rate * warmUpSeconds)
    let ticks = LatencyTicks(
        count: warmUp + Int(options.rate * seconds), rate: options.rate, alertEvery: options.alertEvery, seed: 11)
    print(
        "tick-to-alert latency over tcp 127.0.0.1: \(grouped(options.rate)) ticks/s offered for \(fixed(seconds, 1)) s "
            + "after a \(fixed(warmUpSeconds, 1)) s warm-up; 1 tick in \(options.alertEvery) a crossed quote")
    print(
        "  latency = receiver's wall clock − the tick's ts, stamped just before send; binary ticks in, JSON alerts out")
    print("")
    // Relay first, then the engine with learning off and on: each gets the machine alone.
    let results = [
        try measureLatency(.relay, ticks: ticks, rate: options.rate, warmUp: warmUp),
        try measureLatency(.engine(.off), ticks: ticks, rate: options.rate, warmUp: warmUp),
        try measureLatency(.engine(.defaults), ticks: ticks, rate: options.rate, warmUp: warmUp),
    ]
    let columns = ["p50", "p90", "p99", "p99.9", "max"]
    print(
        pad("µs: tick → data_quality alert (relay: tick)", 44) + padLeft("samples", 15)
            + columns.map { padLeft($0, 10) }.joined())
    for r in results {
        let h = r.histogram
        let values = [50.0, 90, 99, 99.9].map { h.value(atPercentile: $0) } + [h.max]
        let samples = "\(grouped(Double(h.totalCount)))/\(grouped(Double(r.expected)))"
        print(pad(r.name, 44) + padLeft(samples, 15) + values.map { padLeft(fixed(Double($0) / 1000, 1), 10) }.joined())
    }
    print("")
    print(
        "samples = recorded / expected after the warm-up; offered rate achieved: "
            + results.map { "\(grouped($0.offeredRate))/s" }.joined(separator: ", ")
            + "; other alerts (not timed), learning off/on: \(results[1].otherAlerts)/\(results[2].otherAlerts)")
    return results
}
