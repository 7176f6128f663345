import Foundation
import Journal
import MarketEvents
import Testing

/// `riskstream journal import|inspect|verify|repair` run as an operator runs them, on real files.
@Suite struct JournalCommandTests {
    final class Folder {
        let path = NSTemporaryDirectory() + "journal-cli-" + UUID().uuidString
        init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }
        func write(_ name: String, _ text: String) -> String {
            let file = path + "/" + name
            try! text.write(toFile: file, atomically: true, encoding: .utf8)
            return file
        }
    }

    static let trades = """
        time,symbol,price,size
        2024-01-02T14:30:00.000001Z,AAPL,185.5,100
        2024-01-02T14:30:00.5Z,MSFT,370.1,
        2024-01-02T14:30:01Z,AAPL,185.6,50

        """

    static func ticks(_ dir: String) throws -> [(JournalRecord, Tick)] {
        var reader = try JournalReader(directory: dir)
        var out: [(JournalRecord, Tick)] = []
        while let view = try reader.next() {
            let record = view.record
            guard case .tick(let tick) = try WireCodec().decode(topic: record.topic, payload: record.payload) else {
                Issue.record("not a tick")
                continue
            }
            out.append((record, tick))
        }
        return out
    }

    @Test func importedTradesAreContractTicksWithPerSymbolSeqAndEventTimes() throws {
        let folder = Folder()
        let csv = folder.write("trades.csv", Self.trades)
        let dir = folder.path + "/j"
        let result = try CLI.run(["journal", "import", "--csv", csv, "--out", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("imported 3 tick(s)"))
        let ticks = try Self.ticks(dir)
        #expect(ticks.map(\.1.symbol) == ["AAPL", "MSFT", "AAPL"])
        #expect(ticks.map(\.1.seq) == [1, 1, 2])
        #expect(ticks.map(\.1.price) == [185.5, 370.1, 185.6])
        #expect(ticks.map(\.1.size) == [100, nil, 50])
        #expect(ticks[0].1.ts == 1_704_205_800_000_001_000)
        #expect(ticks.allSatisfy { $0.0.receiveTime == $0.1.ts && !$0.0.isRejected })
        #expect(ticks.allSatisfy { $0.0.payload.first == 0xB1 }, "binary by default")

        let inspect = try CLI.run(["journal", "inspect", dir])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("tick: 3 records, 2 keys: AAPL 2, MSFT 1"))
        #expect(inspect.stdout.contains("records: 3 (0 rejected, 0 after drops), sequence 1–3"))
        #expect(inspect.stdout.contains("time: 2024-01-02T14:30:00.000001000Z – 2024-01-02T14:30:01.000000000Z"))
        #expect(inspect.stdout.contains("sound"))
        let verify = try CLI.run(["journal", "verify", dir])
        #expect(verify.status == 0)
        #expect(verify.stdout.contains("sound: 1 segment(s), 3 sound record(s)"))
        // A journal is never imported over.
        #expect(try CLI.run(["journal", "import", "--csv", csv, "--out", dir]).status == 64)
    }

    @Test func quotesWithEpochMillisecondsAFixedSymbolAndJSON() throws {
        let folder = Folder()
        let csv = folder.write("q.csv", "ts,bid,ask\n1700000000000,1.5,1.6\n1700000001500,1.4,1.5\n")
        let dir = folder.path + "/q"
        let result = try CLI.run([
            "journal", "import", "--csv", csv, "--symbol", "EURUSD", "--bid-column", "bid", "--ask-column", "ask",
            "--encoding", "json", "--out", dir,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let ticks = try Self.ticks(dir)
        #expect(ticks.map(\.1.ts) == [1_700_000_000_000_000_000, 1_700_000_001_500_000_000])
        #expect(ticks.map(\.1.price) == [1.55, 1.45])
        #expect(ticks.map(\.1.bid) == [1.5, 1.4])
        #expect(ticks.allSatisfy { $0.0.payload.first == UInt8(ascii: "{") })
    }

    @Test func aBadRowIsExit65WithTheLine() throws {
        let folder = Folder()
        let csv = folder.write("bad.csv", "time,symbol,price\n2024-01-02,AAPL,1\n2024-01-03,AAPL,-2\n")
        let result = try CLI.run(["journal", "import", "--csv", csv, "--out", folder.path + "/b"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("bad.csv:3:"))
        #expect(result.stderr.contains("price"))
        #expect(try CLI.run(["journal", "verify", folder.path + "/missing"]).status == 65)
    }

    @Test func verifyNamesATornTailRepairCutsIt() throws {
        let folder = Folder()
        let dir = folder.path + "/j"
        #expect(
            try CLI.run(["journal", "import", "--csv", folder.write("t.csv", Self.trades), "--out", dir]).status == 0)
        let segment = dir + "/" + JournalFormat.segmentName(firstSequence: 1)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        let lastRecord = try Self.ticks(dir).count
        var reader = try JournalReader(directory: dir)
        var offsets: [Int] = []
        while let r = try reader.next() { offsets.append(r.offset) }
        #expect(offsets.count == lastRecord)
        try bytes.prefix(bytes.count - 3).write(to: URL(fileURLWithPath: segment))
        let verify = try CLI.run(["journal", "verify", dir])
        #expect(verify.status == 65)
        #expect(verify.stdout.contains("torn tail: \(segment) at byte \(offsets[2])"))
        #expect(verify.stderr.contains("\(segment) at byte \(offsets[2])"))
        let repair = try CLI.run(["journal", "repair", dir])
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(repair.stdout.contains("at byte \(offsets[2])"))
        #expect(repair.stdout.contains("now ends at sequence 2"))
        #expect(try CLI.run(["journal", "verify", dir]).status == 0)
    }

    @Test func aCorruptRecordIsReportedNeverRemoved() throws {
        let folder = Folder()
        let dir = folder.path + "/j"
        #expect(
            try CLI.run(["journal", "import", "--csv", folder.write("t.csv", Self.trades), "--out", dir]).status == 0)
        let segment = dir + "/" + JournalFormat.segmentName(firstSequence: 1)
        var reader = try JournalReader(directory: dir)
        _ = try reader.next()
        let middle = try reader.next()!.offset
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[middle + 30] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: segment))
        let verify = try CLI.run(["journal", "verify", dir])
        #expect(verify.status == 65)
        #expect(verify.stdout.contains("damage: \(segment) at byte \(middle): corrupt_record"))
        let repair = try CLI.run(["journal", "repair", dir])
        #expect(repair.status == 65)
        #expect(repair.stdout.contains("damage (not removed): \(segment) at byte \(middle)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: segment)) == bytes)
        let inspect = try CLI.run(["journal", "inspect", dir])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("NOT SOUND"))
        #expect(inspect.stdout.contains("tick: 2 records"))
    }
}
