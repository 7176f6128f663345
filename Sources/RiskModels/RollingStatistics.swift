public import OnlineLearning

/// Mean and variance of the last `capacity` values of a stream, updated in O(1) per value.
///
/// Numerics. Running sums of `x` and `x²` lose everything to cancellation when the mean is large next to
/// the spread (prices near 100 moving by 0.01), so the window is summarised as Welford's pair (mean,
/// `M2` = sum of squared deviations from the mean). Adding a value is Welford's update; replacing the
/// evicted oldest value `y` with the new `x` in a full window of `n` is the sliding form
///
///     mean' = mean + (x − y) / n
///     M2'   = M2 + (x − y) · (x − mean' + y − mean)
///
/// Sliding updates are stable step by step but their rounding errors accumulate without bound over a
/// long stream. To bound the drift without ever paying an O(n) recomputation, a second Welford
/// accumulator collects, with additions only, the values appended since the last rebase; every `n`
/// appends those are exactly the window's contents, so that fresh summary replaces the slid one and
/// starts over. The error therefore never builds up over more than `n` slides, and every append stays
/// O(1) in the worst case, not just amortised.
///
/// - Complexity: O(1) per `append`, no allocation after `init`; memory O(capacity).
public struct RollingStatistics: Sendable {
    /// The values the statistics describe, oldest first.
    public private(set) var window: RingWindow<Double>
    /// Summary of `window`: slid while full, rebased every `capacity` appends.
    public private(set) var moments: SlidingMoments

    /// Creates statistics over the `capacity` most recent values.
    /// - Precondition: `capacity >= 1`.
    public init(capacity: Int) {
        window = RingWindow(capacity: capacity)
        moments = SlidingMoments(length: capacity)
    }

    /// The most values the window keeps.
    public var capacity: Int { window.capacity }

    /// How many values the window holds.
    public var count: Int { window.count }

    /// Adds `x` as the newest value, evicting the oldest when the window is full. A non-finite `x` is
    /// accepted but poisons the statistics until it leaves the window and the next rebase; callers
    /// should pass finite values.
    /// - Complexity: O(1), no allocation.
    public mutating func append(_ x: Double) {
        moments.add(x, evicting: window.append(x))
    }

    /// Empties the window.
    public mutating func removeAll() {
        window.removeAll()
        moments = SlidingMoments(length: window.capacity)
    }

    /// Mean of the window; 0 when empty.
    public var mean: Double { moments.mean }

    /// Sum of the window: `mean · count`.
    public var sum: Double { moments.sum }

    /// Sample variance (divisor `count − 1`) of the window; 0 with fewer than two values. Never negative.
    public var variance: Double { moments.variance }

    /// Population variance (divisor `count`) of the window; 0 when empty. Never negative.
    public var populationVariance: Double { moments.populationVariance }

    /// Sample standard deviation, `variance.squareRoot()`.
    public var standardDeviation: Double { variance.squareRoot() }
}

/// Mean and variance of a sliding window of fixed `length` whose values are kept elsewhere: the caller
/// passes each new value together with the value it pushes out of the window (`nil` while the window is
/// filling). This is the summary behind `RollingStatistics`, and what a feature over the last `n < capacity`
/// values of a `RingWindow` uses (the evicted value is `window[newest: n]`), so the values are stored once.
///
/// Numerics: Welford's pair (mean, `M2`), slid when full and rebased every `length` slides from a second
/// accumulator of additions only (see `RollingStatistics`).
///
/// - Complexity: O(1) per `add`, no allocation, constant memory.
public struct SlidingMoments: Sendable, Hashable {
    /// A Welford summary: count, mean and sum of squared deviations.
    struct Moments: Sendable, Hashable {
        var count = 0
        var mean = 0.0
        var m2 = 0.0

        mutating func add(_ x: Double) {
            count += 1
            let delta = x - mean
            mean += delta / Double(count)
            m2 += delta * (x - mean)
        }
    }

    /// The window length.
    public let length: Int
    /// Summary of the window; slid while full, rebased from `fresh` every `length` slides.
    private var main = Moments()
    /// Summary of the values added since the last rebase (additions only).
    private var fresh = Moments()

    /// - Precondition: `length >= 1`.
    public init(length: Int) {
        precondition(length >= 1, "a sliding window needs a length of at least 1")
        self.length = length
    }

    /// Adds `x` as the newest value. `evicted` must be the value leaving the window: `nil` exactly while
    /// the window holds fewer than `length` values, the oldest value once it is full.
    /// - Complexity: O(1), no allocation.
    public mutating func add(_ x: Double, evicting evicted: Double?) {
        guard let y = evicted else {
            precondition(main.count < length, "a full sliding window needs the evicted value")
            main.add(x)
            return
        }
        precondition(main.count == length, "a sliding window evicts only when full")
        let n = Double(main.count)
        let oldMean = main.mean
        main.mean += (x - y) / n
        main.m2 += (x - y) * (x - main.mean + y - oldMean)
        fresh.add(x)
        if fresh.count == main.count {
            main = fresh
            fresh = Moments()
        }
    }

    /// How many values the window holds, at most `length`.
    public var count: Int { main.count }

    /// Whether the window holds `length` values.
    public var isFull: Bool { main.count == length }

    /// Mean of the window; 0 when empty.
    public var mean: Double { main.mean }

    /// Sum of the window: `mean · count`.
    public var sum: Double { main.mean * Double(main.count) }

    /// Sample variance (divisor `count − 1`); 0 with fewer than two values. Never negative.
    public var variance: Double {
        main.count < 2 ? 0 : max(main.m2, 0) / Double(main.count - 1)
    }

    /// Population variance (divisor `count`); 0 when empty. Never negative.
    public var populationVariance: Double {
        main.count < 1 ? 0 : max(main.m2, 0) / Double(main.count)
    }
}

extension SlidingMoments: Checkpointable {
    public static var stateTag: String { "sliding_moments" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(length)
        for m in [main, fresh] {
            writer.write(m.count)
            writer.write(m.mean)
            writer.write(m.m2)
        }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let length = try reader.readInt()
        guard length >= 1 else { throw ModelStateError(offset: at, reason: "sliding window length \(length)") }
        self.init(length: length)
        main = try Self.readMoments(from: &reader, limit: length)
        fresh = try Self.readMoments(from: &reader, limit: length)
    }

    private static func readMoments(from reader: inout ModelStateReader, limit: Int) throws(ModelStateError) -> Moments {
        Moments(count: try reader.readCount(limit: limit), mean: try reader.readDouble(), m2: try reader.readDouble())
    }
}
