/// A log-linear (HDR-style) histogram of non-negative integers, here latencies in nanoseconds.
///
/// Values below 128 have a bucket each; above, every power of two `[2^k, 2^(k+1))` is cut into 64 equal
/// buckets, so a bucket is at most 1/64 (1.6 %) of its values wide: two significant digits everywhere.
/// Memory is fixed at `init` (about 1,900 counters, 15 KB, for the default 10 s ceiling); values above
/// the ceiling are counted in the last bucket and in `clamped`, and `max` stays exact.
///
/// A bucket's index is `shift * 64 + (value >> shift)` where `shift` makes `value >> shift` land in
/// `64..<128`; for values below 128 the shift is 0 and the index is the value itself.
struct Histogram {
    /// Highest value with its own bucket.
    let highestTrackable: UInt64
    private var counts: [UInt64]
    private(set) var totalCount: UInt64 = 0
    /// Values recorded above `highestTrackable` (or below zero, recorded as 0).
    private(set) var clamped: UInt64 = 0
    private(set) var min: UInt64 = .max
    private(set) var max: UInt64 = 0

    /// - Complexity: O(buckets), one allocation; never allocates afterwards.
    init(highestTrackable: UInt64 = 10_000_000_000) {
        precondition(highestTrackable >= 128, "the histogram needs a ceiling of at least 128")
        self.highestTrackable = highestTrackable
        counts = [UInt64](repeating: 0, count: Self.index(of: highestTrackable) + 1)
    }

    @inline(__always)
    static func index(of value: UInt64) -> Int {
        guard value >= 128 else { return Int(value) }
        let shift = (63 - value.leadingZeroBitCount) - 6
        return (shift << 6) + Int(value >> UInt64(shift))
    }

    /// The largest value that lands in bucket `index`.
    static func highestEquivalent(ofIndex index: Int) -> UInt64 {
        guard index >= 128 else { return UInt64(index) }
        let shift = UInt64((index >> 6) - 1)
        let sub = UInt64((index & 63) | 64)
        return ((sub + 1) << shift) - 1
    }

    /// Records one value; negative values (a clock step) count as 0 and in `clamped`.
    /// - Complexity: O(1), no allocation.
    @inline(__always)
    mutating func record(_ value: Int64) {
        let v: UInt64
        if value < 0 {
            clamped &+= 1
            v = 0
        } else {
            v = UInt64(value)
        }
        if v > highestTrackable { clamped &+= 1 }
        counts[Self.index(of: Swift.min(v, highestTrackable))] &+= 1
        totalCount &+= 1
        if v < min { min = v }
        if v > max { max = v }
    }

    /// The value at or below which `percentile` % of the recorded values fall, to the histogram's
    /// resolution (the top of the bucket holding that rank, never above `max`); 0 when empty.
    /// - Complexity: O(buckets).
    func value(atPercentile percentile: Double) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        let wanted = Swift.max(1, UInt64((percentile / 100 * Double(totalCount)).rounded(.up)))
        if wanted >= totalCount { return max }
        var seen: UInt64 = 0
        for (i, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= wanted { return Swift.min(Self.highestEquivalent(ofIndex: i), max) }
        }
        return max
    }
}
