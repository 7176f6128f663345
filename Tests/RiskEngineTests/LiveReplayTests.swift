import Foundation
import Journal
import MarketEvents
import RiskEngine
import Testing

/// Live equals replay: an engine run on real sockets with `--journal`, and that journal replayed through
/// the same pipeline by `ReplayCore`, publish the same alerts and hedges (every field but the wall-clock
/// `ts` and the engine-wide `seq`, which heartbeats on the wall clock also advance; `kind_seq` is
/// compared). Learning is on.
@Suite struct LiveReplayTests {
    @Test func aJournalReplayedGivesTheLiveAlertsAndHedges() throws {
        let dir = NSTemporaryDirectory() + "live-replay-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try JournalWriter(directory: dir, options: .init(fsync: .os))
        let harness = try EngineHarness(journal: journal) {
            $0.dataQuality.staleAfterMilliseconds = 86_400_000
            $0.learning.referenceSymbol = "IDX"
            $0.learning.horizonEvents = 10
            $0.learning.models = [.init(name: "sgd", kind: .sgd)]
            $0.hedging.accounts = ["DESK1": .init(varLimit: 100)]
            $0.hedging.betaLambda = 0.999
        }
        let tape = Tape.pairs(betas: [("ACME", 1.3), ("GLOBEX", 0.7)], seconds: 600, seed: 3)
        for (i, event) in tape.events.enumerated() {
            try harness.send(event)
            if i == tape.events.count / 2 {
                try harness.send(
                    .news(News(ts: Tape.ts(300_500), symbols: ["ACME"], headline: "Regulator opens fraud probe into ACME")))
            }
        }
        try harness.send(.position(Position(account: "DESK1", symbol: "ACME", quantity: 20_000, ts: Tape.ts(tape.lastMs + 1))))
        try harness.send(.tick(Tick(symbol: "ACME", ts: Tape.ts(tape.lastMs + 2), price: 1e9, seq: 1)))  // a bad print
        try harness.sync()
        let pipeline = harness.engine.pipeline
        harness.engine.stop()
        harness.engine.wait()

        func comparable(_ events: [WireEvent]) -> [WireEvent] {
            events.compactMap { event in
                switch event {
                case .alert(var a): a.ts = 0; a.seq = 0; return .alert(a)
                case .hedge(var h): h.ts = 0; h.seq = 0; return .hedge(h)
                default: return nil
                }
            }
        }
        let live = comparable(harness.received)
        let codec = WireCodec()
        var replayed: [WireEvent] = []
        let core = try ReplayCore(pipeline: pipeline) { topic, payload in
            if let event = try? codec.decode(topic: topic, payload: payload) { replayed.append(event) }
        }
        var reader = try JournalReader(directory: dir)
        var records = 0
        while let record = try reader.next() {
            records += 1
            core.receive(
                topic: record.topic, payload: record.payload, receivedAt: record.receiveTime,
                recordedRejected: record.isRejected)
        }
        let replay = comparable(replayed)
        let kinds = Dictionary(grouping: live, by: \.kind).mapValues(\.count)
        print("live vs replay: \(records) records, live \(kinds), replay \(replay.count) alerts and hedges")
        #expect(records == Int(harness.engine.counters.eventsIn.load(ordering: .relaxed)))
        #expect(kinds["alert", default: 0] >= 3 && kinds["hedge", default: 0] >= 1, "\(kinds)")
        #expect(replay.count == live.count)
        for (l, r) in zip(live, replay) where l != r {
            Issue.record("live \(l)\nreplay \(r)")
            break
        }
    }
}

/// A disk with room for the segment header and little more: then every write fails with ENOSPC.
final class FullDisk: JournalFileOperations, @unchecked Sendable {
    // @unchecked: `left` is touched only by the thread that writes (the opener, then the writer thread).
    private var left = 200

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32) {
        guard left > 0 else { return (-1, ENOSPC) }
        let n = Glibc.write(fd, bytes.baseAddress, min(bytes.count, left))
        left -= max(n, 0)
        return (n, 0)
    }

    func sync(_ fd: Int32) -> Int32 { 0 }
}

extension LiveReplayTests {
    /// A journal that cannot write is a counted, alerted condition, never a crash or silence: a critical
    /// `data_quality` alert on ENGINE says frames are no longer recorded, and the engine goes on.
    @Test func aJournalOnAFullDiskRaisesAnEngineAlertAndTheEngineGoesOn() throws {
        let dir = NSTemporaryDirectory() + "full-disk-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try JournalWriter(directory: dir, options: .init(fsync: .os), operations: FullDisk())
        let harness = try EngineHarness(journal: journal)
        for i in 0..<200 { try harness.send(EngineHarness.tick("ACME", i, mid: 10, seq: UInt64(i + 1))) }
        let alert = try harness.waitFor(seconds: 30) {
            if case .alert(let a) = $0 { a.symbol == "ENGINE" && a.drivers.first?.feature == "journal_errors" } else { false }
        }
        guard case .alert(let a) = alert else {
            Issue.record("no ENGINE alert for a journal that cannot write")
            return
        }
        #expect(a.severity == .critical && a.message.contains("not recorded"))
        #expect(harness.engine.counters.journalErrors.load(ordering: .relaxed) >= 1)
        // The engine still processes what it receives.
        try harness.send(EngineHarness.tick("ACME", 500, mid: 10, seq: 201))
        #expect(try harness.heartbeat { $0.eventsIn == 201 } != nil)
    }
}
