import OnlineLearning
import SeededRandom
import Testing

/// A model that logs every call: predict returns the number of rows learned so far.
struct SpyRegressor: OnlineRegressor {
    enum Event: Equatable, CustomStringConvertible {
        case predict(Int)
        case learn(Int)
        var description: String {
            switch self {
            case .predict(let i): "P\(i)"
            case .learn(let i): "L\(i)"
            }
        }
    }

    // A class would break value semantics; the log is part of the value.
    var log: [Event] = []
    var featureCount: Int { 1 }
    var memoryBound: Int { 0 }
    var learned: Int { log.filter { if case .learn = $0 { true } else { false } }.count }

    func predict(_ x: [Double]) -> Double { Double(learned) }
    mutating func learn(_ x: [Double], _ y: Double, weight: Double) {
        #expect(x[0] == y, "row \(Int(y)) learned with the features of another row")
        log.append(.learn(Int(y)))
    }
}

/// The spy can't log predictions from a non-mutating predict, so progressive validation's returned
/// predictions (= rows learned when predicting) tell us the interleaving instead.
@Suite struct ProgressiveOrderingTests {
    @Test(arguments: [0, 1, 2, 3])
    func rowDelayLearnsRowTMinusHBeforePredictingRowT(_ h: Int) {
        var pv = ProgressiveValidation(model: SpyRegressor(), delay: .rows(h))
        var learnedWhenPredicted: [Int] = []
        for t in 0..<8 {
            let p = pv.process([Double(t)], Double(t))
            learnedWhenPredicted.append(Int(p!))
            // Every row ≤ t − H has been learned after row t (H = 0: row t itself at once), in order.
            let expectedLearned = max(0, t - max(h, 0) + 1)
            #expect(pv.model.log == (0..<expectedLearned).map { .learn($0) })
        }
        // When row t is predicted, rows 0...(t − H) are learned (0...(t − 1) when H = 0): River's delay=H.
        #expect(learnedWhenPredicted == (0..<8).map { max(0, $0 - max(h, 1) + 1) })
        #expect(pv.pendingCount == min(h, 8))
        pv.finish()
        #expect(pv.model.log == (0..<8).map { .learn($0) })
        #expect(pv.learnedCount == 8 && pv.scoredCount == 8)
    }

    @Test func handMadeStreamWithRowDelayTwo() {
        // Rows 0..4, H = 2. Order: P0 | P1 | L0 P2 | L1 P3 | L2 P4 | finish: L3 L4.
        var pv = ProgressiveValidation(model: SpyRegressor(), delay: .rows(2))
        var seen: [String] = []
        for t in 0..<5 {
            let before = pv.model.log.count
            let p = pv.process([Double(t)], Double(t))!
            seen += pv.model.log[before...].map(\.description)
            seen.append("P\(t)@\(Int(p))")
        }
        pv.finish()
        seen += pv.model.log[3...].map(\.description)
        #expect(seen == ["P0@0", "P1@0", "L0", "P2@1", "L1", "P3@2", "L2", "P4@3", "L3", "L4"])
    }

    @Test func secondsDelayLearnsWhenTheLabelHasMatured() {
        // Stamps 0, 0.5, 1.0, 2.5, 2.6 and H = 1 s: labels due at 1, 1.5, 2, 3.5, 3.6.
        var pv = ProgressiveValidation(model: SpyRegressor(), delay: .seconds(1))
        let stamps = [0, 0.5, 1.0, 2.5, 2.6]
        var learnedWhenPredicted: [Int] = []
        for (t, s) in stamps.enumerated() {
            learnedWhenPredicted.append(Int(pv.process([Double(t)], Double(t), timestamp: s)!))
        }
        // P0@0, P1@0, (L0) P2@1, (L1 L2) P3@3, P4@3.
        #expect(learnedWhenPredicted == [0, 0, 1, 3, 3])
        #expect(pv.pendingCount == 2)
        pv.finish()
        #expect(pv.model.log == (0..<5).map { .learn($0) })
    }

    @Test func secondsQueueDropsTheOldestWhenFull() {
        var pv = ProgressiveValidation(model: SpyRegressor(), delay: .seconds(100), maxPending: 2)
        for t in 0..<5 { pv.process([Double(t)], Double(t), timestamp: Double(t)) }
        #expect(pv.droppedCount == 3)
        pv.finish()
        #expect(pv.model.log == [.learn(3), .learn(4)])
    }

    @Test func skippedRowsAdvanceTheClockButAreNotScored() {
        var pv = ProgressiveValidation(model: SpyRegressor(), delay: .rows(1))
        pv.process([0], 0)
        #expect(pv.process([.nan], 1) == nil)
        pv.process([2], 2)
        #expect(pv.skippedCount == 1 && pv.scoredCount == 2 && pv.rowCount == 3)
        #expect(pv.model.log == [.learn(0)])
    }

    @Test func metricsMatchAManualLoop() {
        var pv = ProgressiveValidation(model: SGDRegressor(featureCount: 2), delay: .rows(3), rollingWindow: 10)
        var model = SGDRegressor(featureCount: 2)
        var pending: [([Double], Double)] = []
        var absErrors: [Double] = []
        for t in 0..<200 {
            let x = [Double(t % 7), Double(t % 3) - 1]
            let y = 2 * x[0] - x[1] + 1
            if pending.count == 3 { model.learn(pending[0].0, pending[0].1); pending.removeFirst() }
            let p = model.predict(x)
            #expect(pv.process(x, y) == p)
            absErrors.append(abs(y - p))
            pending.append((x, y))
        }
        let mae = absErrors.reduce(0, +) / 200
        #expect(abs(pv.metrics.mae - mae) < 1e-9)
        #expect(abs(pv.rolling!.mae - absErrors.suffix(10).reduce(0, +) / 10) < 1e-9)
    }
}

@Suite struct ProgressiveValidationCheckpointTests {
    static func row(_ rng: inout Xoshiro256) -> ([Double], Double) {
        let x = (0..<3).map { _ in rng.nextGaussian() }
        return (x, 2 * x[0] - x[1] + 0.1 * rng.nextGaussian())
    }

    /// Saved mid-stream with labels pending, the restored validation continues exactly as the original:
    /// same predictions, same learned rows, same metrics, same state bytes.
    @Test(arguments: [LabelDelay.rows(0), .rows(1), .rows(7), .seconds(2.5)])
    func restoreMidStreamContinuesIdentically(delay: LabelDelay) throws {
        var rng = Xoshiro256(seed: 21)
        var original = ProgressiveValidation(
            model: StandardizedRegressor(model: SGDRegressor(featureCount: 3)), delay: delay, rollingWindow: 16,
            maxPending: 64)
        for t in 0..<500 {
            let (x, y) = Self.row(&rng)
            original.process(x, y, timestamp: Double(t) * 0.5)
        }
        if case .rows(let h) = delay { #expect(original.pendingCount == h) } else { #expect(original.pendingCount == 5) }
        let saved = original.savedState()
        var restored = try ProgressiveValidation<StandardizedRegressor<SGDRegressor>>(savedState: saved)
        #expect(restored.savedState() == saved)
        #expect(restored.pendingCount == original.pendingCount && restored.rowCount == original.rowCount)
        for t in 500..<800 {
            let (x, y) = Self.row(&rng)
            let a = original.process(x, y, timestamp: Double(t) * 0.5)
            let b = restored.process(x, y, timestamp: Double(t) * 0.5)
            #expect(a == b)
        }
        original.finish()
        restored.finish()
        #expect(original.metrics == restored.metrics)
        #expect(original.rolling?.mae == restored.rolling?.mae)
        #expect(original.learnedCount == restored.learnedCount)
        #expect(original.savedState() == restored.savedState())
    }

    @Test func truncatedStateIsAnError() {
        var pv = ProgressiveValidation(model: SGDRegressor(featureCount: 2), delay: .rows(3))
        for t in 0..<10 { pv.process([Double(t), 1], Double(t)) }
        let saved = pv.savedState()
        for cut in [saved.count / 2, saved.count - 1] {
            #expect(throws: ModelStateError.self) {
                _ = try ProgressiveValidation<SGDRegressor>(savedState: Array(saved[..<cut]))
            }
        }
    }
}
