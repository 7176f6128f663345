import Foundation
import MarketEvents
import Testing
import ZeroMQ

@Suite struct CommandLineTests {
    @Test func helpListsOnlyWorkingSubcommandsAndExitCodes() throws {
        let output = try CLI.run(["--help"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("feed"))
        #expect(output.stdout.contains("tail"))
        #expect(output.stdout.contains("64 usage error"))
        for sub in ["feed", "tail"] {
            let help = try CLI.run([sub, "--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Example:"))
        }
    }

    @Test(arguments: [
        ["feed"],
        ["feed", "--publish", "tcp://127.0.0.1:1", "--rate", "-1"],
        ["feed", "--publish", "tcp://127.0.0.1:1", "--symbols", "A B"],
        ["feed", "--publish", "tcp://127.0.0.1:1", "--encoding", "xml"],
        ["tail"],
        ["tail", "--connect", "tcp://127.0.0.1:1", "--count", "0"],
        ["no-such-command"],
        ["feed", "--publish", "nonsense://x", "--count", "1"],
        ["run", "--duration", "inf"],
        ["feed", "--publish", "tcp://127.0.0.1:1", "--rate", "1e-300"],
        ["synth", "--horizon", "1000000000000", "--out", "/tmp/never.csv"],
        ["evaluate", "--csv", "/tmp/never.csv", "--model", "sgd", "--delay", "100000000"],
        ["run", "--publish", "tcp://127.0.0.1:99999"],
        ["feed", "--publish", "tcp://127.0.0.1:47630x", "--count", "1"],
        ["run", "--duration", "nan"],
        ["feed", "--publish", "tcp://127.0.0.1:1", "--duration", "1e300"],
        ["tail", "--connect", "tcp://127.0.0.1:1", "--duration", "inf"],
        ["demo", "--duration", "1e300"],
        ["tail", "--connect", "nonsense://x", "--count", "1"],
    ])
    func usageErrorsExitWith64(arguments: [String]) throws {
        let output = try CLI.run(arguments)
        #expect(output.status == 64, "\(arguments): \(output.stderr)")
        #expect(!output.stderr.isEmpty)
    }

    /// A negative number is read as the option's value and refused for what it is, not taken for an
    /// unknown flag ("Missing value for '--duration <duration>'").
    @Test(arguments: [
        (["run", "--duration", "-1"], "--duration must be a number of seconds above 0"),
        (["feed", "--publish", "tcp://127.0.0.1:1", "--rate", "-5"], "--rate must be 0"),
        (["synth", "--rows", "-3", "--out", "/tmp/never.csv"], "--rows must be > 0"),
        (["evaluate", "--csv", "/tmp/never.csv", "--model", "sgd", "--delay", "-2"], "--delay must be 0 to"),
    ])
    func negativeNumbersAreRefusedByName(arguments: [String], message: String) throws {
        let output = try CLI.run(arguments)
        #expect(output.status == 64, "\(arguments): \(output.stderr)")
        #expect(output.stderr.contains(message), "\(output.stderr)")
        #expect(!output.stderr.contains("Missing value"))
    }

    @Test func anEndpointAlreadyInUseExitsWith69() throws {
        let context = try Context()
        let holder = try Socket(context, .pub)
        try holder.bind("tcp://127.0.0.1:*")
        let output = try CLI.run(["feed", "--publish", try holder.lastEndpoint, "--count", "1"])
        #expect(output.status == 69, "\(output.stderr)")
        #expect(output.stderr.contains("Address already in use"))
    }

    /// Feed and tail as two processes over tcp loopback; every tick line is a contract tick with
    /// per-topic `seq` counting from 1 without gaps.
    @Test(arguments: ["json", "binary"])
    func feedAndTailTalkOverTcpLoopback(encoding: String) throws {
        let endpoint = "tcp://127.0.0.1:\(CLI.freePort())"
        let feed = try CLI.Running([
            "feed", "--publish", endpoint, "--count", "500", "--rate", "0", "--encoding", encoding,
            "--wait-for-subscribers", "1", "--seed", "11",
        ])
        let tail = try CLI.run(["tail", "--connect", endpoint, "--count", "500"])
        let feedOutput = feed.wait()
        #expect(feedOutput.status == 0, "\(feedOutput.stderr)")
        #expect(feedOutput.stderr.contains("published 500 events"))
        #expect(tail.status == 0, "\(tail.stderr)")
        #expect(tail.lines.count == 500)
        var lastSeq: [String: UInt64] = [:]
        var tickCount = 0
        for line in tail.lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let topic = try #require(object["topic"] as? String)
            let payload = try #require(object["payload"] as? [String: Any], "not a decoded event: \(line)")
            if topic.hasPrefix("tick.") {
                tickCount += 1
                #expect(topic == "tick.\(payload["symbol"] as? String ?? "?")")
                let seq = try #require((payload["seq"] as? NSNumber)?.uint64Value)
                #expect(seq == (lastSeq[topic] ?? 0) + 1, "seq gap on \(topic)")
                lastSeq[topic] = seq
                #expect((payload["price"] as? Double ?? 0) > 0)
            } else {
                #expect(topic.hasPrefix("news."), "unexpected topic \(topic)")
            }
        }
        #expect(tickCount > 400)
        #expect(lastSeq.count >= 3, "the default simulation has several symbols")
    }

    @Test func simulatedTimestampsMakeTheStreamIdenticalOnEveryRun() throws {
        func capture() throws -> [String] {
            let endpoint = "tcp://127.0.0.1:\(CLI.freePort())"
            let feed = try CLI.Running([
                "feed", "--publish", endpoint, "--count", "300", "--rate", "0", "--timestamps", "simulated",
                "--wait-for-subscribers", "1", "--seed", "5", "--symbols", "AAA,BBB,IDX",
            ])
            let tail = try CLI.run(["tail", "--connect", endpoint, "--count", "300"])
            #expect(feed.wait().status == 0)
            return tail.lines
        }
        let first = try capture()
        #expect(first.count == 300)
        #expect(try capture() == first)
        #expect(first.allSatisfy { $0.contains("AAA") || $0.contains("BBB") || $0.contains("IDX") })
    }

    @Test func tailPrintsMalformedMessagesAsErrorLinesAndKeepsGoing() throws {
        let context = try Context()
        let xpub = try Socket(context, .xpub)
        try xpub.bind("tcp://127.0.0.1:*")
        let tail = try CLI.Running(["tail", "--connect", try xpub.lastEndpoint, "--count", "4"])
        try xpub.set(.receiveTimeout(.seconds(10)))
        #expect(try xpub.receiveMessage() != nil)
        let good = WireEvent.tick(Tick(symbol: "AAPL", ts: 1, price: 10))
        try xpub.send(multipart: [Array("tick.AAPL".utf8), Array(#"{"symbol":"AAPL","ts":1,"price":-3}"#.utf8)])
        try xpub.send(multipart: [Array("tick.AAPL".utf8)])
        try xpub.send(multipart: [Array("tick.MSFT".utf8), WireCodec.encodeJSON(good)])
        try xpub.send(multipart: [Array(good.topic.utf8), WireCodec.encodeBinary(good)])
        let output = tail.wait()
        #expect(output.status == 0)
        let lines = output.lines
        try #require(lines.count == 4)
        #expect(lines[0].contains(#""error":"out_of_range""#) && lines[0].contains(#""field":"price""#))
        #expect(lines[1].contains(#""error":"frame_count""#))
        #expect(lines[2].contains(#""error":"topic_mismatch""#))
        #expect(lines[3] == #"{"topic":"tick.AAPL","payload":"# + String(decoding: WireCodec.encodeJSON(good), as: UTF8.self) + "}")
    }

    /// Signalled once it is publishing (a subscriber has received a tick, so its stop handlers are in
    /// place): it stops cleanly and says what it published.
    @Test(arguments: [SIGTERM, SIGINT])
    func feedStopsCleanlyOnSignal(signal: Int32) throws {
        let endpoint = "tcp://127.0.0.1:\(CLI.freePort())"
        let feed = try CLI.Running(["feed", "--publish", endpoint, "--rate", "100"])
        let context = try Context()
        let sub = try Socket(context, .sub)
        try sub.subscribe("")
        try sub.set(.receiveTimeout(.seconds(60)))
        try sub.connect(endpoint)
        #expect(try sub.receiveMessage() != nil, "the feed published nothing")
        feed.signal(signal)
        let output = feed.wait(within: 30)
        #expect(output.status == 0)
        #expect(output.stderr.contains("feed: published"))
    }

    /// A learner needs a feature: a target-only CSV is bad input for htr, arf and sgd (it crashed the
    /// forest), while the baselines, which need only the target, still score it.
    @Test func aTargetOnlyCSVIsBadInputForALearnerButFineForABaseline() throws {
        let file = try EvaluateCommandTests.TempFile(contents: "target\n" + (0..<50).map { "\($0 % 7)" }.joined(separator: "\n") + "\n")
        defer { file.cleanUp() }
        for model in ["htr", "arf", "sgd"] {
            let output = try CLI.run(["evaluate", "--csv", file.path, "--model", model])
            #expect(output.status == 65, "\(model): \(output.stderr)")
            #expect(output.stderr.contains("no feature column"), "\(output.stderr)")
        }
        let baseline = try CLI.run(["evaluate", "--csv", file.path, "--model", "ewma-baseline"])
        #expect(baseline.status == 0, "\(baseline.stderr)")
    }
}
