/// When a row's label becomes known.
public enum LabelDelay: Sendable, Hashable {
    /// The label of row s is known at row s + H (H ≥ 0), counting every row given to `process`.
    case rows(Int)
    /// The label of a row stamped τ is known at the first row stamped ≥ τ + H (H ≥ 0).
    case seconds(Double)
}

/// Progressive validation ("test then train") with delayed labels, with the ordering of River's
/// `progressive_val_score(delay=H)`.
///
/// For each row t given to `process(_:_:timestamp:)`, in this order:
/// 1. every pending row whose label has matured by now (row s with s + H ≤ t, or stamp τₛ + H ≤ τₜ) is
///    learned, oldest first; for `.rows(H)` with H ≥ 1 that is exactly row t − H;
/// 2. row t is predicted by the model, and the (target, prediction) pair scored;
/// 3. row t joins the pending queue; if its own label is already mature (H = 0) it is learned at once.
///
/// So when row t is predicted the model has learned exactly the rows ≤ t − H (≤ t − 1 when H = 0), as
/// River's `simulate_qa` does: the answers due by row t are revealed before row t's question. Scoring
/// happens at prediction time (River scores when the answer arrives; the set of pairs, hence the
/// cumulative metrics, is the same). `finish()` learns the rows still pending, as River's final flush.
///
/// Rows with a non-finite feature or target are skipped (counted, not scored, not learned), but still
/// advance the row clock. In `.seconds` mode timestamps must not decrease (a smaller stamp is treated as
/// the previous one); when `maxPending` rows are already waiting, the oldest is dropped unlearned
/// (`droppedCount`) rather than learned before its label is known.
///
/// Cost per row: one predict, at most the learns that matured, an O(d) copy of the row into the queue;
/// no allocation once the queue has been filled once (row buffers are reused).
/// Memory: `memoryBound` = model bound + capacity·(8·d + 64) + metrics, with capacity max(H, 1) rows for
/// `.rows(H)` and `maxPending` for `.seconds`.
public struct ProgressiveValidation<Model: OnlineRegressor>: Sendable {
    public private(set) var model: Model
    public let delay: LabelDelay
    /// Most rows that can wait for their labels at once.
    public let capacity: Int
    /// Cumulative metrics over every scored row.
    public private(set) var metrics = RegressionMetrics()
    /// Metrics over the last `rollingWindow` scored rows, if one was asked for.
    public private(set) var rolling: RollingRegressionMetrics?
    /// Rows given to `process`.
    public private(set) var rowCount = 0
    /// Rows predicted and scored.
    public private(set) var scoredCount = 0
    /// Rows learned.
    public private(set) var learnedCount = 0
    /// Rows skipped for a non-finite feature, target or timestamp.
    public private(set) var skippedCount = 0
    /// Rows dropped unlearned because the queue was full (`.seconds` only).
    public private(set) var droppedCount = 0
    /// Rows waiting for their labels.
    public private(set) var pendingCount = 0

    private let horizon: Double
    private var rows: [[Double]] = []
    private var targets: [Double]
    private var due: [Double]
    private var head = 0
    private var lastTime = -Double.infinity

    /// - Precondition: H ≥ 0 (finite), `maxPending ≥ 1`, `rollingWindow ≥ 1` when given.
    public init(model: Model, delay: LabelDelay, rollingWindow: Int? = nil, maxPending: Int = 1 << 16) {
        self.model = model
        self.delay = delay
        switch delay {
        case .rows(let h):
            precondition(h >= 0 && h <= 1 << 26, "row delay out of range")
            capacity = max(h, 1)
            horizon = Double(h)
        case .seconds(let h):
            precondition(h >= 0 && h.isFinite, "delay in seconds must be finite and ≥ 0")
            precondition(maxPending >= 1, "maxPending must be ≥ 1")
            capacity = maxPending
            horizon = h
        }
        rolling = rollingWindow.map { RollingRegressionMetrics(window: $0) }
        targets = Array(repeating: 0, count: capacity)
        due = Array(repeating: 0, count: capacity)
        rows.reserveCapacity(capacity)
    }

    public var memoryBound: Int {
        model.memoryBound + capacity * (8 * model.featureCount + 64) + metrics.memoryBound
            + (rolling?.memoryBound ?? 0) + 256
    }

    /// Processes one row (see the type's documentation for the exact order) and returns the prediction
    /// made for it, or nil if the row was skipped. `timestamp` is used only with `.seconds`.
    /// - Precondition: `x.count == model.featureCount`.
    @discardableResult
    public mutating func process(_ x: [Double], _ y: Double, timestamp: Double = 0) -> Double? {
        precondition(x.count == model.featureCount, "expected \(model.featureCount) features, got \(x.count)")
        let now: Double
        switch delay {
        case .rows:
            now = Double(rowCount)
        case .seconds:
            guard timestamp.isFinite else {
                rowCount += 1
                skippedCount += 1
                return nil
            }
            lastTime = max(lastTime, timestamp)
            now = lastTime
        }
        rowCount += 1
        learnMatured(now: now)
        guard y.isFinite, x.allSatisfy(\.isFinite) else {
            skippedCount += 1
            return nil
        }
        let p = model.predict(x)
        scoredCount += 1
        metrics.update(target: y, prediction: p)
        rolling?.update(target: y, prediction: p)
        enqueue(x, y, due: now + horizon)
        learnMatured(now: now)
        return p
    }

    /// Learns every row still pending, oldest first (River's final flush). Metrics are unchanged.
    public mutating func finish() {
        learnMatured(now: .infinity)
    }

    private mutating func enqueue(_ x: [Double], _ y: Double, due when: Double) {
        if pendingCount == capacity {
            head = head + 1 == capacity ? 0 : head + 1
            pendingCount -= 1
            droppedCount += 1
        }
        var slot = head + pendingCount
        if slot >= capacity { slot -= capacity }
        if slot == rows.count {
            rows.append(x)  // first use of this slot: the only allocation, during warm-up
        } else {
            rows[slot].withUnsafeMutableBufferPointer { dst in
                for i in 0..<x.count { dst[i] = x[i] }
            }
        }
        targets[slot] = y
        due[slot] = when
        pendingCount += 1
    }

    private mutating func learnMatured(now: Double) {
        while pendingCount > 0 && due[head] <= now {
            let row = rows[head]
            model.learn(row, targets[head])
            learnedCount += 1
            head = head + 1 == capacity ? 0 : head + 1
            pendingCount -= 1
        }
    }
}

// MARK: Checkpointable

/// The whole evaluation in one state: the model, the delay, the counters, the cumulative and rolling
/// metrics and the pending queue (rows, targets and due times, oldest first). A restored validation
/// learns, predicts and scores exactly as the original from there on.
extension ProgressiveValidation: Checkpointable where Model: Checkpointable {
    public static var stateTag: String { "progressive" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        switch delay {
        case .rows(let h):
            writer.write(UInt8(0))
            writer.write(Double(h))
        case .seconds(let h):
            writer.write(UInt8(1))
            writer.write(h)
        }
        writer.write(capacity)
        writer.write(model: model)
        writer.write(model: metrics)
        writer.write(rolling != nil)
        if let rolling { writer.write(model: rolling) }
        for count in [rowCount, scoredCount, learnedCount, skippedCount, droppedCount] { writer.write(count) }
        writer.write(lastTime)
        writer.write(pendingCount)
        var slot = head
        for _ in 0..<pendingCount {
            writer.write(rows[slot])
            writer.write(targets[slot])
            writer.write(due[slot])
            slot = slot + 1 == capacity ? 0 : slot + 1
        }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let kind = try reader.readUInt8()
        let h = try reader.readDouble()
        let capacity = try reader.readInt()
        let delay: LabelDelay
        switch kind {
        case 0 where h >= 0 && h <= Double(1 << 26) && h == h.rounded() && capacity == max(Int(h), 1):
            delay = .rows(Int(h))
        case 1 where h >= 0 && h.isFinite && capacity >= 1 && capacity <= 1 << 26:
            delay = .seconds(h)
        default:
            throw ModelStateError(offset: at, reason: "invalid label delay or queue capacity")
        }
        let model = try reader.read(model: Model.self)
        let metrics = try reader.read(model: RegressionMetrics.self)
        let rolling = try reader.readBool() ? try reader.read(model: RollingRegressionMetrics.self) : nil
        self.init(model: model, delay: delay, rollingWindow: rolling?.window, maxPending: capacity)
        self.metrics = metrics
        self.rolling = rolling
        let countsAt = reader.offset
        let counts = [try reader.readInt(), try reader.readInt(), try reader.readInt(), try reader.readInt(),
                      try reader.readInt()]
        guard counts.allSatisfy({ $0 >= 0 }) else { throw ModelStateError(offset: countsAt, reason: "negative count") }
        (rowCount, scoredCount, learnedCount, skippedCount, droppedCount) = (counts[0], counts[1], counts[2], counts[3], counts[4])
        lastTime = try reader.readDouble()
        let pending = try reader.readCount(limit: capacity)
        for _ in 0..<pending {
            let rowAt = reader.offset
            let row = try reader.readDoubles(limit: model.featureCount)
            let target = try reader.readDouble()
            let when = try reader.readDouble()
            guard row.count == model.featureCount else {
                throw ModelStateError(offset: rowAt, reason: "pending row of \(row.count) features, expected \(model.featureCount)")
            }
            enqueue(row, target, due: when)
        }
    }
}
