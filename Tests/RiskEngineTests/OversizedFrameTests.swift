import MarketEvents
import RiskEngine
import Synchronization
import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// Issue 10, "No frame can silence a feed": frames of any size, between good ticks, over tcp and ipc, with
/// the engine connecting to a binding feed and a feed connecting to the engine. Frames up to
/// `ingest.max_frame_bytes` are received and counted `oversized`; a bigger one makes libzmq drop the
/// connection, and the feed comes back (the engine reconnects what it connected; a connecting publisher's
/// libzmq reconnects by itself). Serialized: each case moves a few hundred MiB.
@Suite(.serialized) struct OversizedFrameTests {
    enum Direction: String, CaseIterable, Sendable {
        /// `ingest.feeds`: the feed binds, the engine connects.
        case engineConnects
        /// `ingest.bind`: the engine binds, the feed connects.
        case feedConnects
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var direction: Direction
        var ipc: Bool
        /// `ingest.max_frame_bytes`; nil keeps the default (64 MiB).
        var maxFrameBytes: Int?
        var testDescription: String {
            "\(direction) over \(ipc ? "ipc" : "tcp"), ceiling \((maxFrameBytes ?? Pipeline().ingest.maxFrameBytes) >> 20) MiB"
        }
    }

    static let sizes = [10 << 20, 63 << 20, 65 << 20, 200 << 20]
    static let serial = Atomic<Int>(0)

    static func endpoint(ipc: Bool) -> String {
        ipc ? "ipc:///tmp/rs-frames-\(getpid())-\(serial.add(1, ordering: .relaxed).newValue).sock" : "tcp://127.0.0.1:*"
    }

    @Test(arguments: [
        Case(direction: .engineConnects, ipc: false), Case(direction: .feedConnects, ipc: false),
        Case(direction: .engineConnects, ipc: true, maxFrameBytes: 32 << 20),
        Case(direction: .feedConnects, ipc: true, maxFrameBytes: 32 << 20),
    ])
    func framesOfAnySizeAreCountedAndTheFeedKeepsFlowing(_ test: Case) throws {
        let context = try Context()
        let feed = try Socket(context, .pub)
        var pipeline = Pipeline()
        if let ceiling = test.maxFrameBytes { pipeline.ingest.maxFrameBytes = ceiling }
        let ceiling = pipeline.ingest.maxFrameBytes
        switch test.direction {
        case .engineConnects:
            try feed.bind(Self.endpoint(ipc: test.ipc))
            pipeline.ingest.feeds = [try feed.lastEndpoint]
        case .feedConnects:
            pipeline.ingest.bind = [Self.endpoint(ipc: test.ipc)]
        }
        let engine = try Engine(pipeline: pipeline, context: context)
        engine.start()
        defer {
            engine.stop()
            engine.wait()
        }
        if test.direction == .feedConnects { try feed.connect(engine.boundFeedEndpoints[0]) }
        let counters = engine.counters
        var tick = 0
        func sendGoodTick() throws {
            tick += 1
            let event = EngineHarness.tick("GOOD", tick, mid: 100, seq: UInt64(tick))
            try feed.send(multipart: [Array(event.topic.utf8), WireCodec.encodeJSON(event)])
        }
        /// Resends a good tick (the feed may be reconnecting: what it sent meanwhile is lost) until the
        /// engine has taken one more than `baseline`.
        func deliverGoodTick(after baseline: UInt64) throws {
            try #require(
                try waitFor({ counters.eventsIn.load(ordering: .relaxed) > baseline }, resend: sendGoodTick),
                "no good tick got through after \(baseline)")
        }

        try deliverGoodTick(after: 0)
        var oversized: UInt64 = 0
        var overCeiling: UInt64 = 0
        for size in Self.sizes {
            try feed.send(multipart: [Array("tick.GOOD".utf8), [UInt8](repeating: 0x20, count: size)])
            // Wait until the engine has seen the frame: after it, no earlier tick can still arrive.
            if size <= ceiling {
                oversized += 1
                try #require(try waitFor { counters.malformed.load(ordering: .relaxed) == oversized }, "\(size)")
            } else {
                overCeiling += 1
                try #require(try waitFor { counters.disconnects.load(ordering: .relaxed) == overCeiling }, "\(size)")
            }
            try deliverGoodTick(after: counters.eventsIn.load(ordering: .relaxed))
        }
        let eventsIn = counters.eventsIn.load(ordering: .relaxed)
        #expect(try waitFor { counters.processed.load(ordering: .relaxed) == eventsIn })
        #expect(engine.malformedLog.countsByReason == ["oversized": oversized])
        #expect(oversized == UInt64(Self.sizes.filter { $0 <= ceiling }.count))
        #expect(overCeiling >= 2)
        #expect(counters.disconnects.load(ordering: .relaxed) == overCeiling)
        let reconnects: UInt64 = test.direction == .engineConnects ? overCeiling : 0
        #expect(counters.feedReconnects.load(ordering: .relaxed) == reconnects)
    }

    /// Polls `condition` every millisecond, calling `resend` first and then every 50 ms, for at most 60 s
    /// (a bound on failure, never a barrier): whether it became true.
    func waitFor(_ condition: () -> Bool, resend: (() throws -> Void)? = nil) throws -> Bool {
        let deadline = EngineClock.monotonicNanoseconds() + 60_000_000_000
        var nextResend: Int64 = 0
        while EngineClock.monotonicNanoseconds() < deadline {
            if let resend, EngineClock.monotonicNanoseconds() >= nextResend {
                try resend()
                nextResend = EngineClock.monotonicNanoseconds() + 50_000_000
            }
            if condition() { return true }
            usleep(1_000)
        }
        return condition()
    }
}
