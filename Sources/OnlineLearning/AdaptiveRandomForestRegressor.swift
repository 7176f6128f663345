import SeededRandom

/// Adaptive random forest for regression (Gomes et al., "Adaptive random forests for evolving data stream
/// classification", 2017, and its regression variant, 2018).
///
/// - `treeCount` Hoeffding trees, each observing a seeded random subset of `subspaceSize` features at every
///   leaf (default `Int(sqrt(featureCount)) + 1`).
/// - Online bagging: each tree learns each example with weight k ~ Poisson(`lambda` = 6) (k = 0: skipped).
/// - Drift handling per tree: two ADWIN detectors (warning δ = 0.01, drift δ = 0.001) read the tree's
///   normalised absolute error (a detection counts only when the error estimate rose, as in MOA) `min(1, |y − ŷ| / (3 σ_y))`, with σ_y the standard deviation of the targets
///   the tree has seen, taken before the tree learns the example. A warning starts a background tree (trained
///   alongside from then on); a drift replaces the tree by its background tree if the background's errors
///   since it started (each example predicted by both before either learns it) are lower than the tree's,
///   else drops the background and keeps the tree; with no background, a fresh tree replaces it. The
///   detectors are reset either way. The comparison is ours (MOA and River swap unconditionally): on a
///   stream whose noise level switches with its regime (volatility), the error of every tree rises at a
///   regime change without its concept being stale, and a background tree that has seen only the new
///   regime is worse than the tree it would replace.
/// - Aggregation: mean (default) or median of the trees' predictions.
/// - Seeded: the forest's generator draws the Poisson weights; each tree's generator is split from it when
///   the tree is created. Same seed, same calls → same predictions, bit for bit.
///
/// - Complexity: `learn` costs about `treeCount × λ`-weighted tree updates (O(depth + subspaceSize) each) plus
///   O(1) amortised per detector; `predict` is O(treeCount × depth); neither allocates in steady state.
/// - Memory: `memoryBound` = `treeCount` × (two tree bounds + two ADWIN bounds) + the fixed part; it does
///   not grow with the stream.
public struct AdaptiveRandomForestRegressor: OnlineRegressor, Checkpointable {
    public enum Aggregation: UInt8, Sendable, Hashable {
        case mean = 0
        case median = 1
    }

    public struct Configuration: Sendable, Hashable {
        public var treeCount: Int = 10
        /// Features per leaf; nil: `Int(sqrt(featureCount)) + 1` (clamped to `featureCount`).
        public var subspaceSize: Int? = nil
        public var lambda: Double = 6
        public var warningDelta: Double = 0.01
        public var driftDelta: Double = 0.001
        public var aggregation: Aggregation = .mean
        /// Configuration of every tree (its `subspaceSize` is overridden). Defaults: grace period 50, split
        /// confidence δ = 0.01 (a forest's trees split more eagerly than a lone tree's 1e-7: bagging and
        /// the drift detectors absorb the extra variance; River's ARF does the same), River's leaf-model
        /// selector (squared errors faded by its `model_selector_decay` 0.95), a leaf learning rate of the lone tree's 0.1 / λ
        /// (a tree learns each example with a Poisson(λ) weight and the leaf model's step grows with the
        /// weight, so at 0.1 a forest's leaf models would move about λ times as far per example as a lone
        /// tree's and chase the noise), and a 2 MiB budget per tree; the rest as `HoeffdingTreeRegressor`.
        /// The leaf rate is set for the default λ = 6: scale it with `lambda` when changing that.
        public var tree: HoeffdingTreeRegressor.Configuration

        public init() {
            tree = HoeffdingTreeRegressor.Configuration()
            tree.gracePeriod = 50
            tree.delta = 0.01
            tree.errorFading = 0.95
            tree.selectorError = .squared
            tree.learningRate = tree.learningRate / 6
            tree.maxBytes = 2 << 20
        }

        var isValid: Bool {
            treeCount >= 1 && treeCount <= 4096 && lambda > 0 && lambda <= 30 && warningDelta > 0
                && warningDelta < 1 && driftDelta > 0 && driftDelta < 1 && (subspaceSize.map { $0 >= 1 } ?? true)
        }
    }

    struct Member: Sendable {
        var tree: HoeffdingTreeRegressor
        var background: HoeffdingTreeRegressor?
        var warning: ADWIN
        var drift: ADWIN
        // Running count, mean and squared deviations of the targets this tree has seen.
        var seen: Double = 0
        var targetMean: Double = 0
        var targetM2: Double = 0
        // Absolute errors of the tree and of its background tree since the background started.
        var treeErrorSinceWarning: Double = 0
        var backgroundErrorSinceWarning: Double = 0

        mutating func resetErrorScale() {
            seen = 0
            targetMean = 0
            targetM2 = 0
        }
    }

    public let featureCount: Int
    public let configuration: Configuration
    var treeConfiguration: HoeffdingTreeRegressor.Configuration
    var rng: Xoshiro256
    var members: [Member]
    /// Trees replaced after a drift, since creation.
    public private(set) var treeSwaps: Int = 0
    /// Drift replacements that promoted a background tree (the rest started a fresh tree).
    public private(set) var backgroundSwaps: Int = 0
    /// Background trees started after a warning, since creation.
    public private(set) var backgroundStarts: Int = 0
    /// Drifts that kept the tree because its background tree had not done better since it started.
    public private(set) var backgroundsDiscarded: Int = 0

    public init(featureCount: Int, configuration: Configuration = Configuration(), seed: UInt64 = 0) {
        precondition(featureCount >= 1, "a forest needs at least one feature")
        precondition(configuration.isValid, "invalid AdaptiveRandomForestRegressor configuration")
        self.featureCount = featureCount
        self.configuration = configuration
        var treeConfiguration = configuration.tree
        let m = configuration.subspaceSize ?? (Int(Double(featureCount).squareRoot()) + 1)
        treeConfiguration.subspaceSize = min(m, featureCount)
        self.treeConfiguration = treeConfiguration
        rng = Xoshiro256(seed: seed)
        members = []
        members.reserveCapacity(configuration.treeCount)
        for _ in 0..<configuration.treeCount {
            let tree = HoeffdingTreeRegressor(featureCount: featureCount, configuration: treeConfiguration, seed: rng.next())
            members.append(
                Member(
                    tree: tree, background: nil, warning: ADWIN(delta: configuration.warningDelta),
                    drift: ADWIN(delta: configuration.driftDelta)))
        }
    }

    mutating func newTree() -> HoeffdingTreeRegressor {
        HoeffdingTreeRegressor(featureCount: featureCount, configuration: treeConfiguration, seed: rng.next())
    }

    public var treeCount: Int { members.count }
    /// How many trees currently train a background tree.
    public var backgroundCount: Int { members.reduce(0) { $0 + ($1.background == nil ? 0 : 1) } }

    /// Bytes the forest holds now (trees' `estimatedBytes` included).
    public var estimatedBytes: Int {
        members.reduce(MemoryLayout<Self>.size + members.capacity * MemoryLayout<Member>.stride) {
            $0 + $1.tree.estimatedBytes + ($1.background?.estimatedBytes ?? 0) + $1.warning.memoryBound
                + $1.drift.memoryBound
        }
    }

    public var memoryBound: Int {
        let tree = HoeffdingTreeRegressor(featureCount: featureCount, configuration: treeConfiguration)
        let detector = ADWIN().memoryBound
        return MemoryLayout<Self>.size + members.count * (MemoryLayout<Member>.stride + 2 * tree.memoryBound + 2 * detector)
    }

    /// Mean over trees of their split-based feature importances.
    public var featureImportances: [Double] {
        var out = Array(repeating: 0.0, count: featureCount)
        for m in members {
            for (f, v) in m.tree.featureImportances.enumerated() { out[f] += v / Double(members.count) }
        }
        return out
    }

    public func predict(_ x: [Double]) -> Double {
        precondition(x.count == featureCount, "feature vector width")
        switch configuration.aggregation {
        case .mean:
            var s = 0.0
            for i in members.indices { s += members[i].tree.predict(x) }
            return s / Double(members.count)
        case .median:
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: members.count) { buffer in
                members.withUnsafeBufferPointer { m in
                    for i in m.indices { buffer[i] = m[i].tree.predict(x) }
                }
                var values = buffer
                values.sort()
                let n = values.count
                return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2
            }
        }
    }

    public mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        precondition(x.count == featureCount, "feature vector width")
        guard weight > 0, weight.isFinite, y.isFinite else { return }
        for v in x where !v.isFinite { return }
        for i in members.indices {
            // A mutating access keeps the tree in place; a plain read here made the optimiser copy the tree
            // (retaining all its arrays) on every call.
            let error = abs(y - members[i].tree.predictInPlace(x))
            if members[i].background != nil {
                members[i].treeErrorSinceWarning += error
                members[i].backgroundErrorSinceWarning += abs(y - members[i].background!.predictInPlace(x))
            }
            let k = rng.nextPoisson(lambda: configuration.lambda)
            if k > 0 {
                let w = Double(k) * weight
                members[i].tree.learn(x, y, weight: w)
                if members[i].background != nil { members[i].background!.learn(x, y, weight: w) }
            }
            let input = normalisedError(i, error, y)
            // As in MOA, only a rise of the error counts: a falling error is a tree getting better.
            let warningBefore = members[i].warning.estimation
            let driftBefore = members[i].drift.estimation
            if members[i].warning.update(input) && members[i].warning.estimation > warningBefore {
                if members[i].background == nil {
                    members[i].background = newTree()
                    members[i].treeErrorSinceWarning = 0
                    members[i].backgroundErrorSinceWarning = 0
                    backgroundStarts += 1
                }
                members[i].warning.reset()
            }
            if members[i].drift.update(input) && members[i].drift.estimation > driftBefore {
                if members[i].background != nil
                    && members[i].backgroundErrorSinceWarning >= members[i].treeErrorSinceWarning
                {
                    members[i].background = nil
                    backgroundsDiscarded += 1
                } else {
                    if let background = members[i].background {
                        members[i].tree = background
                        members[i].background = nil
                        backgroundSwaps += 1
                    } else {
                        members[i].tree = newTree()
                    }
                    members[i].resetErrorScale()
                    treeSwaps += 1
                }
                members[i].warning.reset()
                members[i].drift.reset()
            }
        }
    }

    mutating func normalisedError(_ i: Int, _ error: Double, _ y: Double) -> Double {
        let sd = members[i].seen > 1 ? (members[i].targetM2 / members[i].seen).squareRoot() : 0
        members[i].seen += 1
        let d = y - members[i].targetMean
        members[i].targetMean += d / members[i].seen
        members[i].targetM2 += d * (y - members[i].targetMean)
        return sd > 0 ? min(1, error / (3 * sd)) : 0
    }

    // MARK: Checkpointable

    public static var stateTag: String { "arf" }
    /// Version 2 adds `backgroundsDiscarded` and each tree's errors since its background started
    /// (version 1: zeros).
    public static var stateVersion: UInt16 { 2 }

    public func writeState(to writer: inout ModelStateWriter) {
        let c = configuration
        writer.write(featureCount)
        writer.write(c.treeCount)
        writer.write(c.subspaceSize ?? 0)
        writer.write(c.lambda)
        writer.write(c.warningDelta)
        writer.write(c.driftDelta)
        writer.write(c.aggregation.rawValue)
        // The tree configuration travels inside every tree's state; write the first tree's as the template.
        writer.write(model: HoeffdingTreeRegressor(featureCount: featureCount, configuration: c.tree))
        let s = rng.state
        writer.write(s.0)
        writer.write(s.1)
        writer.write(s.2)
        writer.write(s.3)
        writer.write(treeSwaps)
        writer.write(backgroundStarts)
        writer.write(backgroundSwaps)
        writer.write(backgroundsDiscarded)
        for m in members {
            writer.write(model: m.tree)
            writer.write(m.background != nil)
            if let b = m.background { writer.write(model: b) }
            writer.write(model: m.warning)
            writer.write(model: m.drift)
            writer.write(m.seen)
            writer.write(m.targetMean)
            writer.write(m.targetM2)
            writer.write(m.treeErrorSinceWarning)
            writer.write(m.backgroundErrorSinceWarning)
        }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let featureCount = try reader.readInt()
        var c = Configuration()
        c.treeCount = try reader.readInt()
        let subspace = try reader.readInt()
        c.subspaceSize = subspace == 0 ? nil : subspace
        c.lambda = try reader.readDouble()
        c.warningDelta = try reader.readDouble()
        c.driftDelta = try reader.readDouble()
        guard let aggregation = Aggregation(rawValue: try reader.readUInt8()) else {
            throw ModelStateError(offset: reader.offset - 1, reason: "unknown aggregation")
        }
        c.aggregation = aggregation
        guard (1...4096).contains(c.treeCount), c.treeCount <= reader.bytes.count - reader.offset else {
            throw ModelStateError(offset: at, reason: "invalid tree count \(c.treeCount)")
        }
        let template = try reader.read(model: HoeffdingTreeRegressor.self)
        c.tree = template.configuration
        guard (1...(1 << 20)).contains(featureCount), c.isValid, template.featureCount == featureCount else {
            throw ModelStateError(offset: at, reason: "invalid adaptive random forest parameters")
        }
        let s = (try reader.readUInt64(), try reader.readUInt64(), try reader.readUInt64(), try reader.readUInt64())
        guard s != (0, 0, 0, 0) else { throw ModelStateError(offset: reader.offset - 32, reason: "zero generator state") }
        // Build the shell without constructing trees we are about to replace.
        self.featureCount = featureCount
        configuration = c
        var treeConfiguration = c.tree
        treeConfiguration.subspaceSize = min(c.subspaceSize ?? (Int(Double(featureCount).squareRoot()) + 1), featureCount)
        self.treeConfiguration = treeConfiguration
        rng = Xoshiro256(state: s)
        treeSwaps = try reader.readInt()
        backgroundStarts = try reader.readInt()
        backgroundSwaps = try reader.readInt()
        backgroundsDiscarded = version >= 2 ? try reader.readInt() : 0
        members = []
        for _ in 0..<c.treeCount {
            let memberAt = reader.offset
            let tree = try reader.read(model: HoeffdingTreeRegressor.self)
            let background = try reader.readBool() ? try reader.read(model: HoeffdingTreeRegressor.self) : nil
            let warning = try reader.read(model: ADWIN.self)
            let drift = try reader.read(model: ADWIN.self)
            var member = Member(tree: tree, background: background, warning: warning, drift: drift)
            member.seen = try reader.readDouble()
            member.targetMean = try reader.readDouble()
            member.targetM2 = try reader.readDouble()
            if version >= 2 {
                member.treeErrorSinceWarning = try reader.readDouble()
                member.backgroundErrorSinceWarning = try reader.readDouble()
            }
            guard tree.featureCount == featureCount, tree.configuration == treeConfiguration,
                background.map({ $0.featureCount == featureCount && $0.configuration == treeConfiguration }) ?? true
            else { throw ModelStateError(offset: memberAt, reason: "forest tree does not match the forest") }
            members.append(member)
        }
    }
}
