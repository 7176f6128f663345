import Foundation
import MarketEvents
import RiskEngine
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

/// `riskstream-bench fuzz-live [--frames N] [--seed S] [--engine PATH] [--timeout S]`: N seeded frames,
/// about half of them hostile, sent to a live `riskstream run` (a process of its own, the binary next to
/// this one unless `--engine` names another) over tcp loopback, then the engine's counters checked to be
/// exact: `events_in` equals the good events sent, `malformed` the hostile frames, `dropped` zero.
///
/// Hostile frames: one or three frames instead of two, unknown kinds, keyless and mismatched topics,
/// non-ASCII topics, truncated and byte-mutated JSON and binary payloads, empty payloads, outbound kinds
/// (alerts, heartbeats), invalid UTF-8, and now and then a payload over the 1 MiB limit (up to 4 MiB,
/// under the 64 MiB at which libzmq would drop the connection). Whether a generated frame is good is
/// decided by `WireCodec` with the engine's limit (a mutation may leave a frame valid): the oracle is the
/// wire contract, and the question is whether the live engine counts every frame, exactly once.
///
/// Barriers, never sleeps: the feed is an XPUB, so the engine's subscription arriving says it is
/// connected (after that nothing is lost: `ZMQ_XPUB_NODROP` and `when_full: block` push back instead);
/// the end is the engine's own heartbeats (every 10 ms, read from its PUB socket) reaching the expected
/// totals, then SIGINT and its final summary line. Fails (exit 1) on a counter past its total, a heartbeat
/// silence or no progress for `--timeout` seconds (default 60), or an unclean exit.
func runFuzzLive(_ arguments: [String]) -> Int32 {
    func value(_ flag: String) -> String? {
        arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    }
    let frames = value("--frames").flatMap(Int.init) ?? 1_000_000
    let seed = value("--seed").flatMap(UInt64.init) ?? 1
    let timeout = value("--timeout").flatMap(Double.init) ?? 60
    let engine =
        value("--engine")
        ?? URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        .appendingPathComponent("riskstream").path
    guard frames > 0, timeout > 0 else {
        printError("fuzz-live: --frames and --timeout must be > 0")
        return 64
    }
    do {
        return try LiveFuzz(frames: frames, seed: seed, timeout: timeout, engine: engine).run()
    } catch {
        printError("fuzz-live: \(error)")
        return 70
    }
}

private struct LiveFuzz {
    var frames: Int
    var seed: UInt64
    var timeout: Double
    var engine: String

    func run() throws -> Int32 {
        let context = try Context()
        let feed = try Socket(context, .xpub)
        try feed.set(.xpubNoDrop(true))
        try feed.set(.sendHighWaterMark(20_000))
        try feed.set(.linger(.seconds(0)))
        try feed.set(.receiveTimeout(.seconds(Int64(timeout))))
        try feed.bind("tcp://127.0.0.1:*")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-live-\(getpid())-\(seed)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let publish = "ipc://\(folder.path)/out.sock"
        let pipeline = folder.appendingPathComponent("fuzz.yaml")
        // Every topic, so hostile topics reach the decoder instead of the subscription filter.
        try Data(
            """
            name: fuzz-live
            ingest:
              topics: ['']
              when_full: block
            publish:
              heartbeat_ms: 10
            """.utf8
        ).write(to: pipeline)

        let observer = try Socket(context, .sub)
        try observer.subscribe("heartbeat")
        try observer.set(.linger(.seconds(0)))
        let child = try EngineProcess(
            engine, ["run", "--pipeline", pipeline.path, "--feed", try feed.lastEndpoint, "--publish", publish])
        defer { child.kill() }
        try observer.connect(publish)
        guard try feed.receiveMessage() != nil else {
            throw BenchError(description: "the engine did not subscribe within \(timeout) s")
        }

        var generator = HostileFrames(seed: seed)
        var expected = Expected()
        let codec = WireCodec()
        var latest: Heartbeat?
        let started = now()
        for _ in 0..<frames {
            let (message, kind) = generator.next()
            if message.count == 2, let event = try? codec.decode(topic: message[0], payload: message[1]),
                ["tick", "news", "position"].contains(event.kind)
            {
                expected.good += 1
            } else {
                expected.hostile[kind, default: 0] += 1
            }
            while try !feed.send(multipart: message, dontWait: true) {
                try drainHeartbeats(observer, into: &latest)
                EngineClock.sleep(nanoseconds: 50_000)  // backpressure: the engine is behind; never a barrier
            }
        }
        let sentSeconds = Double(now() - started) / 1e9
        let malformed = expected.hostile.values.reduce(0, +)

        // The barrier: heartbeats until the counters reach the totals (or pass them: a failure).
        var lastProgress = now()
        var lastCounts = (UInt64(0), UInt64(0))
        while true {
            try drainHeartbeats(observer, into: &latest, wait: true)
            guard let h = latest else { throw BenchError(description: "no heartbeat from the engine") }
            if h.eventsIn == expected.good && h.malformed == malformed { break }
            if h.eventsIn > expected.good || h.malformed > malformed {
                printError(
                    "fuzz-live: counters past their totals: \(Self.counters(h)); expected events_in=\(expected.good) "
                        + "malformed=\(malformed)")
                return 1
            }
            if (h.eventsIn, h.malformed) != lastCounts {
                lastCounts = (h.eventsIn, h.malformed)
                lastProgress = now()
            } else if Double(now() - lastProgress) / 1e9 > timeout {
                printError(
                    "fuzz-live: no progress for \(timeout) s at \(Self.counters(h)); expected events_in="
                        + "\(expected.good) malformed=\(malformed)")
                return 1
            }
        }
        let drainedSeconds = Double(now() - started) / 1e9
        child.interrupt()
        let (status, stderr) = child.wait()
        let summary = stderr.split(separator: "\n").last { $0.hasPrefix("riskstream: stopped:") } ?? "(no summary)"
        let h = latest!
        print(
            "fuzz-live: \(frames) frames, seed \(seed): \(expected.good) good, \(malformed) hostile ("
                + expected.hostile.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + ")")
        print(
            "fuzz-live: sent in \(fixed(sentSeconds, 1)) s, counted in \(fixed(drainedSeconds, 1)) s; "
                + "heartbeat \(Self.counters(h))")
        print("fuzz-live: engine \(summary.dropFirst("riskstream: ".count))")
        let expectedSummary = "events_in=\(expected.good) malformed=\(malformed) dropped=0 "
        guard status == 0, h.dropped == 0, summary.contains(expectedSummary) else {
            printError("fuzz-live: engine exit \(status), expected '\(expectedSummary)' in its summary")
            return 1
        }
        print("fuzz-live: exact: events_in=\(expected.good) malformed=\(malformed) dropped=0")
        return 0
    }

    static func counters(_ h: Heartbeat) -> String {
        "events_in=\(h.eventsIn) malformed=\(h.malformed) dropped=\(h.dropped)"
    }

    /// Reads every heartbeat waiting (with `wait`, at least one, up to 100 ms), keeping the latest.
    private func drainHeartbeats(_ observer: Socket, into latest: inout Heartbeat?, wait: Bool = false) throws {
        var first = wait
        let codec = WireCodec()
        while true {
            if first { try observer.set(.receiveTimeout(.milliseconds(100))) }
            guard let message = try observer.receiveMessage(dontWait: !first) else { return }
            first = false
            if message.count == 2,
                case .heartbeat(let h)? = try? codec.decode(topic: message[0], payload: message[1])
            {
                latest = h
            }
        }
    }

    struct Expected {
        var good: UInt64 = 0
        var hostile: [String: UInt64] = [:]
    }
}

/// The generator: a seeded stream of `[frames]` and a name for the kind of frame (for the hostile
/// tally; a frame that turns out valid counts as good whatever its name).
struct HostileFrames {
    private var state: UInt64
    private var ts = Int64(1_700_000_000_000_000_000)
    private var prices = [Double](repeating: 100, count: 16)
    private var seq = [UInt64](repeating: 0, count: 16)

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func random() -> UInt64 {  // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(random() % UInt64(n)) }

    /// A valid inbound event, JSON or binary: mostly ticks, some news and positions.
    mutating func goodEvent() -> (topic: [UInt8], payload: [UInt8]) {
        ts += Int64(below(1_000_000))
        let i = below(prices.count)
        let symbol = "S\(i)"
        let event: WireEvent
        switch below(10) {
        case 0:
            event = .news(
                News(
                    id: "n\(ts)", ts: ts, symbols: [symbol, "S\((i + 1) % prices.count)"],
                    headline: "Shares of \(symbol) " + (below(2) == 0 ? "rally on strong results" : "slump on a recall")))
        case 1:
            event = .position(
                Position(account: "desk\(below(3))", symbol: symbol, quantity: Double(below(2000)) - 1000, ts: ts))
        default:
            prices[i] *= 1 + (Double(below(2001)) - 1000) * 1e-6
            seq[i] += 1
            let spread = prices[i] * 1e-4
            event = .tick(
                Tick(
                    symbol: symbol, ts: ts, price: prices[i], size: Double(1 + below(500)), bid: prices[i] - spread,
                    ask: prices[i] + spread, seq: below(2) == 0 ? seq[i] : nil))
        }
        let payload = below(2) == 0 ? WireCodec.encodeJSON(event) : WireCodec.encodeBinary(event)
        return (Array(event.topic.utf8), payload)
    }

    /// The next message: half good events, half hostile frames of one of a dozen kinds.
    mutating func next() -> (frames: [[UInt8]], kind: String) {
        let (topic, payload) = goodEvent()
        guard below(2) == 1 else { return ([topic, payload], "good") }
        switch below(13) {
        case 0: return ([topic], "one_frame")
        case 1: return ([topic, payload, payload], "three_frames")
        case 2: return ([Array("quote.\(below(99))".utf8), payload], "unknown_kind")
        case 3: return ([Array(topic.prefix { $0 != UInt8(ascii: ".") }), payload], "no_key")
        case 4: return ([topic + Array("X".utf8), payload], "key_mismatch")
        case 5: return ([[0xFF, 0xFE] + topic, payload], "non_ascii_topic")
        case 6: return ([topic, Array(payload.prefix(below(payload.count)))], "truncated")
        case 7:
            var mutated = payload
            for _ in 0...below(4) { mutated[below(mutated.count)] = UInt8(truncatingIfNeeded: random()) }
            return ([topic, mutated], "mutated")
        case 8: return ([topic, []], "empty_payload")
        case 9:
            let heartbeat = Heartbeat(seq: 1, ts: ts, eventsIn: 1)
            let event = WireEvent.heartbeat(heartbeat)
            let encoded = below(2) == 0 ? WireCodec.encodeJSON(event) : WireCodec.encodeBinary(event)
            return ([Array("heartbeat".utf8), encoded], "outbound_kind")
        case 10:
            let json = #"{"ts":1,"symbols":["S1"],"headline":"bad \#u{FF}"}"#
            var bytes = Array(json.utf8)
            let at = bytes.firstIndex(of: 0xC3) ?? bytes.count - 3
            bytes[at] = 0xFF  // never valid in UTF-8
            return ([Array("news.S1".utf8), bytes], "invalid_utf8")
        case 11:
            guard below(200) == 0 else { return ([topic, payload + Array(" x".utf8)], "trailing_bytes") }
            let size = (1 << 20) + 1 + below(3 << 20)
            return ([topic, [UInt8](repeating: UInt8(ascii: " "), count: size)], "oversized")
        default:
            return ([topic, Array("{\"symbol\":\"S1\",\"ts\":1,\"price\":-1}".utf8)], "bad_value")
        }
    }
}

/// A `riskstream` child process whose standard error is collected in the background.
private final class EngineProcess: @unchecked Sendable {
    // @unchecked: `errors` is written by the reader thread before `group.wait()` returns in `wait`.
    let process = Process()
    private let pipe = Pipe()
    private let group = DispatchGroup()
    private var errors = Data()

    init(_ path: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        group.enter()
        DispatchQueue.global().async { [self] in
            errors = pipe.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
    }

    func interrupt() { Glibc.kill(process.processIdentifier, SIGINT) }

    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    func wait() -> (Int32, String) {
        process.waitUntilExit()
        group.wait()
        return (process.terminationStatus, String(decoding: errors, as: UTF8.self))
    }
}
