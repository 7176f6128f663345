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
    /// A Welford summary: count, mean and sum of squared deviations.
    struct Moments: Sendable {
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

    /// The values the statistics describe, oldest first.
    public private(set) var window: RingWindow<Double>
    /// Summary of `window`; slid while full, rebased from `fresh` every `capacity` appends.
    private var main = Moments()
    /// Summary of the values appended since the last rebase (additions only).
    private var fresh = Moments()

    /// Creates statistics over the `capacity` most recent values.
    /// - Precondition: `capacity >= 1`.
    public init(capacity: Int) {
        window = RingWindow(capacity: capacity)
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
        guard let y = window.append(x) else {
            main.add(x)
            if window.isFull { fresh = Moments() }
            return
        }
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

    /// Empties the window.
    public mutating func removeAll() {
        window.removeAll()
        main = Moments()
        fresh = Moments()
    }

    /// Mean of the window; 0 when empty.
    public var mean: Double { main.mean }

    /// Sum of the window: `mean · count`.
    public var sum: Double { main.mean * Double(main.count) }

    /// Sample variance (divisor `count − 1`) of the window; 0 with fewer than two values. Never negative.
    public var variance: Double {
        main.count < 2 ? 0 : max(main.m2, 0) / Double(main.count - 1)
    }

    /// Population variance (divisor `count`) of the window; 0 when empty. Never negative.
    public var populationVariance: Double {
        main.count < 1 ? 0 : max(main.m2, 0) / Double(main.count)
    }

    /// Sample standard deviation, `variance.squareRoot()`.
    public var standardDeviation: Double { variance.squareRoot() }
}
