// The codec section: ns/event and events/s for JSON and binary decode+validate and encode of simulated
// ticks, then bare libzmq 2-frame PUB/SUB throughput over inproc and tcp loopback with a
// binary-tick-sized payload, and the ratio of each codec path to the transport. Medians of several runs.
import RiskEngine
import MarketEvents
import MarketSimulator
import ZeroMQ

struct CodecBench {
    let runs: Int
    let codecIterations: Int
    let transportMessages: Int
    let events: [WireEvent]
    let topics: [[UInt8]]
    let jsonPayloads: [[UInt8]]
    let binaryPayloads: [[UInt8]]
    let codec = WireCodec()

    init(quick: Bool) {
        runs = quick ? 3 : 5
        codecIterations = quick ? 200_000 : 2_000_000
        transportMessages = quick ? 200_000 : 2_000_000
        var simulator = MarketSimulator(configuration: .standard(seed: 7))
        var ticks: [Tick] = []
        while ticks.count < 4096 {
            if case .tick(var tick) = simulator.next() {
                tick.seq = UInt64(ticks.count + 1)
                ticks.append(tick)
            }
        }
        events = ticks.map { WireEvent.tick($0) }
        topics = ticks.map { Array("tick.\($0.symbol)".utf8) }
        jsonPayloads = events.map { WireCodec.encodeJSON($0) }
        binaryPayloads = events.map { WireCodec.encodeBinary($0) }
    }

    /// Runs `body` `runs` times and returns the median nanoseconds per operation.
    func measure(operations: Int, _ body: () -> Void) -> Double {
        var samples: [Double] = []
        for _ in 0..<runs {
            let start = now()
            body()
            samples.append(Double(now() - start) / Double(operations))
        }
        return median(samples)
    }

    func decodeAll(_ payloads: [[UInt8]]) -> Double {
        let mask = events.count - 1
        return measure(operations: codecIterations) {
            var checksum = 0.0
            for i in 0..<codecIterations {
                let j = i & mask
                let event = topics[j].withUnsafeBytes { t in
                    payloads[j].withUnsafeBytes { p in try? codec.decode(topic: t, payload: p) }
                }
                if case .tick(let tick) = event { checksum += tick.price }
            }
            precondition(checksum > 0)
        }
    }

    func encodeAll(binary: Bool) -> Double {
        let mask = events.count - 1
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        return measure(operations: codecIterations) {
            var total = 0
            for i in 0..<codecIterations {
                buffer.removeAll(keepingCapacity: true)
                if binary {
                    WireCodec.encodeBinary(events[i & mask], into: &buffer)
                } else {
                    WireCodec.encodeJSON(events[i & mask], into: &buffer)
                }
                total &+= buffer.count
            }
            precondition(total > 0)
        }
    }

    /// Bare libzmq: one thread publishes `transportMessages` two-frame messages, this thread receives
    /// them. Returns messages per second at the subscriber (first to last message).
    func pubSubThroughput(endpoint: String, payloadSize: Int) throws -> Double {
        let context = try Context(ioThreads: 1)
        let pub = try Socket(context, .xpub)
        try pub.set(.sendHighWaterMark(0))
        try pub.bind(endpoint)
        let resolved = try pub.lastEndpoint
        let sub = try Socket(context, .sub)
        try sub.set(.receiveHighWaterMark(0))
        try sub.subscribe("")
        try sub.connect(resolved)
        _ = try pub.receiveMessage()  // subscription arrived: no slow-joiner loss
        let topic = Array("tick.AAPL".utf8)
        let payload = [UInt8](repeating: 0xB1, count: payloadSize)
        let count = transportMessages
        let sender = BackgroundThread(name: "bench-send") {
            topic.withUnsafeBytes { t in
                payload.withUnsafeBytes { p in
                    for _ in 0..<count { _ = try! pub.send(topic: t, payload: p) }
                }
            }
        }
        let buffer = MessageBuffer(capacity: 2)
        _ = try sub.receive(into: buffer)
        let start = now()
        for _ in 1..<count { _ = try sub.receive(into: buffer) }
        let elapsed = now() - start
        sender.join()
        return Double(count - 1) / (Double(elapsed) / 1e9)
    }

    func run() throws {
        let averageJSON = jsonPayloads.reduce(0) { $0 + $1.count } / jsonPayloads.count
        let averageBinary = binaryPayloads.reduce(0) { $0 + $1.count } / binaryPayloads.count
        print("codec: median of \(runs) runs; ticks from the simulator (seed 7)")
        print("")
        let codecRows: [(String, Double)] = [
            ("JSON decode+validate (\(averageJSON) B)", decodeAll(jsonPayloads)),
            ("binary decode+validate (\(averageBinary) B)", decodeAll(binaryPayloads)),
            ("JSON encode", encodeAll(binary: false)),
            ("binary encode", encodeAll(binary: true)),
        ]
        print(pad("codec, per tick", 38) + pad("ns/event", 12) + "events/s")
        for (name, ns) in codecRows {
            print(pad(name, 38) + pad(fixed(ns, 1), 12) + grouped(1e9 / ns))
        }

        print("")
        print(pad("bare libzmq PUB/SUB, 2 frames (\(averageBinary) B)", 38) + pad("ns/msg", 12) + "msgs/s")
        var transport: [(String, Double)] = []
        for (name, endpoint) in [("inproc", "inproc://bench"), ("tcp 127.0.0.1", "tcp://127.0.0.1:*")] {
            var samples: [Double] = []
            for _ in 0..<runs { samples.append(try pubSubThroughput(endpoint: endpoint, payloadSize: averageBinary)) }
            let rate = median(samples)
            transport.append((name, rate))
            print(pad(name, 38) + pad(fixed(1e9 / rate, 1), 12) + grouped(rate))
        }

        print("")
        print("ratio: codec events/s ÷ transport msgs/s (above 1: the codec outruns the wire)")
        for (codecName, ns) in codecRows.prefix(2) {
            let line = transport.map { "\($0.0) \(fixed((1e9 / ns) / $0.1, 1))×" }.joined(separator: ", ")
            print(pad(codecName, 38) + line)
        }
    }
}
