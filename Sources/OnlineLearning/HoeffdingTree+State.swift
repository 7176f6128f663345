import SeededRandom

extension HoeffdingTreeRegressor {
    public static var stateTag: String { "htr" }
    /// Version 2 adds `selectorError` after `minBranchFraction` (version 1: `.absolute`).
    public static var stateVersion: UInt16 { 2 }

    public func writeState(to writer: inout ModelStateWriter) {
        let c = configuration
        writer.write(featureCount)
        writer.write(c.gracePeriod)
        writer.write(c.delta)
        writer.write(c.tieThreshold)
        writer.write(c.maxDepth)
        writer.write(c.leafPrediction.rawValue)
        writer.write(c.binCount)
        writer.write(c.maxBytes)
        writer.write(c.subspaceSize ?? 0)
        writer.write(c.learningRate)
        writer.write(c.errorFading)
        writer.write(c.minBranchFraction)
        writer.write(c.selectorError.rawValue)
        let s = rng.state
        writer.write(s.0)
        writer.write(s.1)
        writer.write(s.2)
        writer.write(s.3)
        writer.write(nodes.count)
        for n in nodes {
            writer.write(n.feature)
            writer.write(n.threshold)
            writer.write(n.left)
            writer.write(n.right)
            writer.write(n.depth)
            writer.write(n.slot)
            writer.write(n.weight)
            writer.write(n.mean)
            writer.write(n.weightAtLastAttempt)
            writer.write(n.errorOfMean)
            writer.write(n.errorOfModel)
        }
        writer.write(models)
        writer.write(slotCount)
        writer.write(slotFeatures)
        writer.write(slotOrigin)
        writer.write(slotBinWidth)
        writer.write(histogramBins)
        writer.write(freeSlots)
        writer.write(featureMin)
        writer.write(featureMax)
        writer.write(featureMean)
        writer.write(featureM2)
        writer.write(seenWeight)
        writer.write(targetMean)
        writer.write(targetM2)
        writer.write(featureImportances)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let featureCount = try reader.readInt()
        var c = Configuration()
        c.gracePeriod = try reader.readDouble()
        c.delta = try reader.readDouble()
        c.tieThreshold = try reader.readDouble()
        c.maxDepth = try reader.readInt()
        guard let leafPrediction = LeafPrediction(rawValue: try reader.readUInt8()) else {
            throw ModelStateError(offset: reader.offset - 1, reason: "unknown leaf prediction")
        }
        c.leafPrediction = leafPrediction
        c.binCount = try reader.readInt()
        c.maxBytes = try reader.readInt()
        let subspace = try reader.readInt()
        c.subspaceSize = subspace == 0 ? nil : subspace
        c.learningRate = try reader.readDouble()
        c.errorFading = try reader.readDouble()
        c.minBranchFraction = try reader.readDouble()
        if version >= 2 {
            guard let selector = SelectorError(rawValue: try reader.readUInt8()) else {
                throw ModelStateError(offset: reader.offset - 1, reason: "unknown selector error")
            }
            c.selectorError = selector
        }
        // Five per-feature arrays follow, so a corrupt count cannot make the reader allocate beyond the input.
        let featureLimit = min(1 << 20, (reader.bytes.count - reader.offset) / 40)
        guard (1...max(1, featureLimit)).contains(featureCount), c.isValid, c.maxBytes < (1 << 40) else {
            throw ModelStateError(offset: at, reason: "invalid Hoeffding tree parameters")
        }
        let s = (try reader.readUInt64(), try reader.readUInt64(), try reader.readUInt64(), try reader.readUInt64())
        guard s != (0, 0, 0, 0) else { throw ModelStateError(offset: reader.offset - 32, reason: "zero generator state") }
        self.init(featureCount: featureCount, configuration: c)
        rng = Xoshiro256(state: s)

        let nodesAt = reader.offset
        let nodeCount = try reader.readCount(limit: max(1, (reader.bytes.count - reader.offset) / 88))
        guard nodeCount >= 1 else { throw ModelStateError(offset: nodesAt, reason: "a tree has at least a root") }
        var nodes: [Node] = []
        nodes.reserveCapacity(nodeCount)
        for i in 0..<nodeCount {
            let nodeAt = reader.offset
            var n = Node()
            n.feature = try reader.readInt()
            n.threshold = try reader.readDouble()
            n.left = try reader.readInt()
            n.right = try reader.readInt()
            n.depth = try reader.readInt()
            n.slot = try reader.readInt()
            n.weight = try reader.readDouble()
            n.mean = try reader.readDouble()
            n.weightAtLastAttempt = try reader.readDouble()
            n.errorOfMean = try reader.readDouble()
            n.errorOfModel = try reader.readDouble()
            let shapeOK: Bool
            if n.feature >= 0 {
                // Children come after their parent, so following them always terminates.
                shapeOK = n.feature < featureCount && n.left > i && n.right == n.left + 1 && n.right < nodeCount
                    && n.slot == -1 && !n.threshold.isNaN
            } else {
                shapeOK = n.feature == -1 && n.left == -1 && n.right == -1 && n.slot >= -1
            }
            guard shapeOK, n.depth >= 0, n.depth <= 64 else {
                throw ModelStateError(offset: nodeAt, reason: "malformed tree node \(i)")
            }
            nodes.append(n)
        }
        let arraysAt = reader.offset
        let models = try reader.readDoubles()
        let slotCount = try reader.readInt()
        let slotFeatures = try reader.readInts()
        let slotOrigin = try reader.readDoubles()
        let slotBinWidth = try reader.readDoubles()
        let histogramBins = try reader.readDoubles()
        let freeSlots = try reader.readInts()
        let featureMin = try reader.readDoubles(limit: featureCount)
        let featureMax = try reader.readDoubles(limit: featureCount)
        let featureMean = try reader.readDoubles(limit: featureCount)
        let featureM2 = try reader.readDoubles(limit: featureCount)
        seenWeight = try reader.readDouble()
        targetMean = try reader.readDouble()
        targetM2 = try reader.readDouble()
        let importances = try reader.readDoubles(limit: featureCount)

        let m = observedFeatures
        let bins = c.binCount
        let consistent =
            models.count == nodeCount * modelStride && slotCount >= 0 && slotCount <= (1 << 24)
            && slotFeatures.count == slotCount * m && slotOrigin.count == slotCount * m
            && slotBinWidth.count == slotCount * m && histogramBins.count == 2 * slotCount * m * bins
            && slotFeatures.allSatisfy { (0..<featureCount).contains($0) }
            && slotBinWidth.allSatisfy { $0 >= 0 && $0.isFinite }
            && freeSlots.allSatisfy { (0..<slotCount).contains($0) }
            && nodes.allSatisfy { $0.slot < slotCount }
            && [featureMin, featureMax, featureMean, featureM2, importances].allSatisfy { $0.count == featureCount }
        guard consistent else { throw ModelStateError(offset: arraysAt, reason: "inconsistent Hoeffding tree arrays") }
        self.nodes = nodes
        links = nodes.map { Link(threshold: $0.threshold, feature: Int32($0.feature), left: Int32($0.left)) }
        self.models = models
        self.slotCount = slotCount
        self.slotFeatures = slotFeatures
        self.slotOrigin = slotOrigin
        self.slotBinWidth = slotBinWidth
        self.histogramBins = histogramBins
        self.freeSlots = freeSlots
        self.freeSlots.reserveCapacity(slotCount)
        self.featureMin = featureMin
        self.featureMax = featureMax
        self.featureMean = featureMean
        self.featureM2 = featureM2
        self.featureImportances = importances
        refreshInverseScales()
    }
}
