import Foundation
import Testing

/// `riskstream replay` as an operator runs it: a price file imported into a journal, replayed twice
/// through a pipeline to JSON lines that are the same bytes both times and hold the alerts the stream
/// deserves; a damaged journal is exit 65 naming the place unless damage is skipped.
@Suite struct ReplayCommandTests {
    @Test func twoReplaysOfOneJournalWriteTheSameBytes() throws {
        let dir = NSTemporaryDirectory() + "replay-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let synth = try CLI.run(["synth", "--prices", "--symbol", "TSLA", "--events", "60000", "--out", dir + "/p.csv"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let imported = try CLI.run([
            "journal", "import", "--csv", dir + "/p.csv", "--out", dir + "/J", "--symbol", "TSLA", "--price-column", "price",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        var outputs: [Data] = []
        for name in ["a", "b"] {
            let replay = try CLI.run(["replay", dir + "/J", "--out", dir + "/\(name).jsonl"], within: 120)
            #expect(replay.status == 0, "\(replay.stderr)")
            #expect(replay.stderr.contains("malformed=0"), "\(replay.stderr)")
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: dir + "/\(name).jsonl")))
        }
        #expect(outputs[0] == outputs[1], "two replays differ")
        let lines = String(decoding: outputs[0], as: UTF8.self).split(separator: "\n")
        let alerts = lines.filter { $0.hasPrefix(#"{"topic":"alert.TSLA""#) }
        let risk = lines.filter { $0.hasPrefix(#"{"topic":"risk.TSLA""#) }
        #expect(!alerts.isEmpty && !risk.isEmpty, "\(lines.prefix(3))")
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line.prefix(200))")
        }

        // A window of recorded time and a symbol filter: ten of the file's seconds; no record for another symbol.
        let window = try CLI.run(
            ["replay", dir + "/J", "--from", "2023-11-14T22:13:30Z", "--to", "2023-11-14T22:13:40Z", "--symbols", "TSLA"],
            within: 120)
        #expect(window.status == 0, "\(window.stderr)")
        #expect(window.stderr.contains("spanning 10.0 s recorded") || window.stderr.contains("spanning 9.9 s recorded"),
            "\(window.stderr)")
        let none = try CLI.run(["replay", dir + "/J", "--symbols", "MSFT"], within: 120)
        #expect(none.stderr.contains("replay: 0 records"), "\(none.stderr)")
        #expect(try CLI.run(["replay", dir + "/J", "--from", "yesterday"]).status == 64)

        // Without a pipeline, --publish republishes every recorded frame, paced (here 200x): a subscriber
        // gets them all, and the sender reports how late it was against the schedule.
        let endpoint = "tcp://127.0.0.1:\(CLI.freePort())"
        let republish = try CLI.Running([
            "replay", dir + "/J", "--publish", endpoint, "--speed", "200", "--wait-for-subscribers", "1",
        ])
        let records = Int(imported.stdout.split(separator: " ").dropFirst().first.map { $0.replacingOccurrences(of: ",", with: "") } ?? "") ?? 0
        #expect(records > 1_000, "\(imported.stdout)")
        let tail = try CLI.run(["tail", "--connect", endpoint, "--count", "\(records)", "--duration", "60"], within: 90)
        let sent = republish.wait()
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stderr.contains("republished \(records) frames") && sent.stderr.contains("late_ms p50="), "\(sent.stderr)")
        #expect(tail.lines.count == records)

        // A flipped byte in the middle of the segment: exit 65 naming file and offset, or read past it.
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: dir + "/J").first { $0.hasSuffix(".rsj") })
        let path = dir + "/J/" + segment
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: path))
        let refused = try CLI.run(["replay", dir + "/J"], within: 120)
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains(segment) && refused.stderr.contains("at byte"), "\(refused.stderr)")
        let skipped = try CLI.run(["replay", dir + "/J", "--skip-damage"], within: 120)
        #expect(skipped.status == 0, "\(skipped.stderr)")
        #expect(skipped.stderr.contains("damage_skipped=1"), "\(skipped.stderr)")
    }
}
