import Foundation
import Journal
import Testing

@Suite struct JournalRoundTripTests {
    @Test func recordsComeBackAsWritten() throws {
        let dir = TemporaryDirectory()
        let writer = try writeJournal(dir.path, count: 500)
        #expect(writer.written.load(ordering: .relaxed) == 500)
        #expect(writer.dropped.load(ordering: .relaxed) == 0)
        let records = try readAll(dir.path)
        #expect(records.count == 500)
        for (i, r) in records.enumerated() {
            let f = frame(i)
            #expect(r.sequence == UInt64(i + 1))
            #expect(r.receiveTime == 1000 + Int64(i))
            #expect(r.topic == f.topic && r.payload == f.payload)
            #expect(r.isRejected == (i % 10 == 9))
        }
        #expect(dir.segmentNames == ["00000000000000000001.rsj"])
    }

    @Test func emptyFramesAndAnEmptyJournal() throws {
        let dir = TemporaryDirectory()
        let writer = try JournalWriter(directory: dir.path, options: .init(fsync: .always))
        writer.append(topic: [], payload: [], receiveTime: -5)
        writer.close()
        let records = try readAll(dir.path)
        #expect(records == [JournalRecord(sequence: 1, receiveTime: -5, flags: 0, topic: [], payload: [])])
        let empty = TemporaryDirectory()
        #expect(try readAll(empty.path).isEmpty)
    }

    @Test(arguments: [FsyncPolicy.always, .os, .everyRecords(7), .everyMilliseconds(5)])
    func segmentsRollAndNameTheirFirstSequence(_ policy: FsyncPolicy) throws {
        let dir = TemporaryDirectory()
        let writer = try writeJournal(dir.path, count: 1000, options: .init(segmentBytes: 8192, fsync: policy))
        let names = dir.segmentNames
        #expect(names.count > 5)
        let summary = try JournalSummary.read(dir.path)
        #expect(summary.isSound && summary.records == 1000)
        var first: UInt64 = 1
        for (name, segment) in zip(names, summary.segments) {
            #expect(name == JournalFormat.segmentName(firstSequence: first))
            #expect(segment.firstSequence == first)
            #expect(fileBytes(dir.file(name)).count <= 8192)
            var reader = try JournalReader(directory: dir.path, from: .sequence(first))
            #expect(try reader.next()?.sequence == first)
            first = segment.lastSequence! + 1
        }
        #expect(try readAll(dir.path).map(\.sequence) == Array(1...1000))
        if policy != .os { #expect(writer.lastSynced.load(ordering: .relaxed) == 1000) }
        #expect(writer.syncs.load(ordering: .relaxed) >= UInt64(names.count - 1))
    }

    @Test func reopeningContinuesTheSequence() throws {
        let dir = TemporaryDirectory()
        try writeJournal(dir.path, count: 300, options: .init(segmentBytes: 8192, fsync: .os))
        let again = try writeJournal(dir.path, count: 200, from: 300, options: .init(segmentBytes: 8192, fsync: .os))
        #expect(again.firstSequence == 301)
        let records = try readAll(dir.path)
        #expect(records.map(\.sequence) == Array(1...500))
        #expect(records.map(\.receiveTime) == (0..<500).map { 1000 + Int64($0) })
        #expect(try JournalSummary.read(dir.path).isSound)
    }

    @Test func readingFromASequenceOrATime() throws {
        let dir = TemporaryDirectory()
        try writeJournal(dir.path, count: 20_000, options: .init(segmentBytes: 256 << 10, fsync: .os))
        #expect(dir.segmentNames.count > 3)
        for start in [1, 2, 4096, 4097, 9999, 20_000] {
            var reader = try JournalReader(directory: dir.path, from: .sequence(UInt64(start)))
            #expect(try reader.next()?.sequence == UInt64(start))
        }
        var past = try JournalReader(directory: dir.path, from: .sequence(20_001))
        #expect(try past.next() == nil)
        for time in [Int64(0), 1000, 5000, 12_345, 20_999] {
            var reader = try JournalReader(directory: dir.path, from: .time(time))
            #expect(try reader.next()?.receiveTime == max(time, 1000))
        }
    }
}
