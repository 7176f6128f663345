import ArgumentParser
import MarketEvents
import MarketSimulator
import RiskEngine
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The embedded demo (what `riskstream` with no arguments runs).",
        discussion: """
            A seeded market simulator publishes ticks and news on a real ZeroMQ PUB socket (tcp loopback); \
            a simulated desk reports positions on the same socket; the engine subscribes to it, checks data \
            quality, learns volatility forecasts online (SGD and an adaptive random forest, scored before \
            they learn), computes VaR/ES, drawdown, liquidity and news shock, and publishes explainable \
            alerts, hedge signals, risk snapshots and heartbeats on its own PUB socket; a live view \
            subscribes to that and shows symbols, prices, volatility, open alerts, hedges, counters and \
            events/s. On a terminal the view \
            refreshes in place; piped, it prints plain lines. Ctrl-C stops everything within a second and \
            prints a summary. The pipeline is Pipelines/demo.yaml, built in.

            Example:
              riskstream demo --duration 60
            """
    )

    @Option(parsing: .unconditional, help: "Stop after this many seconds (default: until Ctrl-C).")
    var duration: Double?

    @Option(parsing: .unconditional, help: "Simulated events per second.")
    var rate: Double = 2000

    @Option(parsing: .unconditional, help: "Seed of the simulator.")
    var seed: UInt64 = 42

    @Option(help: ArgumentHelp("Pipeline file instead of the built-in demo pipeline.", valueName: "file"))
    var pipeline: String?

    func validate() throws {
        if let duration, let problem = durationProblem(duration) { throw ValidationError(problem) }
        guard rate > 0, rate.isFinite else { throw ValidationError("--rate must be > 0") }
    }

    func run() throws {
        var pipeline: Pipeline
        if let path = self.pipeline {
            pipeline = try loadPipeline(path)
        } else {
            do {
                pipeline = try Pipeline.load(yaml: DemoPipeline.yaml, source: "built-in demo pipeline")
            } catch {
                throw failure("built-in demo pipeline: \(error)", ExitStatus.software)
            }
        }
        installStopHandlers()
        let context = try makeContext()

        // 1. The simulated feed on a real PUB socket.
        let feedSocket: Socket
        let feedEndpoint: String
        do {
            feedSocket = try Socket(context, .pub)
            try feedSocket.set(.sendHighWaterMark(100_000))
            try feedSocket.bind("tcp://127.0.0.1:*")
            feedEndpoint = try feedSocket.lastEndpoint
        } catch {
            throw failure("cannot bind the demo feed: \(error)", ExitStatus.unavailable)
        }

        // 2. The engine, subscribed to the feed, publishing on another loopback port.
        pipeline.ingest.feeds = [feedEndpoint]
        if pipeline.publish.endpoint == nil { pipeline.publish.endpoint = "tcp://127.0.0.1:*" }
        let engine = try startEngine(pipeline, context: context)
        guard let engineEndpoint = engine.publishEndpoint else {
            throw failure("the demo needs publish.endpoint", ExitStatus.dataError)
        }

        // 3. The live view, a real subscriber of the engine's PUB socket.
        let view: Socket
        do {
            view = try Socket(context, .sub)
            try view.subscribe("")
            try view.set(.receiveTimeout(.milliseconds(50)))
            try view.connect(engineEndpoint)
        } catch {
            throw failure("cannot connect the live view: \(error)", ExitStatus.software)
        }
        EngineClock.sleep(nanoseconds: 200_000_000)  // let both subscriptions reach their publishers

        let feedStop = StopFlag()
        var market = SimulatorConfiguration.standard(seed: seed)
        // Published on the wall clock at `rate`, the default calibration would read as thousands of
        // percent a year; this brings calm markets to roughly 20-50 % annualised.
        market.scaleVolatility(by: 0.01 * (2000 / rate).squareRoot())
        // A simulated desk reporting positions about once a second, so hedge signals show up too.
        market.desk = .init(accounts: ["DESK-A", "DESK-B"], positionProbability: min(0.5, 1 / rate))
        let simulator = MarketSimulator(configuration: market)
        let feedRate = rate
        let feedThread = BackgroundThread(name: "demo-feed") {
            var feed = SimulatedFeed(
                simulator: simulator, publisher: FramePublisher(socket: feedSocket, encoding: .binary),
                rate: feedRate, timestamps: .wall)
            _ = try? feed.run(count: nil, deadline: nil) { feedStop.isSet }
            feedSocket.close()
        }

        let live = LiveView(terminal: isatty(1) != 0, feed: feedEndpoint, engine: engineEndpoint)
        let deadline = duration.map { EngineClock.monotonicNanoseconds() + Int64($0 * 1e9) }
        let buffer = MessageBuffer(capacity: 2)
        let codec = WireCodec()
        while !shouldStop {
            let now = EngineClock.monotonicNanoseconds()
            if let deadline, now >= deadline { break }
            if (try? view.receive(into: buffer)) == true, buffer.frameCount == 2,
                let event = try? codec.decode(topic: buffer.frame(0), payload: buffer.frame(1))
            {
                live.observe(event)
            }
            live.refreshIfDue(now: now)
        }
        // The engine first: a feed that closed under a running engine would be a lost connection, logged
        // across the view.
        engine.stop()
        engine.wait()
        feedStop.set()
        feedThread.join()
        // The final heartbeat is on its way; give the view a moment to show it.
        let drainUntil = EngineClock.monotonicNanoseconds() + 300_000_000
        while EngineClock.monotonicNanoseconds() < drainUntil {
            if (try? view.receive(into: buffer)) == true, buffer.frameCount == 2,
                let event = try? codec.decode(topic: buffer.frame(0), payload: buffer.frame(1))
            {
                live.observe(event)
            }
        }
        view.close()
        live.finish()
        printError(summary(engine))
    }
}
