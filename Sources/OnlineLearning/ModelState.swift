/// A model's complete state in a versioned, little-endian binary form, so that a restored model predicts
/// exactly as the original from then on (doubles are stored by bit pattern).
///
/// Every checkpointable type conforms; `ModelStateWriter` / `ModelStateReader` are the only encoding.
public protocol Checkpointable {
    /// A short, stable tag for the type, written before its state (e.g. "sgd", "htr", "arf").
    static var stateTag: String { get }
    /// The type's state format version, written after the tag; bump it when the layout changes.
    static var stateVersion: UInt16 { get }

    /// Appends the state (without tag and version: `ModelStateWriter.write(model:)` adds them).
    func writeState(to writer: inout ModelStateWriter)

    /// Rebuilds a value from what `writeState` wrote for `version`.
    init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError)
}

/// Why a saved state could not be read.
public struct ModelStateError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "model state at byte \(offset): \(reason)" }
}

/// Appends a model's state to a byte buffer.
public struct ModelStateWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt16) { append(value.littleEndian) }
    public mutating func write(_ value: UInt32) { append(value.littleEndian) }
    public mutating func write(_ value: UInt64) { append(value.littleEndian) }
    public mutating func write(_ value: Int) { append(Int64(value).littleEndian) }
    public mutating func write(_ value: Double) { append(value.bitPattern.littleEndian) }

    public mutating func write(_ values: [Double]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ values: [Int]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ text: String) {
        let utf8 = Array(text.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    /// Writes a nested checkpointable value with its tag and version.
    public mutating func write<Model: Checkpointable>(model: Model) {
        write(Model.stateTag)
        write(Model.stateVersion)
        model.writeState(to: &self)
    }

    private mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what `ModelStateWriter` wrote, checking bounds: a truncated or corrupt state is an error naming
/// the byte offset, never a crash.
public struct ModelStateReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset = 0

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func readUInt8() throws(ModelStateError) -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readBool() throws(ModelStateError) -> Bool {
        let b = try readUInt8()
        guard b <= 1 else { throw ModelStateError(offset: offset - 1, reason: "bool byte \(b)") }
        return b == 1
    }

    public mutating func readUInt16() throws(ModelStateError) -> UInt16 { UInt16(littleEndian: try load()) }
    public mutating func readUInt32() throws(ModelStateError) -> UInt32 { UInt32(littleEndian: try load()) }
    public mutating func readUInt64() throws(ModelStateError) -> UInt64 { UInt64(littleEndian: try load()) }
    public mutating func readInt() throws(ModelStateError) -> Int { Int(Int64(littleEndian: try load())) }
    public mutating func readDouble() throws(ModelStateError) -> Double {
        Double(bitPattern: UInt64(littleEndian: try load()))
    }

    /// A count written by `write(_: Int)`, checked to be in `0...limit` so corrupt input cannot make the
    /// reader allocate without bound.
    public mutating func readCount(limit: Int) throws(ModelStateError) -> Int {
        let at = offset
        let n = try readInt()
        guard n >= 0 && n <= limit else { throw ModelStateError(offset: at, reason: "count \(n) outside 0...\(limit)") }
        return n
    }

    public mutating func readDoubles(limit: Int = 1 << 26) throws(ModelStateError) -> [Double] {
        let n = try readCount(limit: min(limit, (bytes.count - offset) / 8))
        var out: [Double] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readDouble()) }
        return out
    }

    public mutating func readInts(limit: Int = 1 << 26) throws(ModelStateError) -> [Int] {
        let n = try readCount(limit: min(limit, (bytes.count - offset) / 8))
        var out: [Int] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readInt()) }
        return out
    }

    public mutating func readString(limit: Int = 1 << 20) throws(ModelStateError) -> String {
        // The limit counts the bytes left after the 8-byte count itself; `need` re-checks after reading it.
        let n = try readCount(limit: min(limit, max(0, bytes.count - offset - 8)))
        try need(n)
        defer { offset += n }
        return String(decoding: bytes[offset..<(offset + n)], as: UTF8.self)
    }

    /// Reads a nested checkpointable value, checking its tag and version.
    public mutating func read<Model: Checkpointable>(model: Model.Type) throws(ModelStateError) -> Model {
        let at = offset
        let tag = try readString(limit: 64)
        guard tag == Model.stateTag else {
            throw ModelStateError(offset: at, reason: "expected state '\(Model.stateTag)', found '\(tag)'")
        }
        let version = try readUInt16()
        guard version <= Model.stateVersion else {
            throw ModelStateError(offset: at, reason: "\(tag) state version \(version) is newer than \(Model.stateVersion)")
        }
        return try Model(readingStateFrom: &self, version: version)
    }

    private mutating func need(_ n: Int) throws(ModelStateError) {
        guard bytes.count - offset >= n else {
            throw ModelStateError(offset: offset, reason: "truncated: needs \(n) more bytes, \(bytes.count - offset) left")
        }
    }

    private mutating func load<T: FixedWidthInteger>() throws(ModelStateError) -> T {
        try need(MemoryLayout<T>.size)
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { dst in
            for i in 0..<MemoryLayout<T>.size { dst[i] = bytes[offset + i] }
        }
        offset += MemoryLayout<T>.size
        return value
    }
}

extension Checkpointable {
    /// The whole state as bytes, tag and version first.
    public func savedState() -> [UInt8] {
        var writer = ModelStateWriter()
        writer.write(model: self)
        return writer.bytes
    }

    /// Restores a value saved by `savedState()`; trailing bytes are an error.
    public init(savedState bytes: [UInt8]) throws(ModelStateError) {
        var reader = ModelStateReader(bytes: bytes)
        self = try reader.read(model: Self.self)
        guard reader.isAtEnd else { throw ModelStateError(offset: reader.offset, reason: "trailing bytes") }
    }
}
