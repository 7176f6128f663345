#if canImport(Glibc)
    import Glibc
#endif

/// Where a journal ends: its last segment, how many of that segment's bytes are sound, the sequence
/// number the next record takes, and the torn tail after the sound bytes, if a crash left one.
///
/// Only the last segment is read (whole, every checksum checked): a writer never reopens an older one,
/// and segments are synced before the next is created, so only the last can be torn.
public struct JournalEnd: Sendable {
    /// The last segment, or `nil` when the directory has none.
    public var segment: JournalSegment?
    /// Bytes of the last segment up to the end of its last sound record (or of its header).
    public var soundBytes: Int
    public var nextSequence: UInt64
    public var tornTail: JournalError?

    /// - Throws: `JournalError` for a corrupt record or header in the last segment (a damaged journal is
    ///   never appended to), or a file that cannot be read.
    public static func find(_ directory: String) throws(JournalError) -> JournalEnd {
        guard let last = try JournalDirectory.segments(directory).last else {
            return JournalEnd(segment: nil, soundBytes: 0, nextSequence: 1, tornTail: nil)
        }
        let loaded = try LoadedSegment.load(last.path)
        switch JournalFormat.readHeader(UnsafeRawBufferPointer(loaded.bytes)) {
        case .failure(.short):
            let torn = JournalError(
                .tornTail,
                "the file ends \(loaded.count) bytes into the \(JournalFormat.headerSize)-byte segment header",
                file: last.path, offset: 0)
            return JournalEnd(segment: last, soundBytes: 0, nextSequence: last.firstSequence, tornTail: torn)
        case .failure(.invalid(let why)):
            throw JournalError(.corruptRecord, why, file: last.path, offset: 0)
        case .success(let header):
            guard header.firstSequence == last.firstSequence else {
                throw JournalError(
                    .sequenceBreak, "the header says the first sequence is \(header.firstSequence)", file: last.path,
                    offset: 16)
            }
            var offset = JournalFormat.headerSize
            var next = header.firstSequence
            while true {
                switch loaded.parse(at: offset) {
                case .end:
                    return JournalEnd(segment: last, soundBytes: offset, nextSequence: next, tornTail: nil)
                case .torn(let why):
                    let torn = JournalError(.tornTail, why, file: last.path, offset: offset)
                    return JournalEnd(segment: last, soundBytes: offset, nextSequence: next, tornTail: torn)
                case .corrupt(let why):
                    throw JournalError(.corruptRecord, why, file: last.path, offset: offset)
                case .record(let view, let size):
                    guard view.sequence == next else {
                        throw JournalError(
                            .sequenceBreak, "sequence \(view.sequence), expected \(next)", file: last.path,
                            offset: offset)
                    }
                    next &+= 1
                    offset += size
                }
            }
        }
    }

    /// Cuts the torn tail off: truncates the last segment to its sound bytes, or removes it when even its
    /// header was cut short (it holds no record). Returns the bytes removed; 0 when there is no torn tail.
    @discardableResult
    public func removeTornTail() throws(JournalError) -> Int {
        guard let tornTail else { return 0 }
        return try Self.cut(tornTail: tornTail)
    }

    /// Cuts a torn tail (as `JournalReader` or `find` reported it) off its file at its offset, and syncs
    /// the file; a tail at offset 0 (a cut-short header) removes the file. Returns the bytes removed.
    @discardableResult
    public static func cut(tornTail: JournalError) throws(JournalError) -> Int {
        guard tornTail.reason == .tornTail, let path = tornTail.file, let offset = tornTail.offset else { return 0 }
        var info = stat()
        guard stat(path, &info) == 0 else { throw .io("stat", path, errno) }
        if offset == 0 {
            guard unlink(path) == 0 else { throw .io("unlink", path, errno) }
        } else {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .io("open", path, errno) }
            defer { close(fd) }
            guard ftruncate(fd, off_t(offset)) == 0 else { throw .io("truncate", path, errno) }
            guard fsync(fd) == 0 else { throw .io("fsync", path, errno) }
        }
        return Int(info.st_size) - offset
    }
}
