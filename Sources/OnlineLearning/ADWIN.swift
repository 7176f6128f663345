#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// ADWIN, the adaptive-windowing change detector of Bifet and Gavaldà ("Learning from time-changing data
/// with adaptive windowing", SDM 2007), in its ADWIN2 form: the window is compressed into an exponential
/// histogram whose row `i` holds at most `maxBucketsPerRow` buckets of `2^i` values each (total and
/// variance per bucket). Every `clock` values it looks for a cut that splits the window into two
/// sub-windows whose means differ by more than the bound for confidence `delta`, and drops the older part.
///
/// Defaults are the published ones (and River's and MOA's): `delta = 0.002`, `clock = 32`,
/// `maxBucketsPerRow = 5`, minimum sub-window length 5, no check before 10 values.
///
/// - Complexity: `update` is amortised O(1) for the insert and O(log W) for the check that runs every
///   `clock` values (W the window width). It never allocates: the histogram is a fixed array of
///   `rowCapacity × (maxBucketsPerRow + 1)` buckets, allocated at `init`.
/// - Memory: at most `memoryBound` bytes. The window is capped at `maxBucketsPerRow × (2^rowCapacity − 1)`
///   values (≈ 2·10^10 with the defaults); beyond that the oldest bucket is dropped.
public struct ADWIN: Sendable, Checkpointable {
    public let delta: Double
    public let clock: Int
    public let maxBucketsPerRow: Int
    public let minSubWindowLength: Int
    public let gracePeriod: Int

    /// Rows of the exponential histogram (row `i` has buckets of `2^i` values).
    public static let rowCapacity = 32

    /// Number of values in the current window.
    public private(set) var width: Int = 0
    /// Sum of the values in the window.
    public private(set) var total: Double = 0
    /// Sum of squared deviations from the mean over the window.
    public private(set) var variance: Double = 0
    /// Number of detected changes since creation.
    public private(set) var detections: Int = 0
    private var tick: Int = 0
    private var rowsInUse: Int = 0
    /// Buckets per row; row `r`'s buckets are at `r * stride ..< r * stride + rowCounts[r]`, oldest first.
    private var rowCounts: [Int]
    private var bucketTotals: [Double]
    private var bucketVariances: [Double]

    private var stride: Int { maxBucketsPerRow + 1 }

    /// - Precondition: `0 < delta < 1`, `clock >= 1`, `maxBucketsPerRow >= 2`, `minSubWindowLength >= 1`.
    public init(
        delta: Double = 0.002,
        clock: Int = 32,
        maxBucketsPerRow: Int = 5,
        minSubWindowLength: Int = 5,
        gracePeriod: Int = 10
    ) {
        precondition(delta > 0 && delta < 1, "ADWIN delta must be in (0, 1)")
        precondition(clock >= 1 && maxBucketsPerRow >= 2 && minSubWindowLength >= 1 && gracePeriod >= 0)
        self.delta = delta
        self.clock = clock
        self.maxBucketsPerRow = maxBucketsPerRow
        self.minSubWindowLength = minSubWindowLength
        self.gracePeriod = gracePeriod
        rowCounts = Array(repeating: 0, count: Self.rowCapacity)
        bucketTotals = Array(repeating: 0, count: Self.rowCapacity * (maxBucketsPerRow + 1))
        bucketVariances = bucketTotals
    }

    /// The mean of the values in the window (0 when empty).
    public var estimation: Double { width > 0 ? total / Double(width) : 0 }

    /// Bytes this detector can ever use, including its fixed histogram.
    public var memoryBound: Int {
        MemoryLayout<ADWIN>.size + (Self.rowCapacity * stride * 2 + Self.rowCapacity) * 8 + 3 * 32
    }

    /// Forgets everything (same parameters).
    public mutating func reset() {
        width = 0
        total = 0
        variance = 0
        tick = 0
        rowsInUse = 0
        for r in 0..<Self.rowCapacity { rowCounts[r] = 0 }
    }

    /// Adds a value; returns true when a change was detected (the window has then been shrunk).
    /// Non-finite values are ignored.
    /// - Complexity: amortised O(1), plus O(log W) every `clock` calls. No allocation.
    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        insert(value)
        tick += 1
        guard tick % clock == 0, width > gracePeriod else { return false }
        return detectChange()
    }

    private mutating func insert(_ value: Double) {
        width += 1
        if width > 1 {
            let w = Double(width)
            let d = value - total / (w - 1)
            variance += (w - 1) * d * d / w
        }
        total += value
        bucketTotals[rowCounts[0]] = value
        bucketVariances[rowCounts[0]] = 0
        rowCounts[0] += 1
        if rowsInUse == 0 { rowsInUse = 1 }
        compress()
    }

    private mutating func compress() {
        var row = 0
        while row < rowsInUse && rowCounts[row] > maxBucketsPerRow {
            let base = row * stride
            if row + 1 == Self.rowCapacity {
                // The window is at its cap: drop the oldest bucket instead of merging upwards.
                dropOldestBucket()
                return
            }
            let size = Double(1 << row)
            let t1 = bucketTotals[base], t2 = bucketTotals[base + 1]
            let d = t1 / size - t2 / size
            let mergedVariance = bucketVariances[base] + bucketVariances[base + 1] + size * size * d * d / (2 * size)
            let n = rowCounts[row]
            for k in 2..<n {
                bucketTotals[base + k - 2] = bucketTotals[base + k]
                bucketVariances[base + k - 2] = bucketVariances[base + k]
            }
            rowCounts[row] = n - 2
            let next = row + 1
            let slot = next * stride + rowCounts[next]
            bucketTotals[slot] = t1 + t2
            bucketVariances[slot] = mergedVariance
            rowCounts[next] += 1
            if next >= rowsInUse { rowsInUse = next + 1 }
            row = next
        }
    }

    /// Removes the oldest bucket (the first of the highest non-empty row) from the window.
    private mutating func dropOldestBucket() {
        guard rowsInUse > 0 else { return }
        let row = rowsInUse - 1
        let base = row * stride
        let size = 1 << row
        let bucketTotal = bucketTotals[base]
        let bucketVariance = bucketVariances[base]
        let n = Double(size)
        width -= size
        let rest = Double(width)
        if width > 0 {
            let d = bucketTotal / n - (total - bucketTotal) / rest
            variance -= bucketVariance + n * rest * d * d / (n + rest)
            if variance < 0 { variance = 0 }
        } else {
            variance = 0
        }
        total -= bucketTotal
        if width == 0 { total = 0 }
        let count = rowCounts[row]
        for k in 1..<max(count, 1) {
            bucketTotals[base + k - 1] = bucketTotals[base + k]
            bucketVariances[base + k - 1] = bucketVariances[base + k]
        }
        rowCounts[row] = count - 1
        while rowsInUse > 0 && rowCounts[rowsInUse - 1] == 0 { rowsInUse -= 1 }
    }

    private mutating func detectChange() -> Bool {
        var changed = false
        var shrinking = true
        while shrinking {
            shrinking = false
            let n = Double(width)
            let dd = log(2 * log(n) / delta)
            let v = variance / n
            var n0 = 0, n1 = width
            var u0 = 0.0, u1 = total
            var row = rowsInUse - 1
            scan: while row >= 0 {
                let base = row * stride
                let size = 1 << row
                for k in 0..<rowCounts[row] {
                    n0 += size
                    n1 -= size
                    u0 += bucketTotals[base + k]
                    u1 -= bucketTotals[base + k]
                    if n1 < minSubWindowLength { break scan }
                    if n0 >= minSubWindowLength
                        && cut(n0: n0, n1: n1, difference: u0 / Double(n0) - u1 / Double(n1), dd: dd, v: v)
                    {
                        shrinking = true
                        changed = true
                        if width > 0 { dropOldestBucket() }
                        break scan
                    }
                }
                row -= 1
            }
        }
        if changed { detections += 1 }
        return changed
    }

    /// The ADWIN2 cut test: |µ0 − µ1| > sqrt(2 m v dd) + 2/3 dd m, with dd = ln(2 ln(W) / δ), v the window
    /// variance and m the harmonic term of the two sub-window lengths.
    private func cut(n0: Int, n1: Int, difference: Double, dd: Double, v: Double) -> Bool {
        let m = 1 / Double(n0 - minSubWindowLength + 1) + 1 / Double(n1 - minSubWindowLength + 1)
        let epsilon = (2 * m * v * dd).squareRoot() + 2.0 / 3.0 * dd * m
        return abs(difference) > epsilon
    }

    // MARK: Checkpointable

    public static var stateTag: String { "adwin" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(delta)
        writer.write(clock)
        writer.write(maxBucketsPerRow)
        writer.write(minSubWindowLength)
        writer.write(gracePeriod)
        writer.write(width)
        writer.write(total)
        writer.write(variance)
        writer.write(detections)
        writer.write(tick)
        writer.write(rowsInUse)
        writer.write(rowCounts)
        writer.write(bucketTotals)
        writer.write(bucketVariances)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let delta = try reader.readDouble()
        let clock = try reader.readInt()
        let maxBuckets = try reader.readInt()
        let minLength = try reader.readInt()
        let grace = try reader.readInt()
        guard delta > 0 && delta < 1, clock >= 1, (2...1024).contains(maxBuckets), minLength >= 1, grace >= 0 else {
            throw ModelStateError(offset: at, reason: "invalid ADWIN parameters")
        }
        self.init(delta: delta, clock: clock, maxBucketsPerRow: maxBuckets, minSubWindowLength: minLength, gracePeriod: grace)
        width = try reader.readInt()
        total = try reader.readDouble()
        variance = try reader.readDouble()
        detections = try reader.readInt()
        tick = try reader.readInt()
        rowsInUse = try reader.readInt()
        let countsAt = reader.offset
        let counts = try reader.readInts(limit: Self.rowCapacity)
        let totals = try reader.readDoubles(limit: Self.rowCapacity * stride)
        let variances = try reader.readDoubles(limit: Self.rowCapacity * stride)
        guard counts.count == Self.rowCapacity, totals.count == bucketTotals.count,
            variances.count == bucketVariances.count, (0...Self.rowCapacity).contains(rowsInUse), tick >= 0,
            counts.allSatisfy({ (0...maxBuckets).contains($0) })
        else { throw ModelStateError(offset: countsAt, reason: "inconsistent ADWIN histogram") }
        var implied = 0
        for r in 0..<Self.rowCapacity {
            if r >= rowsInUse && counts[r] != 0 {
                throw ModelStateError(offset: countsAt, reason: "ADWIN bucket beyond rows in use")
            }
            implied += counts[r] << r
        }
        guard implied == width else { throw ModelStateError(offset: countsAt, reason: "ADWIN width \(width) ≠ buckets \(implied)") }
        rowCounts = counts
        bucketTotals = totals
        bucketVariances = variances
    }
}
