import MarketEvents
import MarketSimulator
import RiskEngine
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

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

@Suite struct SoakTests {
    /// Five million simulated ticks through a real engine (inproc socket, ring, compute, publisher):
    /// every tick is counted and memory stays flat once warm.
    @Test func fiveMillionSimulatedTicksKeepMemoryFlat() throws {
        let total = 5_000_000
        let warm = 500_000
        let context = try Context()
        let feed = try Socket(context, .xpub)
        try feed.set(.xpubNoDrop(true))
        try feed.set(.sendHighWaterMark(10_000))
        try feed.bind("inproc://soak")
        var pipeline = Pipeline()
        pipeline.ingest.feeds = ["inproc://soak"]
        pipeline.ingest.topics = ["tick."]
        pipeline.ingest.whenFull = .block
        pipeline.publish.endpoint = "inproc://soak-out"
        pipeline.publish.heartbeatMilliseconds = 100
        pipeline.publish.riskSnapshotMilliseconds = 100
        let engine = try Engine(pipeline: pipeline, context: context)
        let observer = try Socket(context, .sub)  // a subscriber that reads everything, as a desk would
        try observer.subscribe("")
        try observer.connect("inproc://soak-out")
        engine.start()
        defer {
            engine.stop()
            engine.wait()
        }
        try feed.set(.receiveTimeout(.seconds(5)))
        _ = try #require(try feed.receiveMessage(), "engine never subscribed")

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
            let topic = "tick.\(tick.symbol)"
            while try !feed.send(multipart: [Array(topic.utf8), payload], dontWait: true) {
                while try observer.receiveMessage(dontWait: true) != nil { outbound += 1 }
                EngineClock.sleep(nanoseconds: 50_000)
            }
            sent += 1
            if sent % 1024 == 0 {
                while try observer.receiveMessage(dontWait: true) != nil { outbound += 1 }
            }
            if sent == warm {
                while engine.counters.eventsIn.load(ordering: .relaxed) < UInt64(warm) {
                    EngineClock.sleep(nanoseconds: 1_000_000)
                }
                rssWarm = residentBytes()
            }
        }
        let deadline = EngineClock.monotonicNanoseconds() + 60_000_000_000
        while engine.counters.eventsIn.load(ordering: .relaxed) < UInt64(total),
            EngineClock.monotonicNanoseconds() < deadline
        {
            while try observer.receiveMessage(dontWait: true) != nil { outbound += 1 }
            EngineClock.sleep(nanoseconds: 1_000_000)
        }
        let rssEnd = residentBytes()
        print(
            "soak: \(total) ticks, RSS after \(warm): \(rssWarm / 1_048_576) MiB, after \(total): "
                + "\(rssEnd / 1_048_576) MiB (growth \((rssEnd - rssWarm) / 1024) KiB); \(outbound) messages out")
        #expect(engine.counters.eventsIn.load(ordering: .relaxed) == UInt64(total))
        #expect(engine.dropped == 0)
        #expect(engine.counters.malformed.load(ordering: .relaxed) == 0)
        #expect(rssEnd - rssWarm < 16 << 20, "memory grew by \((rssEnd - rssWarm) >> 20) MiB after warm-up")
    }
}
