import ArgumentParser
import MarketEvents
import MarketSimulator
import RiskEngine
import ZeroMQ

struct FeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "feed",
        abstract: "Publish a seeded, simulated market feed (ticks and news) on a ZeroMQ PUB socket.",
        discussion: """
            The stream is deterministic for a given --seed and --symbols: correlated returns, volatility \
            regimes with jumps, bid/ask quotes and news. Each tick carries `seq`, counted per topic from 1, \
            so a subscriber filtering by prefix can still see gaps. A summary goes to standard error.

            Calibrated: at the rate event timestamps advance (--rate with wall timestamps, --event-rate \
            with simulated ones), the index reads --index-volatility annualised in the normal regime, as \
            the engine annualises (variance per second x 5,896,800 trading seconds a year). \
            --microstructure realistic prints on real tick grids, mostly at an unchanged price, some \
            without quotes, some in same-millisecond bursts; --session us-equities makes the simulated \
            clock quiet overnight and busy at the open. --truth FILE writes what the market really did \
            (regime changes, jumps, the scripted crash, negative news) as JSON lines, with the \
            timestamps the events were published with, for `riskstream score`.

            Example:
              riskstream feed --publish tcp://127.0.0.1:5555 --rate 2000 --encoding binary

            Example, writing the ground truth for `riskstream score`:
              riskstream feed --publish ipc:///tmp/f --timestamps simulated --truth t.jsonl
            """
    )

    enum Encoding: String, ExpressibleByArgument, CaseIterable {
        case json, binary
    }

    enum Timestamps: String, ExpressibleByArgument, CaseIterable {
        /// Event `ts` is the wall clock when the event is published.
        case wall
        /// Event `ts` is the simulator's own clock: the byte stream is identical on every run.
        case simulated
    }

    @Option(help: ArgumentHelp("Endpoint to bind the PUB socket at.", valueName: "endpoint"))
    var publish: String

    @Option(parsing: .unconditional, help: "Events per second; 0 publishes as fast as possible.")
    var rate: Double = 1000

    @Option(parsing: .unconditional, help: "Stop after this many events.")
    var count: Int?

    @Option(parsing: .unconditional, help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "Payload encoding.")
    var encoding: Encoding = .json

    @Option(help: "Where event timestamps come from.")
    var timestamps: Timestamps = .wall

    @Option(parsing: .unconditional, help: "Wait until this many subscribers have subscribed before publishing.")
    var waitForSubscribers: Int = 0

    @Option(help: ArgumentHelp("Write the market's ground truth here, one JSON object a line.", valueName: "file"))
    var truth: String?

    @OptionGroup(title: "Simulated market")
    var market: FeedMarketOptions

    func validate() throws {
        guard rate == 0 || (rate >= 0.001 && rate <= 1e9) else {
            throw ValidationError("--rate must be 0 (as fast as possible) or 0.001 to 1000000000 events a second")
        }
        if let count, count <= 0 { throw ValidationError("--count must be > 0") }
        if let duration, let problem = durationProblem(duration) { throw ValidationError(problem) }
        guard waitForSubscribers >= 0 else { throw ValidationError("--wait-for-subscribers must be >= 0") }
    }

    /// The simulated market at this command's rates: calibrated at the publishing rate when events are
    /// stamped on the wall clock at a set rate, else at the simulated clock's rate.
    func marketConfiguration() throws -> SimulatorConfiguration {
        let simulated = market.simulatedRate(publishingRate: rate)
        let calibration = timestamps == .wall && rate > 0 ? rate : simulated
        return try market.configuration(simulatedRate: simulated, calibrationRate: calibration)
    }

    func run() throws {
        installStopHandlers()
        let context: Context
        let socket: Socket
        do {
            context = try Context()
            socket = try Socket(context, waitForSubscribers > 0 ? .xpub : .pub)
            try socket.set(.sendHighWaterMark(100_000))
            try socket.set(.linger(.seconds(1)))  // flush what is queued on exit, but never hang
        } catch {
            throw failure("cannot create the PUB socket: \(error)", ExitStatus.software)
        }
        do {
            try socket.bind(publish)
        } catch {
            throw endpointFailure(error)
        }
        defer { socket.close() }
        if waitForSubscribers > 0 {
            try awaitSubscribers(on: socket, count: waitForSubscribers)
        }

        let configuration = try marketConfiguration()
        do {
            try configuration.validate()
        } catch {
            throw failure("simulator configuration: \(error)", ExitStatus.dataError)
        }
        var truthFile: GroundTruthFile?
        if let truth {
            do {
                truthFile = try GroundTruthFile(path: truth, configuration: configuration, feed: self)
            } catch {
                throw failure("cannot write \(truth): \(error)", ExitStatus.dataError)
            }
        }
        var simulator = MarketSimulator(configuration: configuration)
        simulator.recordsGroundTruth = truthFile != nil
        var feed = SimulatedFeed(
            simulator: simulator, publisher: FramePublisher(socket: socket, encoding: encoding), rate: rate,
            timestamps: timestamps)
        let start = EngineClock.monotonicNanoseconds()
        let deadline = duration.map { start + Int64($0 * 1e9) }
        let (sent, ticks): (Int, Int)
        do {
            (sent, ticks) = try feed.run(count: count, deadline: deadline, truth: truthFile?.write) { shouldStop }
        } catch {
            throw failure("publishing failed: \(error)", ExitStatus.software)
        }
        if let truthFile {
            do {
                try truthFile.finish(events: sent, ticks: ticks, lastTs: feed.lastTimestamp)
            } catch {
                throw failure("cannot write \(truth ?? ""): \(error)", ExitStatus.dataError)
            }
        }
        let seconds = Double(EngineClock.monotonicNanoseconds() - start) / 1e9
        let perSecond = seconds > 0 ? Double(sent) / seconds : 0
        printError(
            "feed: published \(sent) events (\(ticks) ticks, \(sent - ticks) news) on \(publish) in "
                + "\(formatFixed(seconds, 2)) s (\(Int(perSecond)) events/s, \(encoding.rawValue))")
    }

}

/// Waits on an XPUB socket until `count` subscriptions have arrived (or a stop signal).
func awaitSubscribers(on socket: Socket, count: Int) throws {
    do {
        try socket.set(.receiveTimeout(.milliseconds(100)))
        var seen = 0
        while seen < count && !shouldStop {
            if let message = try socket.receiveMessage(), message.first?.first == 1 { seen += 1 }
        }
    } catch {
        throw failure("waiting for subscribers failed: \(error)", ExitStatus.software)
    }
}

/// Publishes a simulator's events at a steady rate (or as fast as possible) until told to stop.
struct SimulatedFeed {
    var simulator: MarketSimulator
    var publisher: FramePublisher
    /// Events per second; 0 means no pacing.
    let rate: Double
    let timestamps: FeedCommand.Timestamps
    /// The `ts` of the latest event published.
    private(set) var lastTimestamp: Int64?

    /// Runs until `count` events, the monotonic `deadline`, or `stop()` returns true (checked at least
    /// every 100 ms). Returns events and ticks sent. When the simulator records ground truth, `truth`
    /// receives it after each event that carried some, with that event's published and simulated `ts`.
    mutating func run(
        count: Int?, deadline: Int64?,
        truth: ((_ events: [GroundTruthEvent], _ publishedTs: Int64, _ simulatedTs: Int64) -> Void)? = nil,
        stop: () -> Bool
    ) throws(ZeroMQError) -> (Int, Int) {
        let start = EngineClock.monotonicNanoseconds()
        let spacing = rate > 0 ? 1e9 / rate : 0
        var sent = 0
        var ticks = 0
        while !stop() {
            if let count, sent >= count { break }
            let now = EngineClock.monotonicNanoseconds()
            if let deadline, now >= deadline { break }
            if spacing > 0 {
                let due = start + Int64(Double(sent) * spacing)
                if due > now {
                    EngineClock.sleep(nanoseconds: min(due - now, 100_000_000))
                    continue
                }
            }
            var event = simulator.next()
            let simulatedTs = event.inboundTimestamp ?? 0
            if timestamps == .wall { event.setTimestamp(EngineClock.wallNanoseconds()) }
            lastTimestamp = event.inboundTimestamp
            if let truth {
                let events = simulator.takeGroundTruth()
                if !events.isEmpty { truth(events, lastTimestamp ?? simulatedTs, simulatedTs) }
            }
            if case .tick = event { ticks += 1 }
            try publisher.publish(&event)
            sent += 1
        }
        return (sent, ticks)
    }
}

/// Encodes events into reused buffers and sends them as [topic, payload], numbering ticks per topic.
struct FramePublisher {
    let socket: Socket
    let encoding: FeedCommand.Encoding
    private var topic: [UInt8] = []
    private var payload: [UInt8] = []
    private var sequence: [String: UInt64] = [:]

    init(socket: Socket, encoding: FeedCommand.Encoding) {
        self.socket = socket
        self.encoding = encoding
        payload.reserveCapacity(4096)
    }

    /// Assigns the tick's per-topic `seq`, encodes and sends. PUB never blocks: at the high-water mark
    /// libzmq drops, which the subscriber sees as a `seq` gap.
    mutating func publish(_ event: inout WireEvent) throws(ZeroMQError) {
        let name = event.topic
        if case .tick(var tick) = event {
            let next = (sequence[name] ?? 0) + 1
            sequence[name] = next
            tick.seq = next
            event = .tick(tick)
        }
        topic.removeAll(keepingCapacity: true)
        topic.append(contentsOf: name.utf8)
        payload.removeAll(keepingCapacity: true)
        switch encoding {
        case .json: WireCodec.encodeJSON(event, into: &payload)
        case .binary: WireCodec.encodeBinary(event, into: &payload)
        }
        let result = topic.withUnsafeBytes { t in
            payload.withUnsafeBytes { p in
                Result { () throws(ZeroMQError) in try socket.send(topic: t, payload: p) }
            }
        }
        _ = try result.get()
    }
}

extension WireEvent {
    /// The event time of an inbound event (tick, news, position); `nil` for outbound messages.
    var inboundTimestamp: Int64? {
        switch self {
        case .tick(let t): t.ts
        case .news(let n): n.ts
        case .position(let p): p.ts
        case .alert, .hedge, .risk, .heartbeat: nil
        }
    }

    /// Replaces the event time of an inbound event (tick, news, position).
    mutating func setTimestamp(_ ts: Int64) {
        switch self {
        case .tick(var t): t.ts = ts; self = .tick(t)
        case .news(var n): n.ts = ts; self = .news(n)
        case .position(var p): p.ts = ts; self = .position(p)
        case .alert, .hedge, .risk, .heartbeat: break
        }
    }
}
