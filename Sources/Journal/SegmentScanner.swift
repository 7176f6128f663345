#if canImport(Glibc)
    import Glibc
#endif

/// A whole segment file read into memory it owns (freed with it), so record views stay valid while it
/// lives.
final class LoadedSegment {
    let path: String
    let bytes: UnsafeMutableRawBufferPointer

    private init(path: String, bytes: UnsafeMutableRawBufferPointer) {
        self.path = path
        self.bytes = bytes
    }

    deinit { bytes.deallocate() }

    /// Reads the file whole. - Complexity: one `read` per MiB-ish chunk; allocates the file's size once.
    static func load(_ path: String) throws(JournalError) -> LoadedSegment {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("open", path, errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io("stat", path, errno) }
        let size = Int(info.st_size)
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        var done = 0
        while done < size {
            let n = read(fd, bytes.baseAddress! + done, size - done)
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n == 0 {
                break  // the file shrank while we read it: take what is there
            } else {
                let code = errno
                bytes.deallocate()
                throw .io("read", path, code)
            }
        }
        return LoadedSegment(path: path, bytes: UnsafeMutableRawBufferPointer(rebasing: bytes[0..<done]))
    }

    var count: Int { bytes.count }
}

/// What is at one offset of a segment.
enum ParsedRecord {
    case record(JournalRecordView, size: Int)
    /// The file ends exactly here.
    case end
    /// The file ends inside a record, or only zero bytes are left: a write cut short.
    case torn(String)
    /// A complete record (or one with contradicting lengths) that is damaged.
    case corrupt(String)
}

extension LoadedSegment {
    /// Reads the record at `offset`.
    ///
    /// Torn and corrupt are told apart as follows: fewer bytes left than a record header, a consistent
    /// header (size = 32 + topic + payload) whose record runs past the end of the file, or nothing but
    /// zero bytes to the end (pages a crash left unwritten) are a torn tail; anything else that fails
    /// (sizes that disagree, a checksum mismatch) is corruption. One flipped bit can never make a torn
    /// tail: it breaks either the size equation or the checksum.
    /// - Complexity: O(record size) for the checksum; no allocation.
    func parse(at offset: Int) -> ParsedRecord {
        let remaining = count - offset
        if remaining == 0 { return .end }
        let raw = UnsafeRawBufferPointer(bytes)
        if remaining < JournalFormat.recordHeaderSize {
            return .torn(
                "the file ends \(remaining) bytes into a record's \(JournalFormat.recordHeaderSize)-byte header")
        }
        let size = Int(JournalFormat.load(raw, offset, UInt32.self))
        let topicCount = Int(JournalFormat.load(raw, offset + 22, UInt16.self))
        let payloadCount = Int(JournalFormat.load(raw, offset + 24, UInt32.self))
        guard size == JournalFormat.recordOverhead + topicCount + payloadCount else {
            if raw[offset...].allSatisfy({ $0 == 0 }) {
                return .torn("\(remaining) zero bytes to the end of the file")
            }
            return .corrupt(
                "size field \(size) disagrees with topic \(topicCount) + payload \(payloadCount) bytes + 32")
        }
        guard size <= remaining else {
            return .torn("a record of \(size) bytes; the file ends \(remaining) bytes into it")
        }
        let stored = JournalFormat.load(raw, offset + size - 4, UInt32.self)
        let computed = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + size - 4)]))
        guard stored == computed else {
            return .corrupt("checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        let topicStart = offset + JournalFormat.recordHeaderSize
        let view = JournalRecordView(
            sequence: JournalFormat.load(raw, offset + 4, UInt64.self),
            receiveTime: Int64(bitPattern: JournalFormat.load(raw, offset + 12, UInt64.self)),
            flags: raw[offset + 20],
            topic: UnsafeRawBufferPointer(rebasing: raw[topicStart..<(topicStart + topicCount)]),
            payload: UnsafeRawBufferPointer(
                rebasing: raw[(topicStart + topicCount)..<(topicStart + topicCount + payloadCount)]),
            offset: offset)
        return .record(view, size: size)
    }

    /// The first offset after `offset` where a sound record with a sequence number above `after` starts,
    /// or `nil`. - Complexity: O(bytes scanned × checksum of each candidate); used only to skip damage.
    func resynchronise(from offset: Int, after sequence: UInt64?) -> Int? {
        var p = offset + 1
        while p + JournalFormat.recordOverhead <= count {
            if case .record(let view, _) = parse(at: p), view.sequence > (sequence ?? 0) { return p }
            p += 1
        }
        return nil
    }

    /// Walks record sizes from `offset` (no checksums) and keeps every `spacing`-th record, or one per
    /// `spacingBytes`, as an index entry; stops at the first record it cannot step over.
    /// - Complexity: O(records) loads of three header fields.
    func sparseIndex(from offset: Int, spacing: Int = 4096, spacingBytes: Int = 1 << 20) -> [JournalIndexEntry] {
        let raw = UnsafeRawBufferPointer(bytes)
        var entries: [JournalIndexEntry] = []
        var p = offset
        var n = 0
        var lastEntryOffset = -spacingBytes
        while count - p >= JournalFormat.recordHeaderSize {
            let size = Int(JournalFormat.load(raw, p, UInt32.self))
            let topicCount = Int(JournalFormat.load(raw, p + 22, UInt16.self))
            let payloadCount = Int(JournalFormat.load(raw, p + 24, UInt32.self))
            guard size == JournalFormat.recordOverhead + topicCount + payloadCount, size <= count - p else { break }
            if n % spacing == 0 || p - lastEntryOffset >= spacingBytes {
                entries.append(
                    JournalIndexEntry(
                        sequence: JournalFormat.load(raw, p + 4, UInt64.self),
                        receiveTime: Int64(bitPattern: JournalFormat.load(raw, p + 12, UInt64.self)), offset: p))
                lastEntryOffset = p
            }
            n += 1
            p += size
        }
        return entries
    }
}

/// One entry of a segment's sparse index: the record with this sequence number starts at this offset.
public struct JournalIndexEntry: Sendable, Hashable {
    public var sequence: UInt64
    public var receiveTime: Int64
    public var offset: Int
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
