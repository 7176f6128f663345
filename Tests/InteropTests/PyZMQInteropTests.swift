import Foundation
import MarketEvents
import Testing
import ZeroMQ

/// A real foreign client: pyzmq publishes contract ticks (JSON and binary, with malformed frames
/// interleaved) to the Swift side, and checks Swift-published alerts field by field.
@Suite(.serialized) struct PyZMQInteropTests {
    static let symbols = ["AAPL", "MSFT", "ES"]
    static let baseTs: Int64 = 1_700_000_000_000_000_000

    /// The i-th good tick, by the same formula as `tick(i)` in pyzmq_client.py.
    static func expectedTick(_ i: Int) -> Tick {
        let price = 100.0 + Double(i) * 0.25
        return Tick(
            symbol: symbols[i % 3], ts: baseTs + Int64(i) * 1_000_000, price: price, size: Double(i % 7 * 100),
            bid: price - 0.01, ask: price + 0.01, bidSize: 500.0 + Double(i), askSize: 400.0 + Double(i),
            seq: UInt64(i + 1))
    }

    /// The i-th alert, by the same formula as `expected_alert(i)` in pyzmq_client.py.
    static func alert(_ i: Int) -> Alert {
        Alert(
            seq: UInt64(i + 1), ts: baseTs + Int64(i) * 2_000_000 + 17, eventTs: baseTs + Int64(i) * 2_000_000,
            symbol: symbols[i % 3], kind: Alert.Kind.allCases[i % 7], severity: Alert.Severity.allCases[i % 3],
            state: i % 2 == 0 ? .raised : .cleared, value: 0.0125 * Double(i + 1), threshold: 0.01,
            message: "alert \(i): volatility ↑ \"3σ\" \\ over limit",
            drivers: [
                .init(feature: "ewma_vol", contribution: 0.5 + Double(i)),
                .init(feature: "spread_bps", contribution: -0.25 * Double(i)),
            ],
            account: i % 2 == 1 ? "ACC-\(i)" : nil, kindSeq: UInt64(i + 1))
    }

    @Test(arguments: ["json", "binary", "mixed"])
    func pyzmqFeedTicksDecodeExactlyAndMalformedFramesAreRejectedWithTheRightReason(encoding: String) throws {
        let count = 300
        var client = try PythonClient(["feed", "--count", "\(count)", "--encoding", encoding, "--malformed"])
        let firstLine = client.readLine()
        let portLine = try #require(firstLine, "the pyzmq feed printed nothing")
        let port = try #require(Int(portLine.dropFirst("port ".count)))

        let context = try Context()
        let sub = try Socket(context, .sub)
        try sub.subscribe("")
        try sub.set(.receiveTimeout(.seconds(10)))
        try sub.connect("tcp://127.0.0.1:\(port)")
        let codec = WireCodec()
        let buffer = MessageBuffer(capacity: 3)
        var ticks: [Tick] = []
        var reasons: [String] = []
        var summary: [String: Any]?
        while summary == nil {
            guard try sub.receive(into: buffer) else {
                Issue.record("timed out after \(ticks.count) ticks")
                break
            }
            let frames = (0..<min(buffer.frameCount, buffer.capacity)).map { buffer.copyFrame($0) }
            if frames.count == 2, frames[0] == Array("end".utf8) {
                summary = try JSONSerialization.jsonObject(with: Data(frames[1])) as? [String: Any]
                break
            }
            do {
                switch try codec.decode(frames: frames) {
                case .tick(let tick): ticks.append(tick)
                case let other: Issue.record("unexpected event \(other)")
                }
            } catch {
                reasons.append(error.reason.rawValue)
            }
        }
        #expect(ticks.count == count, "every good tick arrives even with malformed frames between them")
        for (i, tick) in ticks.enumerated() {
            #expect(tick == Self.expectedTick(i), "tick \(i)")
        }
        let expectedReasons = try #require(summary?["malformed"] as? [String])
        #expect(expectedReasons.count == count / 3)
        #expect(reasons == expectedReasons)
        let (status, stderr) = client.finish()
        #expect(status == 0, "pyzmq feed failed: \(stderr)")
    }

    @Test func pyzmqSubscriberChecksSwiftPublishedAlertsFieldByField() throws {
        let count = 100
        let context = try Context()
        let xpub = try Socket(context, .xpub)
        try xpub.set(.sendHighWaterMark(0))
        try xpub.set(.linger(.seconds(2)))
        try xpub.bind("tcp://127.0.0.1:*")
        let client = try PythonClient(["alerts", "--connect", try xpub.lastEndpoint, "--count", "\(count)"])
        try xpub.set(.receiveTimeout(.seconds(10)))
        let subscription = try #require(try xpub.receiveMessage(), "the pyzmq subscriber never subscribed")
        #expect(subscription == [[1] + Array("alert.".utf8)])
        for i in 0..<count {
            let event = WireEvent.alert(Self.alert(i))
            try xpub.send(multipart: [Array(event.topic.utf8), WireCodec.encodeJSON(event)])
        }
        let (status, stderr) = client.finish()
        #expect(status == 0, "pyzmq subscriber rejected the alerts: \(stderr)")
    }
}
