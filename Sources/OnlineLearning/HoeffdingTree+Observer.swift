#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The quantised-histogram attribute observers, split attempts and the memory budget.
extension HoeffdingTreeRegressor {
    /// Takes an observer slot for a new leaf: a free one, a new one if the budget allows, or the slot of
    /// the least promising active leaf if that leaf is less promising than `promise`. Returns -1 when the
    /// new leaf must start inactive.
    mutating func acquireSlot(promise: Double, restrictFeature: Int, low: Double, high: Double) -> Int {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
        } else if liveBytes(extraSlots: 1) <= configuration.maxBytes {
            slot = slotCount
            slotCount += 1
            let m = observedFeatures
            slotFeatures.append(contentsOf: repeatElement(0, count: m))
            slotOrigin.append(contentsOf: repeatElement(0, count: m))
            slotBinWidth.append(contentsOf: repeatElement(0, count: m))
            histogramBins.append(contentsOf: repeatElement(0, count: 2 * m * configuration.binCount))
        } else {
            guard let weakest = leastPromisingActiveLeaf(), self.promise(weakest) < promise else { return -1 }
            slot = nodes[weakest].slot
            nodes[weakest].slot = -1
        }
        resetSlot(slot, restrictFeature: restrictFeature, low: low, high: high)
        return slot
    }

    func promise(_ node: Int) -> Double {
        let n = nodes[node]
        let error = configuration.leafPrediction == .mean ? n.errorOfMean : min(n.errorOfMean, n.errorOfModel)
        return n.weight * error
    }

    func leastPromisingActiveLeaf() -> Int? {
        var best: Int?
        var bestPromise = Double.infinity
        for i in nodes.indices where nodes[i].slot >= 0 {
            let p = promise(i)
            if best == nil || p < bestPromise {
                best = i
                bestPromise = p
            }
        }
        return best
    }

    /// Chooses the slot's features (all, or a seeded random subset) and places each histogram over the
    /// global range seen so far, narrowed to `[low, high)` for `restrictFeature`.
    mutating func resetSlot(_ slot: Int, restrictFeature: Int, low: Double, high: Double) {
        let m = observedFeatures
        let bins = configuration.binCount
        if m < featureCount {
            for f in 0..<featureCount { scratchPermutation[f] = f }
            for j in 0..<m {
                let k = j + Int(rng.next() % UInt64(featureCount - j))
                scratchPermutation.swapAt(j, k)
            }
            // Keep the subset in feature order so that ties between features break the same way.
            var chosen = 0
            var mask = 0
            for j in 0..<m where scratchPermutation[j] < 64 { mask |= 1 << scratchPermutation[j] }
            if featureCount <= 64 {
                for f in 0..<featureCount where mask & (1 << f) != 0 {
                    slotFeatures[slot * m + chosen] = f
                    chosen += 1
                }
            } else {
                for j in 0..<m { slotFeatures[slot * m + j] = scratchPermutation[j] }
            }
        } else {
            for j in 0..<m { slotFeatures[slot * m + j] = j }
        }
        for j in 0..<m {
            let f = slotFeatures[slot * m + j]
            var lo = featureMin[f]
            var hi = featureMax[f]
            if f == restrictFeature {
                lo = max(lo, low)
                hi = min(hi, high)
            }
            let h = slot * m + j
            if lo.isFinite && hi.isFinite && hi > lo && (hi - lo).isFinite {
                slotOrigin[h] = lo
                slotBinWidth[h] = (hi - lo) * (1 + 1e-9) / Double(bins) + Double.leastNormalMagnitude
            } else {
                slotOrigin[h] = 0
                slotBinWidth[h] = 0
            }
            let b = h * bins
            for k in 0..<bins {
                histogramBins[2 * (b + k)] = 0
                histogramBins[2 * (b + k) + 1] = 0
            }
        }
    }

    @inline(__always)
    mutating func observe(slot: Int, _ x: [Double], _ y: Double, _ weight: Double) {
        let m = observedFeatures
        for j in 0..<m {
            let h = slot * m + j
            insert(histogram: h, x[slotFeatures[h]], weight, weight * y)
        }
    }

    /// Adds (weight, weight·y) at `value` to histogram `h`, placing or widening it first if needed.
    @inline(__always)
    mutating func insert(histogram h: Int, _ value: Double, _ weight: Double, _ weightedY: Double) {
        let bins = configuration.binCount
        let b = h * bins
        var width = slotBinWidth[h]
        if width == 0 {
            // Not placed yet: everything so far sits in bin 0 at `slotOrigin` (one distinct value).
            if histogramBins[2 * (b)] == 0 || value == slotOrigin[h] {
                if histogramBins[2 * (b)] == 0 { slotOrigin[h] = value }
                histogramBins[2 * (b)] += weight
                histogramBins[2 * (b) + 1] += weightedY
                return
            }
            let first = slotOrigin[h]
            let span = abs(value - first)
            guard span.isFinite && span > 0 else { return }
            let origin = min(first, value) - span / 2
            width = 2 * span / Double(bins)
            let k = min(bins - 1, max(0, Int((first - origin) / width)))
            if k != 0 {
                histogramBins[2 * (b + k)] = histogramBins[2 * (b)]
                histogramBins[2 * (b + k) + 1] = histogramBins[2 * (b) + 1]
                histogramBins[2 * (b)] = 0
                histogramBins[2 * (b) + 1] = 0
            }
            slotOrigin[h] = origin
            slotBinWidth[h] = width
        }
        var origin = slotOrigin[h]
        var widenings = 0
        while (value < origin || value >= origin + Double(bins) * width) && widenings < 64 {
            widenings += 1
            let half = bins / 2
            if value >= origin {
                for k in 0..<half {
                    histogramBins[2 * (b + k)] = histogramBins[2 * (b + 2 * k)] + histogramBins[2 * (b + 2 * k + 1)]
                    histogramBins[2 * (b + k) + 1] = histogramBins[2 * (b + 2 * k) + 1] + histogramBins[2 * (b + 2 * k + 1) + 1]
                }
                for k in half..<bins {
                    histogramBins[2 * (b + k)] = 0
                    histogramBins[2 * (b + k) + 1] = 0
                }
            } else {
                for k in stride(from: half - 1, through: 0, by: -1) {
                    let w = histogramBins[2 * (b + 2 * k)] + histogramBins[2 * (b + 2 * k + 1)]
                    let s = histogramBins[2 * (b + 2 * k) + 1] + histogramBins[2 * (b + 2 * k + 1) + 1]
                    histogramBins[2 * (b + half + k)] = w
                    histogramBins[2 * (b + half + k) + 1] = s
                }
                for k in 0..<half {
                    histogramBins[2 * (b + k)] = 0
                    histogramBins[2 * (b + k) + 1] = 0
                }
                origin -= Double(bins) * width
            }
            width *= 2
            guard width.isFinite && origin.isFinite else { break }
        }
        if width.isFinite && origin.isFinite {
            slotOrigin[h] = origin
            slotBinWidth[h] = width
        }
        let position = (value - slotOrigin[h]) / slotBinWidth[h]
        let k = position.isFinite ? min(bins - 1, max(0, Int(max(-1, min(Double(bins), position))))) : 0
        histogramBins[2 * (b + k)] += weight
        histogramBins[2 * (b + k) + 1] += weightedY
    }

    struct SplitCandidate {
        var feature = -1
        var threshold = 0.0
        var merit = 0.0
        var leftWeight = 0.0
        var leftMean = 0.0
        var rightWeight = 0.0
        var rightMean = 0.0
    }

    /// The best variance-reduction split of histogram `h`. The merit of a split into (nL, μL) and
    /// (nR, μR) is the variance reduction nL·nR/n² · (μL − μR)², which needs only per-bin weight and sum.
    func bestSplit(histogram h: Int, feature: Int) -> SplitCandidate {
        var best = SplitCandidate()
        let width = slotBinWidth[h]
        guard width > 0 else { return best }
        let bins = configuration.binCount
        let b = h * bins
        var n = 0.0, s = 0.0
        for k in 0..<bins {
            n += histogramBins[2 * (b + k)]
            s += histogramBins[2 * (b + k) + 1]
        }
        guard n > 0 else { return best }
        let minSide = configuration.minBranchFraction * n
        var nl = 0.0, sl = 0.0
        for k in 0..<(bins - 1) {
            nl += histogramBins[2 * (b + k)]
            sl += histogramBins[2 * (b + k) + 1]
            let nr = n - nl
            guard nl > minSide && nl > 0 else { continue }
            guard nr > minSide && nr > 1e-9 * n else { break }
            let ml = sl / nl, mr = (s - sl) / nr
            let d = ml - mr
            let merit = nl * nr / (n * n) * d * d
            if merit > best.merit {
                best = SplitCandidate(
                    feature: feature, threshold: slotOrigin[h] + Double(k + 1) * width, merit: merit,
                    leftWeight: nl, leftMean: ml, rightWeight: nr, rightMean: mr)
            }
        }
        return best
    }

    mutating func attemptSplit(_ leaf: Int) {
        let slot = nodes[leaf].slot
        let m = observedFeatures
        var best = SplitCandidate()
        var second = 0.0
        for j in 0..<m {
            let h = slot * m + j
            let c = bestSplit(histogram: h, feature: slotFeatures[h])
            if c.merit > best.merit {
                second = best.merit
                best = c
            } else if c.merit > second {
                second = c.merit
            }
        }
        guard best.merit > 0 && best.feature >= 0 else { return }
        let n = nodes[leaf].weight
        let epsilon = (log(1 / configuration.delta) / (2 * n)).squareRoot()
        guard second / best.merit < 1 - epsilon || epsilon < configuration.tieThreshold else { return }
        split(leaf, best)
    }

    mutating func split(_ leaf: Int, _ c: SplitCandidate) {
        let parent = nodes[leaf]
        featureImportances[c.feature] += parent.weight * c.merit
        freeSlots.append(parent.slot)
        let left = nodes.count, right = left + 1
        nodes[leaf].feature = c.feature
        nodes[leaf].threshold = c.threshold
        nodes[leaf].left = left
        nodes[leaf].right = right
        nodes[leaf].slot = -1
        links[leaf] = Link(threshold: c.threshold, feature: Int32(c.feature), left: Int32(left))
        links.append(Link())
        links.append(Link())
        for side in 0..<2 {
            let (weight, mean) = side == 0 ? (c.leftWeight, c.leftMean) : (c.rightWeight, c.rightMean)
            var child = Node()
            child.depth = parent.depth + 1
            child.weight = weight
            child.mean = mean
            child.weightAtLastAttempt = weight
            child.errorOfMean = parent.errorOfMean
            child.errorOfModel = parent.errorOfModel
            nodes.append(child)
        }
        if modelStride > 0 {
            let base = leaf * modelStride
            for _ in 0..<2 {
                for k in 0..<modelStride { models.append(models[base + k]) }
            }
        }
        let leftSlot = acquireSlot(promise: promise(left), restrictFeature: c.feature, low: -.infinity, high: c.threshold)
        nodes[left].slot = leftSlot
        let rightSlot = acquireSlot(promise: promise(right), restrictFeature: c.feature, low: c.threshold, high: .infinity)
        nodes[right].slot = rightSlot
    }
}
