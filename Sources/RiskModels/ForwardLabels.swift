public import OnlineLearning

/// One symbol's delayed labels: feature rows wait here until the future they are labelled with has happened.
///
/// Per accepted tick, in this order: `observe(return:ts:)` with the tick's log return (or `advance(to:)` when
/// the tick has none, at the start of a return chain), then `popMatured` to hand the rows whose labels just
/// matured to the models, then `append(features:ts:)` with the tick's feature vector. A row's future is the
/// returns observed after it was appended, so the tick's own return (the move into it) is never in its label.
///
/// Horizons:
/// - `.events(H)`: the next `H` returns. The row matures on its `H`-th return.
/// - `.seconds(H)`: every return with `ts ≤ row.ts + H` (possibly none). The row matures at the first event
///   (`observe` or `advance`) with `ts > row.ts + H`, so a return at exactly the deadline still counts.
///   Event time never moves backwards here: a `ts` behind the newest one seen counts as the newest.
///
/// Targets (all in log-return units, computed from the `m` returns of the row's future):
/// - `forward_vol`: per-event realised volatility `sqrt(Σ r² / m)`; 0 when `m == 0`.
/// - `forward_return`: `Σ r`, the log return over the horizon.
/// - `forward_abs_return`: `|Σ r|`.
///
/// O(1) per event by prefix sums: the queue keeps running sums of `r` and `r²` since `init`, and each row
/// keeps their values when it was appended; its label is the difference. On long runs the running sums
/// grow without bound, and a plain difference of two large sums loses the small window sum in between
/// (after a volatile episode, a calm window's `Σ r²` would be mostly rounding). The sums are therefore kept
/// double-double (a TwoSum-compensated pair, Knuth/Neumaier), and so are the rows' copies: a difference is
/// accurate to about `2⁻¹⁰⁶` of the running sum plus `2⁻⁵³` of the result, with no periodic re-basing.
///
/// Bounded: `capacity` rows of `width` features in one flat buffer allocated at `init`. Appending to a full
/// queue drops its oldest row, pending or matured but not yet popped, and counts it in `droppedRows`; size
/// the capacity above the rows a horizon spans (events: `H`; seconds: `H` × the peak tick rate).
///
/// - Complexity: `append` O(width); `observe`, `advance` O(1) plus O(1) per row they mature; `popMatured`
///   O(width) per row; no allocation after `init`.
public struct ForwardLabels: Sendable {
    public enum Horizon: Sendable, Hashable {
        /// The next `H` accepted returns, `H ≥ 1`.
        case events(Int)
        /// The next `H` seconds of event time, `H > 0`.
        case seconds(Double)
    }

    public enum Target: String, Sendable, Hashable, CaseIterable {
        case forwardVolatility = "forward_vol"
        case forwardReturn = "forward_return"
        case forwardAbsoluteReturn = "forward_abs_return"
    }

    public struct Configuration: Sendable, Hashable {
        /// Features per row.
        public var width: Int
        /// Most rows held, pending or matured.
        public var capacity: Int
        public var horizon: Horizon
        /// The labels each row gets, in the order `popMatured` hands them over.
        public var targets: [Target]

        public init(width: Int, capacity: Int = 4096, horizon: Horizon, targets: [Target] = [.forwardVolatility]) {
            self.width = width
            self.capacity = capacity
            self.horizon = horizon
            self.targets = targets
        }

        /// Why the configuration is unusable, or `nil` when it is fine.
        public var problem: String? {
            if width < 0 { return "the row width must not be negative" }
            if capacity < 1 { return "the capacity must be at least one row" }
            if targets.isEmpty { return "at least one target is needed" }
            switch horizon {
            case .events(let h) where h < 1: return "an event horizon must be at least 1 return"
            case .seconds(let h) where !(h > 0 && h < 9e9): return "a seconds horizon must be positive (and under 9e9)"
            default: return nil
            }
        }
    }

    /// A running sum kept as an unevaluated pair `hi + lo` (TwoSum-compensated).
    struct CompensatedSum: Sendable, Hashable {
        var hi = 0.0
        var lo = 0.0

        @inline(__always)
        mutating func add(_ x: Double) {
            let s = hi + x
            let b = s - hi
            lo += (hi - (s - b)) + (x - b)
            hi = s
        }

        /// `self − earlier`, rounded once.
        @inline(__always)
        func minus(_ earlier: CompensatedSum) -> Double {
            (hi - earlier.hi) + (lo - earlier.lo)
        }
    }

    public let configuration: Configuration
    private let horizonEvents: Int
    private let horizonNanoseconds: Int64

    // Rows, ring-ordered: the oldest at `head`; the first `matured` of them (oldest first) have labels.
    private var features: [Double]
    private var labels: [Double]
    private var rowTs: [Int64]
    private var rowReturns: [Int]
    private var rowSum: [CompensatedSum]
    private var rowSquares: [CompensatedSum]
    private var head = 0
    /// Rows held, pending or matured.
    public private(set) var count = 0
    /// Rows whose labels have matured, waiting for `popMatured`.
    public private(set) var maturedCount = 0
    /// Rows dropped unlabelled or unpopped because the queue was full, since `init`.
    public private(set) var droppedRows: UInt64 = 0
    /// Returns observed since `init`.
    public private(set) var returnCount = 0
    private var sum = CompensatedSum()
    private var squares = CompensatedSum()
    /// The newest event time seen, nanoseconds.
    public private(set) var now: Int64 = .min

    /// - Precondition: `configuration.problem == nil`.
    /// - Complexity: O(capacity × (width + targets)); the queue's only allocation.
    public init(configuration: Configuration) {
        if let problem = configuration.problem { preconditionFailure("ForwardLabels: \(problem)") }
        self.configuration = configuration
        switch configuration.horizon {
        case .events(let h): (horizonEvents, horizonNanoseconds) = (h, 0)
        case .seconds(let s): (horizonEvents, horizonNanoseconds) = (0, Int64((s * 1e9).rounded()))
        }
        let n = configuration.capacity
        features = Array(repeating: 0, count: n * configuration.width)
        labels = Array(repeating: 0, count: n * configuration.targets.count)
        rowTs = Array(repeating: 0, count: n)
        rowReturns = Array(repeating: 0, count: n)
        rowSum = Array(repeating: CompensatedSum(), count: n)
        rowSquares = Array(repeating: CompensatedSum(), count: n)
    }

    /// Features per row.
    public var width: Int { configuration.width }

    /// Rows waiting for their labels.
    public var pendingCount: Int { count - maturedCount }

    @inline(__always)
    private func slot(_ age: Int) -> Int {
        let s = head + age
        return s >= configuration.capacity ? s - configuration.capacity : s
    }

    /// Enqueues one tick's feature vector at event time `ts`; drops (and counts) the oldest row when full.
    /// - Precondition: `row.count == width`.
    /// - Complexity: O(width), no allocation.
    public mutating func append(features row: UnsafeBufferPointer<Double>, ts: Int64) {
        precondition(row.count == configuration.width, "a row of \(row.count) features, expected \(configuration.width)")
        now = max(now, ts)
        if count == configuration.capacity {
            head = slot(1)
            count -= 1
            if maturedCount > 0 { maturedCount -= 1 }
            droppedRows += 1
        }
        let s = slot(count)
        let w = configuration.width
        features.withUnsafeMutableBufferPointer { storage in
            for j in 0..<w { storage[s * w + j] = row[j] }
        }
        rowTs[s] = now
        rowReturns[s] = returnCount
        rowSum[s] = sum
        rowSquares[s] = squares
        count += 1
    }

    /// Enqueues one tick's feature vector; see `append(features:ts:)`.
    public mutating func append(features row: [Double], ts: Int64) {
        row.withUnsafeBufferPointer { append(features: $0, ts: ts) }
    }

    /// Folds in the next accepted log return, at event time `ts`, and matures the rows it completes.
    /// A non-finite return is treated as 0 so it cannot poison the running sums.
    /// - Complexity: O(1) plus O(1) per matured row; no allocation.
    public mutating func observe(return r: Double, ts: Int64) {
        let x = r.isFinite ? r : 0
        advance(to: ts)
        sum.add(x)
        squares.add(x * x)
        returnCount += 1
        guard horizonEvents > 0 else { return }
        while maturedCount < count, returnCount - rowReturns[slot(maturedCount)] >= horizonEvents {
            matureNext()
        }
    }

    /// Moves event time to `ts` without a return, maturing the rows of a seconds horizon whose deadline it
    /// passes (`ts > row.ts + H`). Event-horizon rows do not mature on time.
    /// - Complexity: O(1) plus O(1) per matured row; no allocation.
    public mutating func advance(to ts: Int64) {
        now = max(now, ts)
        guard horizonNanoseconds > 0 else { return }
        while maturedCount < count, now - rowTs[slot(maturedCount)] > horizonNanoseconds {
            matureNext()
        }
    }

    private mutating func matureNext() {
        let s = slot(maturedCount)
        let m = returnCount - rowReturns[s]
        let total = sum.minus(rowSum[s])
        let t = configuration.targets.count
        for (k, target) in configuration.targets.enumerated() {
            let label: Double
            switch target {
            case .forwardVolatility: label = m > 0 ? (max(squares.minus(rowSquares[s]), 0) / Double(m)).squareRoot() : 0
            case .forwardReturn: label = total
            case .forwardAbsoluteReturn: label = abs(total)
            }
            labels[s * t + k] = label
        }
        maturedCount += 1
    }

    /// Hands every matured row to `body`, oldest first, and removes it: its features (valid only during the
    /// call), its labels in `configuration.targets` order, and its event time. Returns how many rows it popped.
    /// - Complexity: O(1) per row plus `body`; no allocation.
    @discardableResult
    public mutating func popMatured(
        _ body: (_ features: UnsafeBufferPointer<Double>, _ labels: UnsafeBufferPointer<Double>, _ ts: Int64) -> Void
    ) -> Int {
        let popped = maturedCount
        let w = configuration.width
        let t = configuration.targets.count
        features.withUnsafeBufferPointer { features in
            labels.withUnsafeBufferPointer { labels in
                for age in 0..<popped {
                    let s = slot(age)
                    body(
                        UnsafeBufferPointer(rebasing: features[(s * w)..<(s * w + w)]),
                        UnsafeBufferPointer(rebasing: labels[(s * t)..<(s * t + t)]), rowTs[s])
                }
            }
        }
        head = slot(popped)
        count -= popped
        maturedCount = 0
        return popped
    }
}

extension ForwardLabels: Checkpointable {
    public static var stateTag: String { "forward_labels" }
    public static var stateVersion: UInt16 { 1 }

    /// Writes the configuration, the running sums and the rows oldest first (restored from slot 0).
    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(configuration.width)
        writer.write(configuration.capacity)
        switch configuration.horizon {
        case .events(let h): writer.write(UInt8(0)); writer.write(Double(h))
        case .seconds(let s): writer.write(UInt8(1)); writer.write(s)
        }
        writer.write(configuration.targets.count)
        for target in configuration.targets { writer.write(target.rawValue) }
        writer.write(droppedRows)
        writer.write(returnCount)
        for s in [sum, squares] {
            writer.write(s.hi)
            writer.write(s.lo)
        }
        writer.write(Int(now))
        writer.write(count)
        writer.write(maturedCount)
        let w = configuration.width
        let t = configuration.targets.count
        for age in 0..<count {
            let s = slot(age)
            writer.write(Int(rowTs[s]))
            writer.write(rowReturns[s])
            for c in [rowSum[s], rowSquares[s]] {
                writer.write(c.hi)
                writer.write(c.lo)
            }
            for j in 0..<w { writer.write(features[s * w + j]) }
            for k in 0..<t { writer.write(labels[s * t + k]) }
        }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let width = try reader.readCount(limit: 1 << 16)
        let capacity = try reader.readCount(limit: 1 << 24)
        let horizonTag = try reader.readUInt8()
        let horizonValue = try reader.readDouble()
        let horizon: Horizon
        switch horizonTag {
        case 0 where horizonValue >= 1 && horizonValue < 1e15: horizon = .events(Int(horizonValue))
        case 1: horizon = .seconds(horizonValue)
        default: throw ModelStateError(offset: at, reason: "bad horizon \(horizonTag) \(horizonValue)")
        }
        let targetCount = try reader.readCount(limit: Target.allCases.count * 4)
        var targets: [Target] = []
        for _ in 0..<targetCount {
            let targetAt = reader.offset
            let name = try reader.readString(limit: 64)
            guard let target = Target(rawValue: name) else {
                throw ModelStateError(offset: targetAt, reason: "unknown target '\(name)'")
            }
            targets.append(target)
        }
        let configuration = Configuration(width: width, capacity: capacity, horizon: horizon, targets: targets)
        if let problem = configuration.problem { throw ModelStateError(offset: at, reason: problem) }
        guard capacity * max(width, 1) <= 1 << 26 else {
            throw ModelStateError(offset: at, reason: "\(capacity) rows of \(width) features is beyond the 2^26-value bound")
        }
        self.init(configuration: configuration)
        droppedRows = try reader.readUInt64()
        returnCount = try reader.readInt()
        sum = CompensatedSum(hi: try reader.readDouble(), lo: try reader.readDouble())
        squares = CompensatedSum(hi: try reader.readDouble(), lo: try reader.readDouble())
        now = Int64(try reader.readInt())
        let count = try reader.readCount(limit: capacity)
        let matured = try reader.readCount(limit: count)
        for s in 0..<count {
            rowTs[s] = Int64(try reader.readInt())
            rowReturns[s] = try reader.readInt()
            rowSum[s] = CompensatedSum(hi: try reader.readDouble(), lo: try reader.readDouble())
            rowSquares[s] = CompensatedSum(hi: try reader.readDouble(), lo: try reader.readDouble())
            for j in 0..<width { features[s * width + j] = try reader.readDouble() }
            for k in 0..<targets.count { labels[s * targets.count + k] = try reader.readDouble() }
        }
        self.count = count
        maturedCount = matured
    }
}
