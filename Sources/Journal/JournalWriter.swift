public import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Appends records to a journal directory from one producer thread (the engine's ingest thread),
/// through a bounded queue, to a writer thread of its own that does every `write` and `fdatasync`.
///
/// - **Never blocks on the disk.** `append` copies the frame into the queue under a mutex the writer
///   thread holds only to swap buffers (O(1)); it never waits for I/O.
/// - **Full queue: drop and count** (`WhenFull.drop`, the engine's). When the queue (`queueBytes`,
///   16 MiB by default) cannot take a record, it is not journaled: `dropped` counts it, it takes no
///   sequence number, and the next record journaled carries flag bit 1 (`afterDrop`), so the journal
///   itself shows where frames are missing. Offline tools (`journal import`) choose `WhenFull.block`:
///   `append` waits for the writer thread to take the queue.
/// - **Errors stop the writer.** A failed `write`, `fdatasync`, `open` or roll (ENOSPC, EIO, …) is counted
///   in `errors` and kept in `lastError`; a partly written batch is truncated back to its last whole
///   record (so the journal stays sound), its records and every later `append` are counted in `failed`,
///   and nothing more is written: a full disk is not retried (retrying could interleave half records
///   and hides the condition). The writer never crashes the process.
/// - **Reopening continues**: sequence numbers go on from the last sound record. A torn tail left by a
///   crash is refused (`OnTornTail.refuse`, the default, as kdb+ refuses a bad log until it is
///   repaired) or cut off and reported in `repairedTail` (`.truncate`). A corrupt record in the last
///   segment is always refused.
public final class JournalWriter: @unchecked Sendable {
    // @unchecked: the queue's buffers and flags are touched only with `mutex` held; the segment state
    // (fd, sizes, sequence counters of written data) only on the writer thread; counters are atomic.

    public enum OnTornTail: Sendable {
        case refuse
        case truncate
    }

    /// What `append` does when the queue cannot take a record.
    public enum WhenFull: Sendable {
        /// Refuse it at once and count it in `dropped` (never waits: for the engine's ingest thread).
        case drop
        /// Wait until the writer thread has taken the queue (for tools that must not lose a record).
        case block
    }

    public struct Options: Sendable {
        /// A segment is closed and the next one started before a record would take it past this size
        /// (a segment holds at least one record, however large).
        public var segmentBytes = 64 << 20
        public var fsync: FsyncPolicy = .everyMilliseconds(100)
        /// Bytes of encoded records the queue holds at most (a record takes 32 + topic + payload bytes).
        public var queueBytes = 16 << 20
        public var onTornTail: OnTornTail = .refuse
        public var whenFull: WhenFull = .drop

        public init(
            segmentBytes: Int = 64 << 20, fsync: FsyncPolicy = .everyMilliseconds(100), queueBytes: Int = 16 << 20,
            onTornTail: OnTornTail = .refuse, whenFull: WhenFull = .drop
        ) {
            self.segmentBytes = segmentBytes
            self.fsync = fsync
            self.queueBytes = queueBytes
            self.onTornTail = onTornTail
            self.whenFull = whenFull
        }
    }

    public let directory: String
    public let options: Options
    /// The torn tail cut off at open (`.truncate` only): where it was and how many bytes went.
    public let repairedTail: (tail: JournalError, bytes: Int)?
    /// The first sequence number this writer gives.
    public let firstSequence: UInt64

    /// Records written to the file (handed to the kernel; durable per the fsync policy).
    public let written = Atomic<UInt64>(0)
    /// Records refused because the queue was full.
    public let dropped = Atomic<UInt64>(0)
    /// Records lost to a write error, and records refused after it (the writer has stopped).
    public let failed = Atomic<UInt64>(0)
    /// Failed system calls (the writer stops at the first, so 0 or 1 unless closing also fails).
    public let errors = Atomic<UInt64>(0)
    /// `fdatasync` calls made, and bytes written (headers included).
    public let syncs = Atomic<UInt64>(0)
    public let bytesWritten = Atomic<UInt64>(0)
    /// Sequence number of the last record written, and of the last one synced (0: none yet).
    public let lastWritten = Atomic<UInt64>(0)
    public let lastSynced = Atomic<UInt64>(0)
    private let errorBox = Mutex<JournalError?>(nil)

    /// The first error, once the writer has stopped on it.
    public var lastError: JournalError? { errorBox.withLock { $0 } }

    // Queue (mutex held).
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    /// Signalled when the writer thread takes the queue (`WhenFull.block`).
    private let space: UnsafeMutablePointer<pthread_cond_t>
    private var staged: RecordBuffer
    private var stagedRecords = 0
    private var nextSequence: UInt64
    private var dropPending = false
    private var closing = false
    private var stopped = false

    // Writer thread only.
    private let operations: any JournalFileOperations
    private var spare: RecordBuffer
    private var fd: Int32 = -1
    private var segmentPath = ""
    private var segmentSize = 0
    private var unsyncedRecords = 0
    /// Syncs for `records:N` and `ms:N` off the writer thread (nil for `always` and `os`).
    private var syncer: JournalSyncer?
    private var lastSyncTime = monotonicNanoseconds()
    private var thread = pthread_t()
    private var joined = false

    /// Opens (creating it if needed) the journal in `directory` and starts the writer thread.
    /// - Throws: `JournalError`: a torn tail with `.refuse` (`.tornTail`, run `repair`), a corrupt last
    ///   segment, a directory or file that cannot be created, invalid options.
    public init(
        directory: String, options: Options = Options(), operations: any JournalFileOperations = POSIXFileOperations()
    ) throws(JournalError) {
        guard options.segmentBytes >= 4096, options.queueBytes >= 4096 else {
            throw JournalError(.invalidArgument, "segment and queue sizes must be at least 4096 bytes")
        }
        if case .everyRecords(let n) = options.fsync, n < 1 {
            throw JournalError(.invalidArgument, "records:N needs N >= 1")
        }
        if case .everyMilliseconds(let n) = options.fsync, n < 1 {
            throw JournalError(.invalidArgument, "ms:N needs N >= 1")
        }
        self.directory = directory
        self.options = options
        self.operations = operations
        try JournalDirectory.create(directory)
        var end = try JournalEnd.find(directory)
        if let torn = end.tornTail {
            guard options.onTornTail == .truncate else {
                throw JournalError(
                    .tornTail, torn.message + "; not appending after it: run `riskstream journal repair \(directory)`",
                    file: torn.file, offset: torn.offset)
            }
            let removed = try end.removeTornTail()
            repairedTail = (torn, removed)
            if end.soundBytes == 0 { end.segment = nil }
        } else {
            repairedTail = nil
        }
        nextSequence = end.nextSequence
        firstSequence = end.nextSequence
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        space = .allocate(capacity: 1)
        pthread_cond_init(space, nil)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        staged = RecordBuffer(capacity: options.queueBytes)
        spare = RecordBuffer(capacity: options.queueBytes)
        // From here on a throw runs `deinit`, which frees the queue and closes the file.
        if let segment = end.segment {
            segmentPath = segment.path
            fd = open(segment.path, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard fd >= 0 else { throw JournalError.io("open", segment.path, errno) }
            segmentSize = end.soundBytes
        } else {
            try startSegment(firstSequence: nextSequence)
        }
        switch options.fsync {
        case .everyRecords, .everyMilliseconds:
            // The closure holds the writer weakly: the writer owns the syncer and closes it before it goes.
            syncer = JournalSyncer(operations: operations) { [weak self] sequence, code, path in
                self?.synced(through: sequence, code: code, path: path)
            }
        case .always, .os:
            break
        }
        let retained = Unmanaged.passRetained(self)
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let writer = Unmanaged<JournalWriter>.fromOpaque(raw!).takeRetainedValue()
                writer.runWriter()
                return nil
            }, retained.toOpaque())
        precondition(rc == 0, "pthread_create failed with \(rc)")
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        staged.free()
        spare.free()
        pthread_cond_destroy(condition)
        pthread_cond_destroy(space)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        space.deallocate()
        mutex.deallocate()
    }

    /// Queues one frame. Never blocks on I/O; one producer thread at a time.
    /// - Returns: `true` if queued (it will be written unless the disk fails), `false` if the queue was
    ///   full (`dropped`) or the writer has stopped on an error or is closing (`failed`).
    /// - Complexity: one mutex lock, a copy of the frame; no allocation (the queue is reserved up front).
    @discardableResult
    public func append(
        topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, receiveTime: Int64, rejected: Bool = false
    ) -> Bool {
        let size = JournalFormat.recordOverhead + topic.count + payload.count
        guard topic.count <= JournalFormat.maxTopicBytes, payload.count <= JournalFormat.maxPayloadBytes else {
            pthread_mutex_lock(mutex)
            dropPending = true
            pthread_mutex_unlock(mutex)
            dropped.add(1, ordering: .relaxed)
            return false
        }
        pthread_mutex_lock(mutex)
        if stopped || closing {
            pthread_mutex_unlock(mutex)
            failed.add(1, ordering: .relaxed)
            return false
        }
        if options.whenFull == .block {
            while staged.count + size > options.queueBytes && !staged.isEmpty && !stopped {
                pthread_cond_signal(condition)
                pthread_cond_wait(space, mutex)
            }
            if stopped {
                pthread_mutex_unlock(mutex)
                failed.add(1, ordering: .relaxed)
                return false
            }
        }
        guard staged.count + size <= options.queueBytes || (options.whenFull == .block && staged.isEmpty) else {
            dropPending = true
            pthread_mutex_unlock(mutex)
            dropped.add(1, ordering: .relaxed)
            return false
        }
        let wasEmpty = staged.isEmpty
        var flags: UInt8 = rejected ? JournalFormat.Flag.rejected : 0
        if dropPending {
            flags |= JournalFormat.Flag.afterDrop
            dropPending = false
        }
        staged.reserve(size)
        let record = staged.base + staged.count
        record.storeBytes(of: UInt32(size).littleEndian, toByteOffset: 0, as: UInt32.self)
        record.storeBytes(of: nextSequence.littleEndian, toByteOffset: 4, as: UInt64.self)
        record.storeBytes(of: receiveTime.littleEndian, toByteOffset: 12, as: Int64.self)
        record.storeBytes(of: flags, toByteOffset: 20, as: UInt8.self)
        record.storeBytes(of: 0, toByteOffset: 21, as: UInt8.self)
        record.storeBytes(of: UInt16(topic.count).littleEndian, toByteOffset: 22, as: UInt16.self)
        record.storeBytes(of: UInt32(payload.count).littleEndian, toByteOffset: 24, as: UInt32.self)
        if topic.count > 0 { (record + 28).copyMemory(from: topic.baseAddress!, byteCount: topic.count) }
        if payload.count > 0 {
            (record + 28 + topic.count).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        }
        // The checksum (the last 4 bytes) is computed on the writer thread.
        staged.count += size
        nextSequence &+= 1
        stagedRecords += 1
        pthread_mutex_unlock(mutex)
        if wasEmpty { pthread_cond_signal(condition) }
        return true
    }

    /// Convenience for tests and tools: queues byte arrays.
    @discardableResult
    public func append(topic: [UInt8], payload: [UInt8], receiveTime: Int64, rejected: Bool = false) -> Bool {
        topic.withUnsafeBytes { t in
            payload.withUnsafeBytes { p in append(topic: t, payload: p, receiveTime: receiveTime, rejected: rejected) }
        }
    }

    /// Writes what is queued, syncs (except with `os`), closes the file and joins the writer thread.
    /// Appends after this are refused (`failed`). Call once, from the owner; later calls do nothing.
    public func close() {
        pthread_mutex_lock(mutex)
        let already = closing
        closing = true
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(condition)
        guard !already, !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    // MARK: - The writer thread

    private func runWriter() {
        while true {
            pthread_mutex_lock(mutex)
            while staged.isEmpty && !closing {
                if let deadline = syncDeadline() {
                    var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                    if pthread_cond_timedwait(condition, mutex, &ts) == ETIMEDOUT { break }
                } else {
                    pthread_cond_wait(condition, mutex)
                }
            }
            swap(&staged, &spare)
            let records = stagedRecords
            stagedRecords = 0
            let finishing = closing
            let failedAlready = stopped
            pthread_mutex_unlock(mutex)
            pthread_cond_broadcast(space)
            if spare.count > 0 {
                if failedAlready {
                    failed.add(UInt64(records), ordering: .relaxed)
                } else {
                    writeBatch()
                }
                spare.count = 0
            }
            if !isStopped { syncIfDue(closing: finishing) }
            if finishing {
                pthread_mutex_lock(mutex)
                let empty = staged.isEmpty
                pthread_mutex_unlock(mutex)
                if empty { break }
            }
        }
        syncer?.close()
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    private var isStopped: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return stopped
    }

    /// The monotonic time at which `everyMilliseconds` must sync what is written, if anything is unsynced.
    private func syncDeadline() -> Int64? {
        guard case .everyMilliseconds(let ms) = options.fsync, unsyncedRecords > 0 else { return nil }
        return lastSyncTime + Int64(ms) * 1_000_000
    }

    /// Writes the batch in `spare`: fills in each record's checksum, rolls segments at record
    /// boundaries, one `write` per segment touched.
    private func writeBatch() {
        spare.withBytes { batch in
            var chunkStart = 0
            var chunkRecords = 0
            var p = 0
            while p < batch.count {
                let size = Int(JournalFormat.load(UnsafeRawBufferPointer(batch), p, UInt32.self))
                let pending = p - chunkStart
                if segmentSize + pending + size > options.segmentBytes
                    && segmentSize + pending > JournalFormat.headerSize
                {
                    guard writeChunk(batch, chunkStart..<p, records: chunkRecords) else {
                        failRest(batch, from: p)
                        return
                    }
                    let sequence = JournalFormat.load(UnsafeRawBufferPointer(batch), p + 4, UInt64.self)
                    do throws(JournalError) {
                        try roll(to: sequence)
                    } catch {
                        stop(error)
                        failRest(batch, from: p)
                        return
                    }
                    chunkStart = p
                    chunkRecords = 0
                }
                let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: batch[p..<(p + size - 4)]))
                JournalFormat.store(crc, batch, p + size - 4)
                chunkRecords += 1
                p += size
            }
            if !writeChunk(batch, chunkStart..<batch.count, records: chunkRecords) { return }
        }
    }

    /// Counts the records from `offset` on as failed.
    private func failRest(_ batch: UnsafeMutableRawBufferPointer, from offset: Int) {
        var p = offset
        var n: UInt64 = 0
        while p < batch.count {
            p += Int(JournalFormat.load(UnsafeRawBufferPointer(batch), p, UInt32.self))
            n += 1
        }
        failed.add(n, ordering: .relaxed)
    }

    /// Writes whole records; on an error truncates the segment back to where the chunk started.
    private func writeChunk(_ batch: UnsafeMutableRawBufferPointer, _ range: Range<Int>, records: Int) -> Bool {
        guard !range.isEmpty else { return true }
        var done = 0
        while done < range.count {
            let slice = UnsafeRawBufferPointer(rebasing: batch[(range.lowerBound + done)..<range.upperBound])
            let (n, code) = operations.write(fd, slice)
            if n > 0 {
                done += n
            } else if n < 0 && code == EINTR {
                continue
            } else {
                let code = n == 0 ? EIO : code
                // Leave no half record behind: the journal must end on a record boundary.
                if done > 0 { _ = ftruncate(fd, off_t(segmentSize)) }
                failed.add(UInt64(records), ordering: .relaxed)
                stop(JournalError.io("write", segmentPath, code))
                return false
            }
        }
        segmentSize += range.count
        bytesWritten.add(UInt64(range.count), ordering: .relaxed)
        written.add(UInt64(records), ordering: .relaxed)
        let last = JournalFormat.load(UnsafeRawBufferPointer(batch), lastRecordStart(batch, range) + 4, UInt64.self)
        lastWritten.store(last, ordering: .relaxed)
        unsyncedRecords += records
        return true
    }

    private func lastRecordStart(_ batch: UnsafeMutableRawBufferPointer, _ range: Range<Int>) -> Int {
        var p = range.lowerBound
        while true {
            let size = Int(JournalFormat.load(UnsafeRawBufferPointer(batch), p, UInt32.self))
            if p + size >= range.upperBound { return p }
            p += size
        }
    }

    /// Syncs when the policy says so: `always` here and now; `records:N` and `ms:N` through the syncer
    /// thread. At close every policy but `os` makes a last sync here, after draining the syncer (a
    /// request it had not started would otherwise be lost).
    private func syncIfDue(closing: Bool) {
        if closing {
            guard options.fsync != .os,
                unsyncedRecords > 0 || lastSynced.load(ordering: .relaxed) < lastWritten.load(ordering: .relaxed)
            else { return }
            syncer?.drain()
            _ = sync()
            return
        }
        guard unsyncedRecords > 0 else { return }
        let due: Bool
        switch options.fsync {
        case .always: due = true
        case .everyRecords(let n): due = unsyncedRecords >= n
        case .everyMilliseconds(let ms): due = monotonicNanoseconds() - lastSyncTime >= Int64(ms) * 1_000_000
        case .os: due = false
        }
        guard due else { return }
        if let syncer {
            syncer.request(fd: fd, through: lastWritten.load(ordering: .relaxed), path: segmentPath)
            unsyncedRecords = 0
            lastSyncTime = monotonicNanoseconds()
        } else {
            _ = sync()
        }
    }

    /// The syncer thread's report: `sequence` is durable, or the sync of `path` failed with `code`.
    private func synced(through sequence: UInt64, code: Int32, path: String) {
        syncs.add(1, ordering: .relaxed)
        guard code == 0 else {
            stop(JournalError.io("fdatasync", path, code))
            return
        }
        var current = lastSynced.load(ordering: .relaxed)
        while current < sequence {
            let (exchanged, original) = lastSynced.compareExchange(
                expected: current, desired: sequence, ordering: .relaxed)
            if exchanged { break }
            current = original
        }
    }

    @discardableResult
    private func sync() -> Bool {
        let code = operations.sync(fd)
        syncs.add(1, ordering: .relaxed)
        guard code == 0 else {
            stop(JournalError.io("fdatasync", segmentPath, code))
            return false
        }
        unsyncedRecords = 0
        lastSyncTime = monotonicNanoseconds()
        lastSynced.store(lastWritten.load(ordering: .relaxed), ordering: .relaxed)
        return true
    }

    /// Syncs and closes the current segment, then starts the next.
    private func roll(to sequence: UInt64) throws(JournalError) {
        syncer?.drain()  // no sync of this descriptor may be running when it is closed
        guard sync() else { throw lastError ?? JournalError.io("fdatasync", segmentPath, EIO) }
        Glibc.close(fd)
        fd = -1
        try startSegment(firstSequence: sequence)
    }

    /// Creates a segment file, writes and syncs its header, and syncs the directory entry.
    private func startSegment(firstSequence: UInt64) throws(JournalError) {
        let path = JournalDirectory.join(directory, JournalFormat.segmentName(firstSequence: firstSequence))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("create", path, errno) }
        fd = descriptor
        segmentPath = path
        segmentSize = 0
        let header = JournalFormat.header(firstSequence: firstSequence, created: wallNanoseconds())
        let (n, code) = header.withUnsafeBytes { operations.write(descriptor, $0) }
        guard n == header.count else {
            if n > 0 { _ = ftruncate(descriptor, 0) }
            throw .io("write", path, n < 0 ? code : ENOSPC)
        }
        segmentSize = header.count
        bytesWritten.add(UInt64(header.count), ordering: .relaxed)
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            Glibc.close(dir)
        }
    }

    private func stop(_ error: JournalError) {
        errors.add(1, ordering: .relaxed)
        errorBox.withLock { if $0 == nil { $0 = error } }
        pthread_mutex_lock(mutex)
        stopped = true
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(space)
    }

    /// Whether the writer has stopped on an error.
    public var hasFailed: Bool { errors.load(ordering: .relaxed) > 0 }
}

func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
}

func wallNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
}

/// A byte buffer of records on its own heap memory: `append` stores into it with no bounds checks or
/// Array bookkeeping. Grows only for a record larger than the whole queue (`WhenFull.block`).
struct RecordBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(byteCount: capacity, alignment: 16)
    }

    var isEmpty: Bool { count == 0 }

    /// Makes room for `n` more bytes (reallocates only when they do not fit).
    mutating func reserve(_ n: Int) {
        guard count + n > capacity else { return }
        let bigger = UnsafeMutableRawPointer.allocate(byteCount: count + n, alignment: 16)
        bigger.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = bigger
        capacity = count + n
    }

    func withBytes<R>(_ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
        body(UnsafeMutableRawBufferPointer(start: base, count: count))
    }

    /// Frees the memory; call once, when the writer goes.
    func free() { base.deallocate() }
}
