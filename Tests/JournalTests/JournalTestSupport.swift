import Foundation
import Journal
import Testing

/// A fresh temporary directory, removed when the value is dropped.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "journal-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    /// The segment files' names, sorted.
    var segmentNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".rsj") }.sorted()
    }
}

/// A tick-like frame numbered `i`.
func frame(_ i: Int) -> (topic: [UInt8], payload: [UInt8]) {
    let symbol = ["AAPL", "MSFT", "SPX"][i % 3]
    return (
        Array("tick.\(symbol)".utf8),
        Array("{\"symbol\":\"\(symbol)\",\"ts\":\(1_700_000_000_000_000_000 + i),\"price\":\(100 + i % 7)}".utf8)
    )
}

/// Writes `count` frames (receive time 1000 + i) and closes the writer.
@discardableResult
func writeJournal(
    _ dir: String, count: Int, from first: Int = 0, options: JournalWriter.Options = .init(fsync: .os)
) throws -> JournalWriter {
    let writer = try JournalWriter(directory: dir, options: options)
    for i in first..<(first + count) {
        let f = frame(i)
        #expect(writer.append(topic: f.topic, payload: f.payload, receiveTime: 1000 + Int64(i), rejected: i % 10 == 9))
    }
    writer.close()
    return writer
}

func readAll(_ dir: String, from start: JournalReader.Start = .beginning) throws -> [JournalRecord] {
    var reader = try JournalReader(directory: dir, from: start)
    var records: [JournalRecord] = []
    while let r = try reader.next() { records.append(r.record) }
    return records
}

func fileBytes(_ path: String) -> [UInt8] { Array(FileManager.default.contents(atPath: path)!) }

func writeFile(_ path: String, _ bytes: [UInt8]) {
    #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
}
