/// The journal's byte layout, version 1 (Docs/JOURNAL.md is the reference; this file is its code).
///
/// A segment file is a 40-byte header followed by records, back to back, little-endian:
///
///     header  0 magic "RSJOURNL" · 8 u16 version (1) · 10 u16 header size (40) · 12 u32 reserved (0)
///             16 u64 first sequence · 24 i64 created (wall ns) · 32 u32 CRC-32C of bytes 0..<32 · 36 u32 0
///     record  0 u32 size (32 + T + P) · 4 u64 sequence · 12 i64 receive time (wall ns) · 20 u8 flags
///             21 u8 reserved (0) · 22 u16 topic length T · 24 u32 payload length P · 28 topic · 28+T payload
///             28+T+P u32 CRC-32C of the record's bytes before it
public enum JournalFormat {
    public static let magic: [UInt8] = Array("RSJOURNL".utf8)
    public static let version: UInt16 = 1
    public static let headerSize = 40
    /// Bytes of a record before its topic.
    public static let recordHeaderSize = 28
    /// Bytes a record adds to its topic and payload: the fixed fields and the trailing checksum.
    public static let recordOverhead = 32
    public static let segmentExtension = "rsj"
    /// Digits of a segment's name: its first sequence number, zero-padded.
    public static let nameDigits = 20
    public static let maxTopicBytes = Int(UInt16.max)
    /// Largest payload a record holds (the engine's frames are far smaller: `ingest.max_frame_bytes`
    /// is at most 1 GiB).
    public static let maxPayloadBytes = Int(UInt32.max) - 65_536 - recordOverhead

    /// The record flags.
    public enum Flag {
        /// Bit 0: the engine rejected the frame (it broke the wire contract).
        public static let rejected: UInt8 = 1 << 0
        /// Bit 1: one or more frames before this one were not journaled (the writer's queue was full).
        public static let afterDrop: UInt8 = 1 << 1
    }

    /// The file name of the segment whose first record is `firstSequence`: `00000000000000000001.rsj`.
    public static func segmentName(firstSequence: UInt64) -> String {
        let digits = String(firstSequence)
        return String(repeating: "0", count: max(nameDigits - digits.count, 0)) + digits + "." + segmentExtension
    }

    /// The first sequence number a segment's file name states, or `nil` if the name is not a segment's.
    public static func firstSequence(ofSegmentNamed name: String) -> UInt64? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1] == segmentExtension, parts[0].utf8.count == nameDigits,
            parts[0].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return UInt64(parts[0])
    }

    /// A segment header.
    static func header(firstSequence: UInt64, created: Int64) -> [UInt8] {
        var bytes = magic
        bytes.reserveCapacity(headerSize)
        append(&bytes, version)
        append(&bytes, UInt16(headerSize))
        append(&bytes, UInt32(0))
        append(&bytes, firstSequence)
        append(&bytes, UInt64(bitPattern: created))
        let crc = bytes.withUnsafeBytes { CRC32C.checksum($0) }
        append(&bytes, crc)
        append(&bytes, UInt32(0))
        return bytes
    }

    /// A segment header as read.
    struct Header {
        var firstSequence: UInt64
        var created: Int64
    }

    /// Reads a header, or says what is wrong with it.
    static func readHeader(_ bytes: UnsafeRawBufferPointer) -> Result<Header, HeaderProblem> {
        guard bytes.count >= headerSize else { return .failure(.short) }
        guard bytes.prefix(8).elementsEqual(magic) else { return .failure(.invalid("not a journal segment (magic)")) }
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<32]))
        guard crc == load(bytes, 32, UInt32.self) else { return .failure(.invalid("header checksum mismatch")) }
        let version = load(bytes, 8, UInt16.self)
        guard version == Self.version else { return .failure(.invalid("unsupported version \(version)")) }
        guard load(bytes, 10, UInt16.self) == UInt16(headerSize) else {
            return .failure(.invalid("unexpected header size"))
        }
        return .success(
            Header(
                firstSequence: load(bytes, 16, UInt64.self), created: Int64(bitPattern: load(bytes, 24, UInt64.self))))
    }

    enum HeaderProblem: Error {
        /// The file ends inside the header.
        case short
        case invalid(String)
    }

    @inline(__always)
    static func load<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _: T.Type) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    @inline(__always)
    static func append<T: FixedWidthInteger>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always)
    static func store<T: FixedWidthInteger>(_ value: T, _ bytes: UnsafeMutableRawBufferPointer, _ offset: Int) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }
}

/// One record as read: a view into the reader's buffer, valid until the reader moves on.
public struct JournalRecordView {
    public var sequence: UInt64
    /// The engine's wall clock when the frame was received, nanoseconds since the Unix epoch.
    public var receiveTime: Int64
    public var flags: UInt8
    public var topic: UnsafeRawBufferPointer
    public var payload: UnsafeRawBufferPointer
    /// The record's byte offset in its segment file.
    public var offset: Int

    public var isRejected: Bool { flags & JournalFormat.Flag.rejected != 0 }

    /// A copy that owns its bytes.
    public var record: JournalRecord {
        JournalRecord(
            sequence: sequence, receiveTime: receiveTime, flags: flags, topic: Array(topic), payload: Array(payload))
    }
}

/// One record with its own bytes.
public struct JournalRecord: Sendable, Hashable {
    public var sequence: UInt64
    public var receiveTime: Int64
    public var flags: UInt8
    public var topic: [UInt8]
    public var payload: [UInt8]

    public init(sequence: UInt64, receiveTime: Int64, flags: UInt8, topic: [UInt8], payload: [UInt8]) {
        self.sequence = sequence
        self.receiveTime = receiveTime
        self.flags = flags
        self.topic = topic
        self.payload = payload
    }

    public var isRejected: Bool { flags & JournalFormat.Flag.rejected != 0 }
}
