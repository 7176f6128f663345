#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SeededRandom

/// A Hoeffding tree for regression (in the FIMT-DD / River `HoeffdingTreeRegressor` family).
///
/// - Splits: at each active leaf, every `gracePeriod` units of weight, the best threshold per feature by
///   variance reduction is found; the leaf splits on the best one when the ratio second-best / best merit is
///   below `1 − ε` or `ε < tieThreshold`, with the Hoeffding bound `ε = sqrt(ln(1/δ) / 2n)` (merit range 1).
/// - Numeric attribute observer: a fixed-size quantised histogram per (leaf, feature) — `binCount` bins of
///   (weight, Σ weight·y) over a range that starts from the values seen so far (global range, narrowed along
///   the split path) and doubles by merging bin pairs when a value falls outside. Chosen over an extended
///   binary search tree because its memory is fixed per leaf, an update is O(1) with no allocation, and a
///   split attempt is O(features × bins). The split threshold is a bin edge (resolution range / `binCount`).
/// - Leaf prediction: the leaf mean, a linear model (normalised least-mean-squares on features and target
///   standardised with the tree's running statistics, inherited by children), or adaptive — whichever of
///   the two has the lower faded error at that leaf (the default; absolute errors, or squared ones as
///   River's model selector).
/// - Memory: nodes live in a flat array, leaf observers in a pool of fixed-size slots. The live estimate
///   (`estimatedBytes`) is held at or below `maxBytes`: when a new leaf would need a slot beyond the budget,
///   the active leaf with the smallest weight × faded error is deactivated (it keeps predicting, stops
///   growing) and its slot reused; splits stop when the node array alone would exceed the budget.
///   `memoryBound` adds array growth slack (capacity can at most double a count) and the fixed part.
/// - Feature subspaces: with `subspaceSize = m`, each new leaf observes a random subset of m features drawn
///   from the tree's seeded generator (what an adaptive random forest needs).
///
/// - Complexity: `learn` is O(depth + m) (plus O(m × binCount) every `gracePeriod` weight at a leaf, and an
///   O(leaves) scan only when the budget is hit); `predict` is O(depth) (+ O(features) for a linear leaf).
///   Neither allocates in steady state.
public struct HoeffdingTreeRegressor: OnlineRegressor, Checkpointable {
    public enum LeafPrediction: UInt8, Sendable, Hashable {
        case mean = 0
        case linear = 1
        case adaptive = 2
    }

    public enum SelectorError: UInt8, Sendable, Hashable {
        case absolute = 0
        case squared = 1
    }

    public struct Configuration: Sendable, Hashable {
        public var gracePeriod: Double = 200
        public var delta: Double = 1e-7
        public var tieThreshold: Double = 0.05
        public var maxDepth: Int = 20
        public var leafPrediction: LeafPrediction = .adaptive
        /// Bins per quantised-histogram observer (even, 4...1024).
        public var binCount: Int = 32
        /// Budget for the live estimate of the tree's memory.
        public var maxBytes: Int = 16 << 20
        /// Features observed per leaf (nil: all).
        public var subspaceSize: Int? = nil
        /// Step of the normalised LMS leaf models, in (0, 1].
        public var learningRate: Double = 0.1
        /// Fading factor of the per-leaf errors used by `.adaptive` and by deactivation.
        public var errorFading: Double = 0.99
        /// The error the adaptive selector fades: absolute (the lone tree's default: lower MAE on the synth
        /// streams) or squared (River's selector; the forest's default, where it makes the leaf model beat
        /// the mean on the large errors before it is used).
        public var selectorError: SelectorError = .absolute
        /// Smallest share of a leaf's weight on each side of a candidate split.
        public var minBranchFraction: Double = 0.01

        public init() {}

        var isValid: Bool {
            gracePeriod >= 1 && delta > 0 && delta < 1 && tieThreshold >= 0 && maxDepth >= 0 && maxDepth <= 64
                && binCount >= 4 && binCount <= 1024 && binCount % 2 == 0 && maxBytes > 0
                && learningRate > 0 && learningRate <= 1 && errorFading > 0 && errorFading < 1
                && minBranchFraction >= 0 && minBranchFraction < 0.5 && (subspaceSize.map { $0 >= 1 } ?? true)
        }
    }

    struct Node: Sendable {
        /// Split feature, or -1 for a leaf.
        var feature: Int = -1
        /// Go left when `x[feature] < threshold`.
        var threshold: Double = 0
        var left: Int = -1
        var right: Int = -1
        var depth: Int = 0
        /// Observer slot of an active leaf, else -1.
        var slot: Int = -1
        /// Weight and mean of the targets seen (frozen when the node splits).
        var weight: Double = 0
        var mean: Double = 0
        var weightAtLastAttempt: Double = 0
        var errorOfMean: Double = 0
        var errorOfModel: Double = 0

        var isLeaf: Bool { feature < 0 }
    }

    /// The traversal view of a node (16 bytes, kept in step with `nodes`): split feature (-1 for a leaf),
    /// threshold, and the left child (the right child is always `left + 1`).
    struct Link: Sendable {
        var threshold: Double = 0
        var feature: Int32 = -1
        var left: Int32 = -1
    }

    public let featureCount: Int
    public let configuration: Configuration
    /// Features each leaf observes (`subspaceSize` clamped to `featureCount`).
    public let observedFeatures: Int

    var rng: Xoshiro256
    var nodes: [Node] = []
    var links: [Link] = []
    /// Linear leaf models: `featureCount + 1` weights per node (bias last); empty for `.mean`.
    var models: [Double] = []
    // Observer pool: slot s observes features slotFeatures[s*m ..< (s+1)*m]; its histogram for the j-th of
    // them has origin slotOrigin[s*m+j], bin width slotBinWidth[s*m+j] (0: not yet placed), and
    // histogramBins, interleaved (weight, Σ weight·y) pairs: bin k of histogram h is histogramBins[2(h·binCount + k)] and the
    // element after it (one cache line per update).
    var slotFeatures: [Int] = []
    var slotOrigin: [Double] = []
    var slotBinWidth: [Double] = []
    var histogramBins: [Double] = []
    var freeSlots: [Int] = []
    var slotCount = 0
    // Running statistics over everything learned (for observer ranges and linear-model standardisation).
    var featureMin: [Double]
    var featureMax: [Double]
    var featureMean: [Double]
    var featureM2: [Double]
    var seenWeight: Double = 0
    var targetMean: Double = 0
    var targetM2: Double = 0
    /// Variance reduction × weight accumulated per split feature.
    public internal(set) var featureImportances: [Double]
    /// Scratch for subspace sampling (reset to the identity before each draw, so never part of the state).
    var scratchPermutation: [Int]
    /// 1/σ per feature, derived from `featureM2` after every learn (only for linear leaves; not saved).
    var featureInverseScale: [Double]
    /// Standardised features of the example being learned (scratch).
    var scratchZ: [Double]

    /// - Precondition: `featureCount >= 1` and a valid configuration.
    public init(featureCount: Int, configuration: Configuration = Configuration(), seed: UInt64 = 0) {
        precondition(featureCount >= 1, "a tree needs at least one feature")
        precondition(configuration.isValid, "invalid HoeffdingTreeRegressor configuration")
        self.featureCount = featureCount
        self.configuration = configuration
        observedFeatures = min(configuration.subspaceSize ?? featureCount, featureCount)
        rng = Xoshiro256(seed: seed)
        featureMin = Array(repeating: .infinity, count: featureCount)
        featureMax = Array(repeating: -.infinity, count: featureCount)
        featureMean = Array(repeating: 0, count: featureCount)
        featureM2 = Array(repeating: 0, count: featureCount)
        featureImportances = Array(repeating: 0, count: featureCount)
        scratchPermutation = Array(0..<featureCount)
        featureInverseScale = Array(repeating: 0, count: featureCount)
        scratchZ = Array(repeating: 0, count: featureCount)
        nodes.append(Node())
        links.append(Link())
        if configuration.leafPrediction != .mean {
            models.append(contentsOf: repeatElement(0, count: featureCount + 1))
        }
        nodes[0].slot = acquireSlot(promise: .infinity, restrictFeature: -1, low: 0, high: 0)
    }

    // MARK: Sizes

    var modelStride: Int { configuration.leafPrediction == .mean ? 0 : featureCount + 1 }
    var nodeBytes: Int { MemoryLayout<Node>.stride + MemoryLayout<Link>.stride + modelStride * 8 }
    var slotBytes: Int { observedFeatures * (3 * 8 + 2 * 8 * configuration.binCount) + 8 }
    var fixedBytes: Int { MemoryLayout<Self>.size + featureCount * 8 * 7 + 256 }

    /// Bytes the tree holds now (array capacities included).
    public var estimatedBytes: Int {
        fixedBytes + nodes.capacity * MemoryLayout<Node>.stride + links.capacity * MemoryLayout<Link>.stride
            + models.capacity * 8 + slotFeatures.capacity * 8
            + (slotOrigin.capacity + slotBinWidth.capacity + histogramBins.capacity) * 8
            + freeSlots.capacity * 8
    }

    /// The live size the budget is checked against (counts, not capacities).
    func liveBytes(extraNodes: Int = 0, extraSlots: Int = 0) -> Int {
        fixedBytes + (nodes.count + extraNodes) * nodeBytes + (slotCount + extraSlots) * slotBytes
    }

    /// Documented bound: the live size is kept ≤ `maxBytes`; array growth can at most double it, plus the
    /// fixed part and one split's worth of nodes.
    public var memoryBound: Int { 2 * (configuration.maxBytes + 4 * nodeBytes + slotBytes) + fixedBytes }

    public var nodeCount: Int { nodes.count }
    public var leafCount: Int { nodes.reduce(0) { $0 + ($1.isLeaf ? 1 : 0) } }
    public var activeLeafCount: Int { slotCount - freeSlots.count }
    public var depth: Int { nodes.reduce(0) { max($0, $1.depth) } }
    /// Total weight learned.
    public var learnedWeight: Double { seenWeight }

    // MARK: Predict

    @inline(__always)
    func leafIndex(_ x: [Double]) -> Int {
        links.withUnsafeBufferPointer { links in
            x.withUnsafeBufferPointer { x in
                var i = 0
                while true {
                    let link = links[i]
                    if link.feature < 0 { return i }
                    i = Int(link.left) + (x[Int(link.feature)] < link.threshold ? 0 : 1)
                }
            }
        }
    }

    public func predict(_ x: [Double]) -> Double {
        precondition(x.count == featureCount, "feature vector width")
        let leaf = leafIndex(x)
        switch configuration.leafPrediction {
        case .mean:
            return nodes[leaf].mean
        case .linear:
            return nodes[leaf].weight > 0 ? modelPrediction(leaf, x) : targetMean
        case .adaptive:
            let n = nodes[leaf]
            return n.errorOfModel < n.errorOfMean ? modelPrediction(leaf, x) : n.mean
        }
    }

    var targetScale: Double {
        let v = seenWeight > 0 ? targetM2 / seenWeight : 0
        return v > 0 ? v.squareRoot() : 1
    }

    /// Standardised feature value, clipped to ±8.
    @inline(__always)
    func standardised(_ f: Int, _ value: Double) -> Double {
        min(8, max(-8, (value - featureMean[f]) * featureInverseScale[f]))
    }

    mutating func refreshInverseScales() {
        for f in 0..<featureCount {
            let v = seenWeight > 0 ? featureM2[f] / seenWeight : 0
            featureInverseScale[f] = v > 0 ? 1 / v.squareRoot() : 0
        }
    }

    /// The linear model's prediction in standardised target units.
    @inline(__always)
    func modelRaw(_ node: Int, _ x: [Double]) -> Double {
        let base = node * modelStride
        var s = models[base + featureCount]
        for f in 0..<featureCount { s += models[base + f] * standardised(f, x[f]) }
        return s
    }

    func modelPrediction(_ node: Int, _ x: [Double]) -> Double {
        targetMean + targetScale * modelRaw(node, x)
    }

    /// Per-feature sum of the changes in node mean along the decision path of `x` (root mean excluded):
    /// `rootMean + Σ contributions == mean of the leaf reached`.
    public func pathContributions(_ x: [Double]) -> [Double] {
        precondition(x.count == featureCount, "feature vector width")
        var out = Array(repeating: 0.0, count: featureCount)
        var i = 0
        while !nodes[i].isLeaf {
            let n = nodes[i]
            let next = x[n.feature] < n.threshold ? n.left : n.right
            out[n.feature] += nodes[next].mean - n.mean
            i = next
        }
        return out
    }

    /// The mean target at the root (the base value of `pathContributions`).
    public var rootMean: Double { nodes[0].mean }

    // MARK: Learn

    public mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        precondition(x.count == featureCount, "feature vector width")
        guard weight > 0, weight.isFinite, y.isFinite else { return }
        for v in x where !v.isFinite { return }
        updateRunningStatistics(x, y, weight)
        let leaf = leafIndex(x)
        updateLeafPredictors(leaf, x, y, weight)
        var node = nodes[leaf]
        node.weight += weight
        node.mean += weight * (y - node.mean) / node.weight
        nodes[leaf] = node
        guard node.slot >= 0 else { return }
        observe(slot: node.slot, x, y, weight)
        if node.weight - node.weightAtLastAttempt >= configuration.gracePeriod {
            nodes[leaf].weightAtLastAttempt = node.weight
            if node.depth < configuration.maxDepth && liveBytes(extraNodes: 2) <= configuration.maxBytes {
                attemptSplit(leaf)
            }
        }
    }

    mutating func updateRunningStatistics(_ x: [Double], _ y: Double, _ weight: Double) {
        seenWeight += weight
        let r = weight / seenWeight
        for f in 0..<featureCount {
            let v = x[f]
            if v < featureMin[f] { featureMin[f] = v }
            if v > featureMax[f] { featureMax[f] = v }
            let d = v - featureMean[f]
            featureMean[f] += r * d
            featureM2[f] += weight * d * (v - featureMean[f])
        }
        let d = y - targetMean
        targetMean += r * d
        targetM2 += weight * d * (y - targetMean)
        if modelStride > 0 { refreshInverseScales() }
    }

    mutating func updateLeafPredictors(_ leaf: Int, _ x: [Double], _ y: Double, _ weight: Double) {
        let fade = configuration.errorFading
        let squared = configuration.selectorError == .squared
        let meanResidual = y - nodes[leaf].mean
        let meanError = squared ? meanResidual * meanResidual : abs(meanResidual)
        nodes[leaf].errorOfMean = fade * nodes[leaf].errorOfMean + (1 - fade) * meanError
        guard modelStride > 0 else { return }
        let scale = targetScale
        let raw = modelRaw(leaf, x)
        let modelResidual = y - (targetMean + scale * raw)
        let modelError = squared ? modelResidual * modelResidual : abs(modelResidual)
        nodes[leaf].errorOfModel = fade * nodes[leaf].errorOfModel + (1 - fade) * modelError
        // Normalised LMS in standardised units: w += μ e z / (1 + |z|²), error clipped to ±3.
        let target = (y - targetMean) / scale
        let e = min(3, max(-3, target - raw))
        var norm = 1.0
        for f in 0..<featureCount {
            let z = standardised(f, x[f])
            scratchZ[f] = z
            norm += z * z
        }
        let step = min(1, configuration.learningRate * weight) * e / norm
        let base = leaf * modelStride
        for f in 0..<featureCount { models[base + f] += step * scratchZ[f] }
        models[base + featureCount] += step
    }
}

extension HoeffdingTreeRegressor {
    /// `predict` through a mutating (exclusive, in-place) access, so that a caller holding the tree inside
    /// an array element does not get a copy of it made for the call.
    mutating func predictInPlace(_ x: [Double]) -> Double { predict(x) }

    /// The root's split (feature, threshold), or nil while the root is a leaf.
    public var rootSplit: (feature: Int, threshold: Double)? {
        nodes[0].isLeaf ? nil : (nodes[0].feature, nodes[0].threshold)
    }
}
