public import OnlineLearning

/// The maximum (or minimum) of the last `length` values of a stream, by a monotonic deque.
///
/// The deque holds, oldest first, the values of the window that no later value dominates (for a maximum:
/// strictly greater than every value after them), with their positions in the stream. A new value first
/// retires the front if it has left the window, then pops every dominated value off the back; the front is
/// the extremum. Each value is pushed and popped at most once.
///
/// Storage is one ring of `length` slots reserved at `init`: the deque never holds more than `length`
/// values, so it never grows.
///
/// - Complexity: amortised O(1) per `add` (worst case O(length) for one call), no allocation after `init`;
///   memory O(length).
public struct SlidingExtremum: Sendable, Hashable {
    /// The window length.
    public let length: Int
    /// Whether this tracks the maximum (else the minimum).
    public let tracksMaximum: Bool
    private var values: [Double]
    private var positions: [Int]
    /// Ring position of the deque's front (oldest) entry.
    private var head = 0
    /// Entries in the deque.
    private var size = 0
    /// Values added since `init`: the stream position the next value gets.
    public private(set) var added = 0

    /// - Precondition: `length >= 1`.
    public init(length: Int, tracksMaximum: Bool) {
        precondition(length >= 1, "a sliding extremum needs a length of at least 1")
        self.length = length
        self.tracksMaximum = tracksMaximum
        values = Array(repeating: 0, count: length)
        positions = Array(repeating: 0, count: length)
    }

    /// Adds `x` as the newest value of the stream.
    /// - Complexity: amortised O(1), no allocation.
    public mutating func add(_ x: Double) {
        if size > 0 && positions[head] <= added - length {
            head = head + 1 == length ? 0 : head + 1
            size -= 1
        }
        while size > 0 {
            let back = slot(size - 1)
            let dominated = tracksMaximum ? values[back] <= x : values[back] >= x
            guard dominated else { break }
            size -= 1
        }
        let tail = slot(size)
        values[tail] = x
        positions[tail] = added
        size += 1
        added += 1
    }

    /// The extremum of the last `min(added, length)` values; `nil` before the first value.
    public var value: Double? { size > 0 ? values[head] : nil }

    /// Whether `length` values have been added, so the extremum covers a whole window.
    public var isFull: Bool { added >= length }

    @inline(__always)
    private func slot(_ offset: Int) -> Int {
        let s = head + offset
        return s >= length ? s - length : s
    }
}

extension SlidingExtremum: Checkpointable {
    public static var stateTag: String { "sliding_extremum" }
    public static var stateVersion: UInt16 { 1 }

    /// Writes the deque oldest first, so the restored ring starts at slot 0.
    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(length)
        writer.write(tracksMaximum)
        writer.write(added)
        writer.write(size)
        for i in 0..<size {
            writer.write(values[slot(i)])
            writer.write(positions[slot(i)])
        }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let length = try reader.readInt()
        guard length >= 1 && length <= 1 << 24 else {
            throw ModelStateError(offset: at, reason: "sliding extremum length \(length)")
        }
        self.init(length: length, tracksMaximum: try reader.readBool())
        added = try reader.readInt()
        size = try reader.readCount(limit: length)
        for i in 0..<size {
            values[i] = try reader.readDouble()
            positions[i] = try reader.readInt()
        }
    }
}
