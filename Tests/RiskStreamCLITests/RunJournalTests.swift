import Foundation
import Journal
import MarketEvents
import Testing
import ZeroMQ

/// `riskstream run --journal DIR`: every frame the engine receives, accepted or rejected, is in the
/// journal, raw, flagged, in order; the run's summary counts them; restarting continues the sequence.
@Suite struct RunJournalTests {
    static func tick(_ seq: UInt64, price: Double = 100) -> [[UInt8]] {
        let t = Tick(symbol: "AAPL", ts: 1_700_000_000_000_000_000 + Int64(seq), price: price, seq: seq)
        return [Array("tick.AAPL".utf8), WireCodec.encodeBinary(.tick(t))]
    }

    /// Publishes ticks until the journal holds a new one (the subscription is up), then `frames`, then stops
    /// the engine with SIGTERM. Returns the engine's output.
    static func record(_ dir: String, _ frames: [[[UInt8]]], extra: [String] = []) throws -> CLI.Output {
        let context = try Context()
        let pub = try Socket(context, .pub)
        try pub.bind("tcp://127.0.0.1:*")
        let before = (try? JournalSummary.read(dir))?.records ?? 0
        let run = try CLI.Running(["run", "--feed", try pub.lastEndpoint, "--journal", dir] + extra)
        var warmup: UInt64 = 0
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            warmup += 1
            _ = try pub.send(multipart: tick(warmup), dontWait: true)
            Thread.sleep(forTimeInterval: 0.02)
            if let summary = try? JournalSummary.read(dir), summary.records > before { break }
        }
        for frame in frames { _ = try pub.send(multipart: frame) }
        Thread.sleep(forTimeInterval: 0.5)
        run.signal(SIGTERM)
        return run.wait()
    }

    @Test func everyReceivedFrameIsJournaledAcceptedOrRejected() throws {
        let dir = NSTemporaryDirectory() + "run-journal-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bad = [Array("tick.AAPL".utf8), Array("{\"symbol\":\"AAPL\",\"ts\":1,\"price\":-1}".utf8)]
        let three = [Array("tick.AAPL".utf8), Array("x".utf8), Array("y".utf8)]
        let frames = [Self.tick(1000), bad, Self.tick(1001), three, Self.tick(1002)]
        let output = try Self.record(dir, frames, extra: ["--fsync", "always"])
        #expect(output.status == 0, "\(output.stderr)")
        var reader = try JournalReader(directory: dir)
        var records: [JournalRecord] = []
        while let r = try reader.next() { records.append(r.record) }
        #expect(reader.tornTail == nil)
        let tail = Array(records.suffix(5))
        #expect(tail.map(\.isRejected) == [false, true, false, true, false])
        #expect(tail[0].payload == Self.tick(1000)[1] && tail[2].payload == Self.tick(1001)[1])
        #expect(tail[1].topic == bad[0] && tail[1].payload == bad[1], "a rejected frame is kept raw")
        #expect(tail[3].topic == three[0] && tail[3].payload == three[1], "the first two of three frames")
        #expect(records.map(\.sequence) == Array(1...UInt64(records.count)))
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        #expect(records.allSatisfy { abs($0.receiveTime - now) < 600_000_000_000 }, "receive times are the wall clock")
        #expect(
            output.stderr.contains(
                "journal_written=\(records.count) journal_dropped=0 journal_failed=0 journal_errors=0"))

        // A second run continues the sequence after the last record.
        let again = try Self.record(dir, [Self.tick(2000)])
        #expect(again.status == 0, "\(again.stderr)")
        let summary = try JournalSummary.read(dir)
        #expect(summary.isSound)
        #expect(summary.records > records.count)
    }

    @Test func aTornTailIsRefusedUntilRepaired() throws {
        let dir = NSTemporaryDirectory() + "run-journal-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let writer = try JournalWriter(directory: dir)
        writer.append(topic: Self.tick(1)[0], payload: Self.tick(1)[1], receiveTime: 1)
        writer.close()
        let segment = dir + "/" + JournalFormat.segmentName(firstSequence: 1)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        try bytes.prefix(bytes.count - 1).write(to: URL(fileURLWithPath: segment))
        let refused = try CLI.run(["run", "--feed", "tcp://127.0.0.1:\(CLI.freePort())", "--journal", dir])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("torn_tail"))
        #expect(refused.stderr.contains("riskstream journal repair \(dir)"))
        #expect(try CLI.run(["run", "--fsync", "sometimes", "--journal", dir]).status == 64)
        #expect(try CLI.run(["run", "--fsync", "always"]).status == 64)
    }
}
