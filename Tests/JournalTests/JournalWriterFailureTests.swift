import Foundation
import Journal
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A disk that fills up: the real system calls until `capacity` bytes have been written, then a short
/// write and ENOSPC.
final class DiskFillsUp: JournalFileOperations, @unchecked Sendable {
    // @unchecked: `left` is touched only by the writer thread.
    private var left: Int
    init(capacity: Int) { left = capacity }

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32) {
        guard left > 0 else { return (-1, ENOSPC) }
        let n = Glibc.write(fd, bytes.baseAddress, min(bytes.count, left))
        left -= max(n, 0)
        return (n, 0)
    }

    func sync(_ fd: Int32) -> Int32 { fdatasync(fd) == 0 ? 0 : errno }
}

/// A disk that stalls the writer thread on its first write until released.
final class StallingDisk: JournalFileOperations, @unchecked Sendable {
    // @unchecked: `released` is atomic.
    let released = Atomic<Bool>(false)
    let stalled = Atomic<Bool>(false)

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32) {
        stalled.store(true, ordering: .relaxed)
        while !released.load(ordering: .relaxed) { usleep(1000) }
        let n = Glibc.write(fd, bytes.baseAddress, bytes.count)
        return (n, n < 0 ? errno : 0)
    }

    func sync(_ fd: Int32) -> Int32 { 0 }
}

@Suite struct JournalWriterFailureTests {
    @Test(arguments: [FsyncPolicy.always, .os])
    func aFullDiskStopsTheWriterCountsEverythingAndLeavesASoundJournal(_ policy: FsyncPolicy) throws {
        let dir = TemporaryDirectory()
        let writer = try JournalWriter(
            directory: dir.path, options: .init(segmentBytes: 4096, fsync: policy),
            operations: DiskFillsUp(capacity: 10_000))
        var accepted = 0
        for i in 0..<2000 {
            let f = frame(i)
            if writer.append(topic: f.topic, payload: f.payload, receiveTime: Int64(i)) { accepted += 1 }
            if i % 50 == 0 { usleep(200) }
        }
        writer.close()
        let written = Int(writer.written.load(ordering: .relaxed))
        let failed = Int(writer.failed.load(ordering: .relaxed))
        let dropped = Int(writer.dropped.load(ordering: .relaxed))
        #expect(writer.errors.load(ordering: .relaxed) == 1)
        #expect(writer.lastError?.errno == ENOSPC)
        #expect(writer.lastError?.reason == .io)
        #expect(written > 0 && failed > 0)
        #expect(written + failed + dropped == 2000, "every frame is written, failed or dropped: counted once")
        #expect(accepted - written <= failed)
        // What was written is whole: no half record, nothing lost silently.
        let summary = try JournalSummary.read(dir.path)
        #expect(summary.isSound)
        #expect(summary.records == written)
    }

    @Test func aDiskFullBeforeTheFirstHeaderFailsTheOpenCleanly() throws {
        let dir = TemporaryDirectory()
        #expect(throws: JournalError.self) {
            try JournalWriter(directory: dir.path, operations: DiskFillsUp(capacity: 0))
        }
        #expect(throws: JournalError.self) {
            try JournalWriter(directory: dir.path + "/\u{0}bad", operations: DiskFillsUp(capacity: 0))
        }
    }

    @Test func aFullQueueDropsCountsAndFlagsTheNextRecordWithoutBlocking() throws {
        let dir = TemporaryDirectory()
        let disk = StallingDisk()
        // Opening writes the first header through the disk: release it, then stall the first batch.
        disk.released.store(true, ordering: .relaxed)
        let writer = try JournalWriter(
            directory: dir.path, options: .init(fsync: .os, queueBytes: 4096), operations: disk)
        disk.released.store(false, ordering: .relaxed)
        disk.stalled.store(false, ordering: .relaxed)
        let f = frame(1)
        #expect(writer.append(topic: f.topic, payload: f.payload, receiveTime: 1))
        while !disk.stalled.load(ordering: .relaxed) { usleep(100) }
        // The writer thread is stuck in write(); appends still return at once.
        var accepted = 1
        let start = Date()
        for i in 0..<1000 where writer.append(topic: f.topic, payload: f.payload, receiveTime: Int64(i + 2)) {
            accepted += 1
        }
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(writer.dropped.load(ordering: .relaxed) == UInt64(1001 - accepted))
        #expect(writer.dropped.load(ordering: .relaxed) > 0)
        disk.released.store(true, ordering: .relaxed)
        #expect(writer.append(topic: f.topic, payload: f.payload, receiveTime: 5000) || true)
        usleep(20_000)
        #expect(writer.append(topic: f.topic, payload: f.payload, receiveTime: 6000))
        writer.close()
        let records = try readAll(dir.path)
        #expect(records.map(\.sequence) == (1...UInt64(records.count)).map { $0 }, "no gap in sequence numbers")
        let flagged = records.filter { $0.flags & JournalFormat.Flag.afterDrop != 0 }
        #expect(flagged.count == 1)
        #expect(flagged.first?.sequence == UInt64(accepted + 1))
    }
}

/// Real writes; syncs that hang until released, or that fail.
final class SlowSyncDisk: JournalFileOperations, @unchecked Sendable {
    // @unchecked: the flags are atomic.
    let released = Atomic<Bool>(false)
    let syncing = Atomic<Bool>(false)
    let failure: Int32

    init(failure: Int32 = 0) { self.failure = failure }

    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32) {
        let n = Glibc.write(fd, bytes.baseAddress, bytes.count)
        return (n, n < 0 ? errno : 0)
    }

    func sync(_ fd: Int32) -> Int32 {
        if failure != 0 { return failure }
        syncing.store(true, ordering: .relaxed)
        while !released.load(ordering: .relaxed) { usleep(1000) }
        return fdatasync(fd) == 0 ? 0 : errno
    }
}

@Suite struct JournalSyncerTests {
    /// `ms:N` and `records:N` sync on a thread of their own: a sync that hangs does not stop writing.
    @Test(arguments: [FsyncPolicy.everyMilliseconds(1), .everyRecords(1)])
    func aHangingSyncNeverStopsTheWriter(_ policy: FsyncPolicy) throws {
        let dir = TemporaryDirectory()
        let disk = SlowSyncDisk()
        let writer = try JournalWriter(
            directory: dir.path, options: .init(fsync: policy, queueBytes: 4096), operations: disk)
        let f = frame(0)
        #expect(writer.append(topic: f.topic, payload: f.payload, receiveTime: 0))
        while !disk.syncing.load(ordering: .relaxed) { usleep(100) }
        for k in 1...60 {
            #expect(writer.append(topic: f.topic, payload: f.payload, receiveTime: Int64(k)))
            let deadline = Date().addingTimeInterval(10)
            while writer.written.load(ordering: .relaxed) < UInt64(k + 1) && Date() < deadline { usleep(100) }
        }
        #expect(writer.written.load(ordering: .relaxed) == 61, "written while the first sync hangs")
        #expect(writer.lastSynced.load(ordering: .relaxed) == 0)
        #expect(writer.dropped.load(ordering: .relaxed) == 0)
        disk.released.store(true, ordering: .relaxed)
        writer.close()
        #expect(writer.lastSynced.load(ordering: .relaxed) == 61)
        #expect(writer.lastError == nil)
        #expect(try JournalSummary.read(dir.path).records == 61)
    }

    @Test func aFailedBackgroundSyncStopsTheWriter() throws {
        let dir = TemporaryDirectory()
        let writer = try JournalWriter(
            directory: dir.path, options: .init(fsync: .everyRecords(1)), operations: SlowSyncDisk(failure: EIO))
        let f = frame(0)
        let deadline = Date().addingTimeInterval(10)
        var appended = 0
        while writer.lastError == nil && Date() < deadline {
            if writer.append(topic: f.topic, payload: f.payload, receiveTime: 0) { appended += 1 }
            usleep(1000)
        }
        #expect(writer.lastError?.errno == EIO)
        #expect(writer.lastError?.file?.hasSuffix(".rsj") == true)
        #expect(!writer.append(topic: f.topic, payload: f.payload, receiveTime: 0))
        writer.close()
        #expect(writer.errors.load(ordering: .relaxed) >= 1)
        #expect(writer.failed.load(ordering: .relaxed) >= 1)
    }
}
