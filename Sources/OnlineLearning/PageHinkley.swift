/// The Page-Hinkley test (Page 1954; Hinkley 1971) for a change in the mean of a stream, in the faded
/// form used by MOA and River: the cumulative deviation from the running mean, minus the tolerance `delta`,
/// is faded by `alpha`; a change is signalled when it rises more than `threshold` (λ) above its minimum
/// (upward change) or, for `.both`, falls more than λ below its maximum (downward change).
///
/// Defaults are the published ones: at least 30 values before any alarm, δ = 0.005, λ = 50,
/// α = 0.9999. After a detection the test restarts.
///
/// - Complexity: O(1) per `update`, no allocation. Memory: `memoryBound` bytes, constant.
public struct PageHinkley: Sendable, Checkpointable {
    public enum Direction: UInt8, Sendable {
        case up = 0
        case down = 1
        case both = 2
    }

    public let minInstances: Int
    public let delta: Double
    public let threshold: Double
    public let alpha: Double
    public let direction: Direction

    public private(set) var count: Int = 0
    /// The running mean of the values since the last restart.
    public private(set) var mean: Double = 0
    public private(set) var detections: Int = 0
    private var sumUp: Double = 0
    private var minUp: Double = 0
    private var sumDown: Double = 0
    private var maxDown: Double = 0

    public init(
        minInstances: Int = 30,
        delta: Double = 0.005,
        threshold: Double = 50,
        alpha: Double = 0.9999,
        direction: Direction = .both
    ) {
        precondition(minInstances >= 1 && delta >= 0 && threshold > 0 && alpha > 0 && alpha <= 1)
        self.minInstances = minInstances
        self.delta = delta
        self.threshold = threshold
        self.alpha = alpha
        self.direction = direction
    }

    public var memoryBound: Int { MemoryLayout<PageHinkley>.size }

    public mutating func reset() {
        count = 0
        mean = 0
        sumUp = 0
        minUp = 0
        sumDown = 0
        maxDown = 0
    }

    /// Adds a value; returns true when a change was detected (the test then restarts). Non-finite values
    /// are ignored.
    @discardableResult
    public mutating func update(_ value: Double) -> Bool {
        guard value.isFinite else { return false }
        count += 1
        mean += (value - mean) / Double(count)
        let deviation = value - mean
        sumUp = alpha * sumUp + deviation - delta
        minUp = min(minUp, sumUp)
        sumDown = alpha * sumDown + deviation + delta
        maxDown = max(maxDown, sumDown)
        guard count >= minInstances else { return false }
        let up = sumUp - minUp > threshold
        let down = maxDown - sumDown > threshold
        let detected: Bool
        switch direction {
        case .up: detected = up
        case .down: detected = down
        case .both: detected = up || down
        }
        if detected {
            detections += 1
            reset()
        }
        return detected
    }

    // MARK: Checkpointable

    public static var stateTag: String { "page-hinkley" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(minInstances)
        writer.write(delta)
        writer.write(threshold)
        writer.write(alpha)
        writer.write(direction.rawValue)
        writer.write(count)
        writer.write(mean)
        writer.write(detections)
        writer.write(sumUp)
        writer.write(minUp)
        writer.write(sumDown)
        writer.write(maxDown)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let minInstances = try reader.readInt()
        let delta = try reader.readDouble()
        let threshold = try reader.readDouble()
        let alpha = try reader.readDouble()
        let raw = try reader.readUInt8()
        guard minInstances >= 1, delta >= 0, threshold > 0, alpha > 0, alpha <= 1,
            let direction = Direction(rawValue: raw)
        else { throw ModelStateError(offset: at, reason: "invalid Page-Hinkley parameters") }
        self.init(minInstances: minInstances, delta: delta, threshold: threshold, alpha: alpha, direction: direction)
        count = try reader.readInt()
        mean = try reader.readDouble()
        detections = try reader.readInt()
        sumUp = try reader.readDouble()
        minUp = try reader.readDouble()
        sumDown = try reader.readDouble()
        maxDown = try reader.readDouble()
        guard count >= 0 else { throw ModelStateError(offset: at, reason: "negative Page-Hinkley count") }
    }
}
