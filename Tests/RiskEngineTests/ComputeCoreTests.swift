import MarketEvents
import MarketSimulator
@testable import RiskEngine
import RiskModels
import Testing

/// The compute stage driven directly, in memory, with no socket and no wall clock of its own: events in,
/// a receive clock advanced by the caller, outbound messages out to a `MemorySink`. The same stream
/// gives the same messages, field for field except the publisher's wall-clock `ts` (and a heartbeat's
/// `lag_ns`), which is what a replay of a journal will rely on.
@Suite struct ComputeCoreTests {
    /// A demo-like pipeline with learning on (SGD and a small forest) and frequent snapshots.
    static func pipeline() -> Pipeline {
        var p = Pipeline()
        p.learning.enabled = true
        p.learning.referenceSymbol = "SPX"
        p.learning.models = [.init(name: "sgd", kind: .sgd), .init(name: "arf", kind: .arf, trees: 3)]
        p.publish.riskSnapshotMilliseconds = 1_000
        p.publish.heartbeatMilliseconds = 5_000
        return p
    }

    /// Runs `events` simulated events through a fresh stage, the receive clock reading each event's own
    /// time (as a journal replay will), and returns what it published, decoded, with wall-clock fields zeroed.
    static func run(events: Int, seed: UInt64) throws -> [WireEvent] {
        let sink = MemorySink()
        let counters = EngineCounters()
        let pipeline = Self.pipeline()
        let stage = ComputeStage(
            pipeline: pipeline, counters: counters, lexicon: .builtIn,
            publisher: Publisher(sink: sink, encoding: .binary, counters: counters))
        var simulator = MarketSimulator(configuration: .standard(seed: seed))
        var trackers: [String: SequenceTracker] = [:]
        for _ in 0..<events {
            let event = simulator.next()
            var sequence = SequenceCheck.unchecked
            let clock: Int64
            switch event {
            case .tick(let t):
                sequence = trackers[t.symbol, default: SequenceTracker()].check(t.seq)
                clock = t.ts
            case .news(let n): clock = n.ts
            case .position(let p): clock = p.ts
            default: continue
            }
            stage.process(event, sequence: sequence, now: clock)
            stage.advance(to: clock, ringDropped: 0)
        }
        let codec = WireCodec()
        return try sink.messages.map { message in
            var event = try codec.decode(topic: message.topic, payload: message.payload)
            event.zeroWallClockFields()
            return event
        }
    }

    @Test func theSameStreamGivesTheSameMessages() throws {
        let first = try Self.run(events: 30_000, seed: 7)
        let second = try Self.run(events: 30_000, seed: 7)
        let kinds = Dictionary(grouping: first, by: \.kind).mapValues(\.count)
        print("core: \(first.count) messages \(kinds.sorted { $0.key < $1.key })")
        #expect(kinds["risk", default: 0] > 100, "\(kinds)")
        #expect(kinds["heartbeat", default: 0] >= 5, "\(kinds)")
        #expect(first == second)
        // A different stream gives different messages: the comparison can fail.
        #expect(try Self.run(events: 30_000, seed: 8) != first)
    }
}

extension WireEvent {
    /// Zeroes the fields that are wall-clock by nature: every outbound `ts`, and a heartbeat's `lag_ns`.
    mutating func zeroWallClockFields() {
        switch self {
        case .alert(var a): a.ts = 0; self = .alert(a)
        case .hedge(var h): h.ts = 0; self = .hedge(h)
        case .risk(var r): r.ts = 0; self = .risk(r)
        case .heartbeat(var b): b.ts = 0; b.lagNs = 0; self = .heartbeat(b)
        case .tick, .news, .position: break
        }
    }
}
