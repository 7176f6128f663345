#if canImport(Glibc)
    import Glibc
#endif

/// Reads a journal's records in sequence order, segment after segment, checking every checksum, every
/// sequence number and every segment header.
///
/// At a torn tail of the last segment (a write a crash cut short) it stops: `next()` returns `nil` and
/// `tornTail` says where. A corrupt record (or segment header, or a break in the sequence) throws a
/// `JournalError` naming the file and byte offset; with `skipCorrupt` it is appended to `skipped` and
/// reading goes on at the next sound record. A segment is read whole into memory when reading reaches
/// it (at most one segment is held; 64 MiB by default).
///
/// The sparse index (one entry per 4,096 records or per MiB) is not stored: it is rebuilt from the
/// record sizes of the one segment a `from` position lands in, so starting at a sequence number or a
/// time costs one read of that segment and a walk over its record headers, never a scan of the others.
public struct JournalReader {
    /// Where reading starts.
    public enum Start: Sendable, Hashable {
        case beginning
        /// The record with this sequence number (or the first one after it).
        case sequence(UInt64)
        /// The first record whose receive time is at or after this time (wall clock, ns).
        case time(Int64)
    }

    public let directory: String
    public let segments: [JournalSegment]
    public let skipCorrupt: Bool
    /// Damage skipped so far (only with `skipCorrupt`).
    public private(set) var skipped: [JournalError] = []
    /// Set once reading has stopped at a torn tail.
    public private(set) var tornTail: JournalError?
    /// The index in `segments` of the segment being read.
    public private(set) var segmentIndex = 0

    private var segment: LoadedSegment?
    private var offset = 0
    private var expected: UInt64?
    private var lastSequence: UInt64?
    private var skipBefore: UInt64 = 0
    private var startTime: Int64?
    private var finished = false
    /// Whether a segment has been opened yet (the first one is opened by the first `next()`).
    private var started = false

    /// - Throws: `JournalError` `.io` if the directory cannot be listed or the starting segment read.
    public init(directory: String, from start: Start = .beginning, skipCorrupt: Bool = false) throws(JournalError) {
        self.directory = directory
        self.segments = try JournalDirectory.segments(directory)
        self.skipCorrupt = skipCorrupt
        switch start {
        case .beginning:
            break
        case .sequence(let sequence):
            skipBefore = sequence
            if let i = segments.lastIndex(where: { $0.firstSequence <= sequence }) { try seek(segment: i) }
        case .time(let time):
            startTime = time
            var chosen = 0
            for (i, s) in segments.enumerated() {
                guard let first = Self.firstRecordTime(s.path) else { continue }
                if first <= time { chosen = i } else { break }
            }
            try seek(segment: chosen)
        }
    }

    /// The segment file being read.
    public var currentSegment: JournalSegment? { segmentIndex < segments.count ? segments[segmentIndex] : nil }

    /// Loads segment `i` and jumps to the last sparse-index entry before the start position.
    private mutating func seek(segment i: Int) throws(JournalError) {
        segmentIndex = i
        try open(segments[i])
        guard let loaded = segment, offset > 0 else { return }
        let entries = loaded.sparseIndex(from: offset)
        let entry: JournalIndexEntry?
        if let startTime {
            entry = entries.last { $0.receiveTime < startTime }
        } else {
            entry = entries.last { $0.sequence <= skipBefore }
        }
        if let entry {
            offset = entry.offset
            expected = entry.sequence
        }
    }

    /// Opens a segment: reads it, checks its header against its name and the previous segment.
    private mutating func open(_ s: JournalSegment) throws(JournalError) {
        segment = nil
        started = true
        let loaded = try LoadedSegment.load(s.path)
        let isLast = segmentIndex == segments.count - 1
        switch JournalFormat.readHeader(UnsafeRawBufferPointer(loaded.bytes)) {
        case .failure(.short) where isLast:
            tornTail = JournalError(
                .tornTail,
                "the file ends \(loaded.count) bytes into the \(JournalFormat.headerSize)-byte segment header",
                file: s.path, offset: 0)
            finished = true
            return
        case .failure(.short):
            try damage(
                JournalError(
                    .corruptRecord, "segment header cut short, and later segments exist", file: s.path, offset: 0))
            return
        case .failure(.invalid(let why)):
            try damage(JournalError(.corruptRecord, why, file: s.path, offset: 0))
            return
        case .success(let header):
            guard header.firstSequence == s.firstSequence else {
                try damage(
                    JournalError(
                        .sequenceBreak, "the header says the first sequence is \(header.firstSequence)",
                        file: s.path, offset: 16))
                return
            }
            if let lastSequence, header.firstSequence != lastSequence &+ 1, skipped.isEmpty {
                try damage(
                    JournalError(
                        .sequenceBreak,
                        "starts at sequence \(header.firstSequence); the previous segment ended at \(lastSequence)",
                        file: s.path, offset: 0))
            }
            segment = loaded
            offset = JournalFormat.headerSize
            expected = header.firstSequence
        }
    }

    /// Throws `problem`, or records it when skipping damage.
    private mutating func damage(_ problem: JournalError) throws(JournalError) {
        guard skipCorrupt else {
            finished = true
            throw problem
        }
        skipped.append(problem)
    }

    /// The next record, or `nil` at the end of the journal or at a torn tail (`tornTail`).
    /// The view's bytes are valid until the next call.
    /// - Throws: `JournalError` for a corrupt record, header or sequence break (unless `skipCorrupt`), or
    ///   a segment that cannot be read.
    /// - Complexity: O(record size) for its checksum; a segment's read when reaching it.
    public mutating func next() throws(JournalError) -> JournalRecordView? {
        while !finished {
            guard let loaded = segment else {
                guard try advance() else { return nil }
                continue
            }
            switch loaded.parse(at: offset) {
            case .end:
                guard try advance() else { return nil }
            case .torn(let why):
                if segmentIndex == segments.count - 1 {
                    tornTail = JournalError(.tornTail, why, file: loaded.path, offset: offset)
                    finished = true
                    return nil
                }
                try damage(
                    JournalError(.corruptRecord, why + ", and later segments exist", file: loaded.path, offset: offset))
                guard try advance() else { return nil }
            case .corrupt(let why):
                try damage(JournalError(.corruptRecord, why, file: loaded.path, offset: offset))
                try skipDamage(in: loaded)
            case .record(let view, let size):
                if let expected, view.sequence != expected {
                    try damage(
                        JournalError(
                            .sequenceBreak, "sequence \(view.sequence), expected \(expected)", file: loaded.path,
                            offset: offset))
                    try skipDamage(in: loaded)
                    continue
                }
                offset += size
                expected = view.sequence &+ 1
                lastSequence = view.sequence
                if view.sequence < skipBefore { continue }
                if let startTime {
                    guard view.receiveTime >= startTime else { continue }
                    self.startTime = nil
                }
                return view
            }
        }
        return nil
    }

    /// After damage at `offset`: the next sound record of this segment, or the next segment.
    private mutating func skipDamage(in loaded: LoadedSegment) throws(JournalError) {
        if let next = loaded.resynchronise(from: offset, after: lastSequence) {
            offset = next
            expected = nil
        } else {
            offset = loaded.count
        }
    }

    /// Moves to the next segment; `false` at the end.
    private mutating func advance() throws(JournalError) -> Bool {
        if !started, !segments.isEmpty {
            try open(segments[0])
            return true
        }
        guard segmentIndex + 1 < segments.count else {
            finished = true
            segment = nil
            return false
        }
        segmentIndex += 1
        try open(segments[segmentIndex])
        return true
    }

    /// The receive time of a segment's first record, from its first 68 bytes (no checksum), if it has one.
    static func firstRecordTime(_ path: String) -> Int64? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: JournalFormat.headerSize + JournalFormat.recordHeaderSize)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        guard n == bytes.count else { return nil }
        return bytes.withUnsafeBytes {
            Int64(bitPattern: JournalFormat.load($0, JournalFormat.headerSize + 12, UInt64.self))
        }
    }
}
