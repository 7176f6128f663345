import MarketEvents
import MarketSimulator
import RiskEngine
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// `riskstream-bench soak [--ticks N] [--models LIST]`: N simulated ticks (default 5,000,000) through a
/// real engine over an inproc socket, learning with the comma-separated model kinds of LIST (default the
/// pipeline's, `sgd,arf`; `none` turns the learning stage off), nothing dropped (`block` and a no-drop feed), with a subscriber reading everything
/// the engine publishes. Prints resident memory after a tenth of the ticks (warm) and at the end, and
/// exits 1 if a tick went missing or memory grew by more than 16 MiB after warm-up. A process of its
/// own, so the figure is the engine's alone (the test suite runs it as a child).
func runSoak(_ arguments: [String]) -> Int32 {
    var total = 5_000_000
    if let i = arguments.firstIndex(of: "--ticks"), i + 1 < arguments.count, let n = Int(arguments[i + 1]), n >= 10 {
        total = n
    }
    let warm = total / 10
    var models: [Pipeline.Learning.Model]?
    if let i = arguments.firstIndex(of: "--models"), i + 1 < arguments.count {
        let names = arguments[i + 1].split(separator: ",").map(String.init)
        models = []
        for name in names where name != "none" {
            guard let kind = Pipeline.Learning.Model.Kind(rawValue: name) else {
                printError("soak: unknown model kind '\(name)' (known: sgd, htr, arf, none)")
                return 2
            }
            models!.append(.init(name: name, kind: kind))
        }
    }
    do {
        let context = try Context()
        let feed = try Socket(context, .xpub)
        try feed.set(.xpubNoDrop(true))
        try feed.set(.sendHighWaterMark(10_000))
        try feed.bind("inproc://soak")
        var pipeline = Pipeline()
        pipeline.ingest.feeds = ["inproc://soak"]
        pipeline.ingest.topics = ["tick."]
        pipeline.ingest.whenFull = .block
        // Bounded queues everywhere (10k messages in each libzmq pipe), so what memory does after warm-up
        // is the engine's own: a queue that filled once keeps its pages in malloc's free lists.
        pipeline.ingest.receiveHighWaterMark = 10_000
        pipeline.publish.endpoint = "inproc://soak-out"
        pipeline.publish.heartbeatMilliseconds = 100
        pipeline.publish.riskSnapshotMilliseconds = 100
        pipeline.learning.referenceSymbol = "SPX"
        if let models {
            pipeline.learning.models = models
            pipeline.learning.enabled = !models.isEmpty
        }
        let engine = try Engine(pipeline: pipeline, context: context)
        let observer = try Socket(context, .sub)
        try observer.subscribe("")
        try observer.connect("inproc://soak-out")
        engine.start()
        defer {
            engine.stop()
            engine.wait()
        }
        try feed.set(.receiveTimeout(.seconds(5)))
        guard try feed.receiveMessage() != nil else {
            printError("soak: the engine never subscribed")
            return 1
        }
        var simulator = MarketSimulator(configuration: .standard(seed: 99))
        var sequence: [String: UInt64] = [:]
        var payload: [UInt8] = []
        var sent = 0
        var rssWarm = 0
        var outbound = 0
        while sent < total {
            guard case .tick(var tick) = simulator.next() else { continue }
            let next = (sequence[tick.symbol] ?? 0) + 1
            sequence[tick.symbol] = next
            tick.seq = next
            payload.removeAll(keepingCapacity: true)
            WireCodec.encodeBinary(.tick(tick), into: &payload)
            let topic = Array("tick.\(tick.symbol)".utf8)
            while try !feed.send(multipart: [topic, payload], dontWait: true) {
                while try observer.receiveMessage(dontWait: true) != nil { outbound += 1 }
                EngineClock.sleep(nanoseconds: 50_000)
            }
            sent += 1
            if sent % 1024 == 0 {
                while try observer.receiveMessage(dontWait: true) != nil { outbound += 1 }
            }
            if sent == warm {
                while engine.counters.processed.load(ordering: .relaxed) < UInt64(warm) {
                    EngineClock.sleep(nanoseconds: 1_000_000)
                }
                rssWarm = residentBytes()
            }
        }
        let deadline = EngineClock.monotonicNanoseconds() + 120_000_000_000
        while engine.counters.processed.load(ordering: .relaxed) < UInt64(total),
            EngineClock.monotonicNanoseconds() < deadline
        {
            while try observer.receiveMessage(dontWait: true) != nil { outbound += 1 }
            EngineClock.sleep(nanoseconds: 1_000_000)
        }
        let rssEnd = residentBytes()
        let eventsIn = engine.counters.eventsIn.load(ordering: .relaxed)
        let growth = rssEnd - rssWarm
        print(
            "soak: \(total) ticks, events_in=\(eventsIn) dropped=\(engine.dropped) "
                + "malformed=\(engine.counters.malformed.load(ordering: .relaxed)) messages_out=\(outbound); "
                + "RSS after \(warm): \(rssWarm >> 20) MiB, after \(total): \(rssEnd >> 20) MiB, "
                + "growth \(growth >> 10) KiB")
        guard eventsIn == UInt64(total), engine.dropped == 0 else {
            printError("soak: ticks went missing")
            return 1
        }
        guard growth < 16 << 20 else {
            printError("soak: memory grew by \(growth >> 20) MiB after warm-up")
            return 1
        }
        return 0
    } catch {
        printError("soak: \(error)")
        return 70
    }
}

/// Resident set size of this process, from /proc/self/statm.
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var size = 0
    var resident = 0
    _ = withUnsafeMutablePointer(to: &size) { s in
        withUnsafeMutablePointer(to: &resident) { r in
            withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) }
        }
    }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}
