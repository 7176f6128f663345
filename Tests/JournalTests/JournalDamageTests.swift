import Foundation
import Journal
import Testing

/// A journal cut short at every byte of its last record, and a bit flipped in every byte of a record in
/// the middle: each found, with the file and the byte offset.
@Suite struct JournalDamageTests {
    /// Three records; returns the directory, the segment path and the offsets of the records.
    static func threeRecords() throws -> (TemporaryDirectory, String, [Int]) {
        let dir = TemporaryDirectory()
        try writeJournal(dir.path, count: 3)
        let path = dir.file(JournalFormat.segmentName(firstSequence: 1))
        var offsets: [Int] = []
        var reader = try JournalReader(directory: dir.path)
        while let r = try reader.next() { offsets.append(r.offset) }
        offsets.append(fileBytes(path).count)
        return (dir, path, offsets)
    }

    @Test func truncationAtEveryByteOfTheLastRecordIsATornTail() throws {
        let (dir, path, offsets) = try Self.threeRecords()
        let original = fileBytes(path)
        let last = offsets[2]
        for cut in (last + 1)..<original.count {
            writeFile(path, Array(original[..<cut]))
            let summary = try JournalSummary.read(dir.path)
            #expect(summary.records == 2, "cut at \(cut)")
            #expect(summary.damage.isEmpty, "cut at \(cut)")
            #expect(summary.tornTail?.file == path && summary.tornTail?.offset == last, "cut at \(cut)")
            // A writer refuses to append after it…
            #expect(throws: JournalError.self) { try JournalWriter(directory: dir.path) }
            // …until it is repaired; then the sequence goes on from the last sound record.
            let end = try JournalEnd.find(dir.path)
            #expect(try end.removeTornTail() == cut - last)
            #expect(try JournalSummary.read(dir.path).isSound)
            let writer = try JournalWriter(directory: dir.path, options: .init(fsync: .os))
            #expect(writer.firstSequence == 3)
            writer.close()
        }
        // Cut exactly at a record boundary: a sound journal of two records.
        writeFile(path, Array(original[..<last]))
        #expect(try JournalSummary.read(dir.path).isSound)
    }

    @Test func aWriterCanCutATornTailItself() throws {
        let (dir, path, offsets) = try Self.threeRecords()
        writeFile(path, Array(fileBytes(path).dropLast(5)))
        let writer = try JournalWriter(directory: dir.path, options: .init(fsync: .always, onTornTail: .truncate))
        #expect(writer.repairedTail?.tail.offset == offsets[2])
        #expect(writer.repairedTail?.bytes == offsets[3] - offsets[2] - 5)
        writer.append(topic: [1], payload: [2], receiveTime: 9)
        writer.close()
        #expect(try readAll(dir.path).map(\.sequence) == [1, 2, 3])
    }

    @Test func aTornSegmentHeaderAndZeroFilledPages() throws {
        let dir = TemporaryDirectory()
        try writeJournal(dir.path, count: 3)
        let second = dir.file(JournalFormat.segmentName(firstSequence: 4))
        writeFile(second, Array(fileBytes(dir.file(JournalFormat.segmentName(firstSequence: 1))).prefix(17)))
        var summary = try JournalSummary.read(dir.path)
        #expect(summary.tornTail?.file == second && summary.tornTail?.offset == 0)
        #expect(try JournalEnd.find(dir.path).removeTornTail() == 17)
        #expect(dir.segmentNames.count == 1)
        // A crash can leave the file longer than what was written, full of zeros.
        let first = dir.file(JournalFormat.segmentName(firstSequence: 1))
        let sound = fileBytes(first)
        writeFile(first, sound + [UInt8](repeating: 0, count: 4096))
        summary = try JournalSummary.read(dir.path)
        #expect(summary.records == 3 && summary.damage.isEmpty && summary.tornTail?.offset == sound.count)
    }

    @Test func aBitFlippedInAnyByteOfAMiddleRecordIsCorruption() throws {
        let (dir, path, offsets) = try Self.threeRecords()
        let original = fileBytes(path)
        for byte in offsets[1]..<offsets[2] {
            for bit in [0, 7] {
                var damaged = original
                damaged[byte] ^= UInt8(1 << bit)
                writeFile(path, damaged)
                let summary = try JournalSummary.read(dir.path)
                #expect(summary.tornTail == nil, "byte \(byte) bit \(bit)")
                #expect(summary.damage.count == 1, "byte \(byte) bit \(bit)")
                #expect(summary.damage.first?.file == path && summary.damage.first?.offset == offsets[1])
                #expect(summary.records == 2, "byte \(byte) bit \(bit): the records around it are still read")
                // Without skipping, reading stops there with the same error.
                var reader = try JournalReader(directory: dir.path)
                _ = try reader.next()
                #expect(throws: JournalError.self) { _ = try reader.next() }
                // The writer never appends to a damaged last segment.
                #expect(throws: JournalError.self) { try JournalWriter(directory: dir.path) }
            }
        }
    }

    @Test func aDamagedHeaderOrAMissingSegment() throws {
        let dir = TemporaryDirectory()
        try writeJournal(dir.path, count: 300, options: .init(segmentBytes: 8192, fsync: .os))
        let names = dir.segmentNames
        var header = fileBytes(dir.file(names[1]))
        header[20] ^= 1
        writeFile(dir.file(names[1]), header)
        var summary = try JournalSummary.read(dir.path)
        #expect(summary.damage.first?.file == dir.file(names[1]) && summary.damage.first?.offset == 0)
        try FileManager.default.removeItem(atPath: dir.file(names[1]))
        summary = try JournalSummary.read(dir.path)
        #expect(summary.damage.first?.reason == .sequenceBreak)
        #expect(summary.damage.first?.file == dir.file(names[2]))
    }
}
