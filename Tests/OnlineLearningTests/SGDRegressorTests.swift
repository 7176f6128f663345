import OnlineLearning
import SeededRandom
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Two steps on the example x = [2], y = 3, with an intercept, computed by hand.
@Suite struct SGDHandComputedTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var options: SGDRegressor.Options
        var y: Double = 3
        /// (w, b) after step 1 and after step 2.
        var expected: [(Double, Double)]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        // Constant η = 0.1, squared: g = p − y.
        // 1: p = 0, g = −3: w = 0 + 0.1·3·2 = 0.6, b = 0.3.  2: p = 1.5, g = −1.5: w = 0.9, b = 0.45.
        Case(
            name: "constant squared", options: .init(loss: .squared, updateRule: .constant(learningRate: 0.1)),
            expected: [(0.6, 0.3), (0.9, 0.45)]),
        // Huber δ = 1: g clipped to −1. 1: w = 0.2, b = 0.1.  2: p = 0.5, r = −2.5, g = −1: w = 0.4, b = 0.2.
        Case(
            name: "constant huber", options: .init(loss: .huber(delta: 1), updateRule: .constant(learningRate: 0.1)),
            expected: [(0.2, 0.1), (0.4, 0.2)]),
        // Huber δ = 5: quadratic zone, same as squared.
        Case(
            name: "constant huber quadratic",
            options: .init(loss: .huber(delta: 5), updateRule: .constant(learningRate: 0.1)),
            expected: [(0.6, 0.3), (0.9, 0.45)]),
        // ε-insensitive ε = 2.8: 1: |r| = 3 > ε, g = −1: w = 0.2, b = 0.1.  2: p = 0.5, |r| = 2.5 ≤ ε: no step.
        Case(
            name: "constant epsilon",
            options: .init(loss: .epsilonInsensitive(epsilon: 2.8), updateRule: .constant(learningRate: 0.1)),
            expected: [(0.2, 0.1), (0.2, 0.1)]),
        // Quantile τ = 0.9, y above p: g = −0.9. 1: w = 0.18, b = 0.09.  2: p = 0.45, g = −0.9: w = 0.36, b = 0.18.
        Case(
            name: "constant quantile 0.9",
            options: .init(loss: .quantile(tau: 0.9), updateRule: .constant(learningRate: 0.1)),
            expected: [(0.18, 0.09), (0.36, 0.18)]),
        // Quantile τ = 0.2, y = −1 below p = 0: g = 1 − τ = 0.8. 1: w = −0.16, b = −0.08.
        // 2: p = −0.4, still above y: w = −0.32, b = −0.16.
        Case(
            name: "constant quantile 0.2",
            options: .init(loss: .quantile(tau: 0.2), updateRule: .constant(learningRate: 0.1)),
            y: -1, expected: [(-0.16, -0.08), (-0.32, -0.16)]),
        // Inverse scaling η₀ = 0.1, p = 0.5: 1: rate 0.1, as constant.  2: rate 0.1/√2, g = −1.5:
        // w = 0.6 + 0.1/√2·1.5·2 = 0.812132, b = 0.3 + 0.1/√2·1.5 = 0.406066.
        Case(
            name: "inverse scaling", options: .init(updateRule: .inverseScaling(learningRate: 0.1, power: 0.5)),
            expected: [(0.6, 0.3), (0.6 + 0.1 / 2.0.squareRoot() * 3, 0.3 + 0.1 / 2.0.squareRoot() * 1.5)]),
        // AdaGrad η = 0.1: 1: gx = −6, G = 36, w = 0.6/(6 + 1e-8) ≈ 0.1; b: G = 9, b = 0.3/(3 + 1e-8) ≈ 0.1.
        // 2: p = 0.3, g = −2.7, gx = −5.4, G = 65.16: w = 0.1 + 0.54/(√65.16 + 1e-8) = 0.166896;
        //    b: G = 16.29, b = 0.1 + 0.27/(√16.29 + 1e-8) = 0.166896.
        Case(
            name: "adagrad", options: .init(updateRule: .adaGrad(learningRate: 0.1)),
            expected: [
                (0.6 / (6 + 1e-8), 0.3 / (3 + 1e-8)),
                (
                    0.6 / (6 + 1e-8) + 0.54 / (65.16.squareRoot() + 1e-8),
                    0.3 / (3 + 1e-8) + 0.27 / (16.29.squareRoot() + 1e-8)
                ),
            ]),
        // Adam η = 0.1, β = (0.9, 0.999): 1: m̂ = gx, v̂ = gx², w = 0.1·6/(6 + 1e-8) ≈ 0.1, b ≈ 0.1.
        // 2: p ≈ 0.3, g ≈ −2.7, gx ≈ −5.4: m = −1.08, v = 0.065124, m̂ = −1.08/0.19 = −5.68421,
        //    v̂ = 0.065124/0.001999 = 32.5783: w = 0.1 + 0.1·5.68421/5.70774 = 0.199588; for b, m = −0.54,
        //    v = 0.016281: b = 0.1 + 0.1·2.842105/2.85387 = 0.199588.
        Case(
            name: "adam", options: .init(updateRule: .adam(learningRate: 0.1, beta1: 0.9, beta2: 0.999)),
            expected: [
                (0.1, 0.1),
                (
                    0.1 + 0.1 * (1.08 / 0.19) / (0.065124 / 0.001999).squareRoot(),
                    0.1 + 0.1 * (0.54 / 0.19) / (0.016281 / 0.001999).squareRoot()
                ),
            ]),
        // Normalized adaptive η = 0.5 (the default), squared. 1: s = 2, ‖x/s‖² + 1 = 2, multiplier
        // 0.5·√(1/2); g = −3: G = 9·4 = 36, r = 1/(6·2), G_b = 9, r_b = 1/3; speed k = mult·(4/12 + 1/3)
        // = 0.235702; Δp = 3·(1 − e^(−k)) = 0.629952; u = Δp/k; w = u·mult·r·2 = 0.157488, b = 0.314976.
        // 2: p = 0.629952, g = −2.370048, G = 36 + 4g², G_b = 9 + g², mult = 0.5·√(2/4):
        //    w = 0.257536, b = 0.515072.
        Case(
            name: "normalized squared", options: .init(),
            expected: [(0.1574881065537403, 0.3149762131074806), (0.2575361371468034, 0.5150722742936068)]),
        // Normalized, quantile τ = 0.9: speed k = mult·(4/(0.9·2·2) + 1/0.9) = 0.353553·(2/0.9) = 0.785674,
        // Δp = min(0.9·k, 3) = 0.707107; u = 0.9 → w = 0.9·mult·(1/(1.8·2))·2 = 0.176777, b = 0.9·mult/0.9 = 0.353553.
        Case(
            name: "normalized quantile", options: .init(loss: .quantile(tau: 0.9)),
            expected: [(0.5 * 0.5.squareRoot() / 2, 0.5 * 0.5.squareRoot())]),
        // Normalized, Huber δ = 1: g = −1 (linear zone), G = 4, r = 1/(2·2), G_b = 1, r_b = 1;
        // k = mult·(4/4 + 1) = 2·mult = 0.707107. Time to reach |r| = δ: (3 − 1)/(1·k) = 2.83 > 1, so
        // Δp = δ·k = 0.707107, u = 1: w = mult/4·2 = 0.176777, b = mult = 0.353553.
        Case(
            name: "normalized huber", options: .init(loss: .huber(delta: 1)),
            expected: [(0.5 * 0.5.squareRoot() / 2, 0.5 * 0.5.squareRoot())]),
    ]

    @Test(arguments: cases)
    func twoSteps(_ c: Case) {
        var model = SGDRegressor(featureCount: 1, options: c.options)
        for (step, (w, b)) in c.expected.enumerated() {
            model.learn([2], c.y)
            #expect(abs(model.weights[0] - w) < 1e-6, "step \(step + 1) w \(model.weights[0]) vs \(w)")
            #expect(abs(model.intercept - b) < 1e-6, "step \(step + 1) b \(model.intercept) vs \(b)")
        }
    }

    @Test func normalizedRescalesWeightWhenScaleGrows() {
        var model = SGDRegressor(featureCount: 1, options: .init(fitIntercept: false))
        model.learn([1], 1)
        let w = model.weights[0]
        #expect(w > 0)
        // x jumps from scale 1 to 100: the weight is first multiplied by 1/100, so the prediction is
        // (w/100)·100 = w, which is the target: no gradient, and the weight stays w/100. Without the
        // rescale the prediction would be 100·w and the step would move the weight elsewhere.
        model.learn([100], w)
        #expect(abs(model.weights[0] - w / 100) < 1e-12 * w)
    }

    @Test func l2DecaysAndL1ClipsByCumulativePenalty() {
        // Constant η = 0.1, no intercept, x = [2], y = 3.
        // L2 λ = 0.5: loss step gives 0.6, then ×(1 − 0.1·0.5) = 0.57.
        var ridge = SGDRegressor(
            featureCount: 1, options: .init(updateRule: .constant(learningRate: 0.1), l2: 0.5, fitIntercept: false))
        ridge.learn([2], 3)
        #expect(abs(ridge.weights[0] - 0.57) < 1e-12)
        // L1 λ = 0.5: u = 0.05. 1: 0.6 → max(0, 0.6 − (0.05 + 0)) = 0.55, q = −0.05.
        // 2: p = 1.1, g = −1.9: 0.55 + 0.38 = 0.93; u = 0.1 → 0.93 − (0.1 − 0.05) = 0.88.
        var lasso = SGDRegressor(
            featureCount: 1, options: .init(updateRule: .constant(learningRate: 0.1), l1: 0.5, fitIntercept: false))
        lasso.learn([2], 3)
        #expect(abs(lasso.weights[0] - 0.55) < 1e-12)
        lasso.learn([2], 3)
        #expect(abs(lasso.weights[0] - 0.88) < 1e-12)
    }

    @Test func l1ZeroesAnIrrelevantFeature() {
        func fit(l1: Double) -> [Double] {
            var rng = Xoshiro256(seed: 3)
            var model = SGDRegressor(featureCount: 2, options: .init(updateRule: .constant(learningRate: 0.01), l1: l1))
            for _ in 0..<5000 {
                let x = [rng.nextGaussian(), rng.nextGaussian()]
                model.learn(x, 2 * x[0] + 0.1 * rng.nextGaussian())
            }
            return model.weights
        }
        let plain = fit(l1: 0)
        let sparse = fit(l1: 0.05)
        #expect(plain[1] != 0)
        #expect(sparse[1] == 0)
        #expect(abs(sparse[0] - 2) < 0.2)
    }

    @Test func gradientClippingBoundsTheStep() {
        var model = SGDRegressor(
            featureCount: 1,
            options: .init(updateRule: .constant(learningRate: 0.1), gradientClip: 0.5, fitIntercept: false))
        model.learn([2], 3)  // g = −3 clipped to −0.5: w = 0.1·0.5·2 = 0.1
        #expect(abs(model.weights[0] - 0.1) < 1e-12)
    }
}

@Suite struct SGDBehaviourTests {
    static let rules: [UpdateRule] = [
        .constant(learningRate: 0.01), .inverseScaling(learningRate: 0.05, power: 0.25), .adaGrad(learningRate: 0.1),
        .adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999), .default,
    ]
    static let losses: [Loss] = [.squared, .huber(delta: 1), .epsilonInsensitive(epsilon: 0.1), .quantile(tau: 0.9)]

    static func stream(seed: UInt64, count: Int, width: Int, zeros: Bool = false) -> [([Double], Double)] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in
            let x = (0..<width).map { i in zeros && rng.nextUnitDouble() < 0.5 ? 0 : rng.nextGaussian() * Double(i + 1)
            }
            let y = x.enumerated().reduce(0.5) { $0 + $1.element / Double($1.offset + 1) } + 0.1 * rng.nextGaussian()
            return (x, y)
        }
    }

    @Test(arguments: rules, losses)
    func sparseAndDenseAgreeBitForBit(_ rule: UpdateRule, _ loss: Loss) {
        let options = SGDRegressor.Options(loss: loss, updateRule: rule, l1: 0.001, l2: 0.001)
        var dense = SGDRegressor(featureCount: 6, options: options)
        var sparse = dense
        for (x, y) in Self.stream(seed: 11, count: 300, width: 6, zeros: true) {
            let idx = x.indices.filter { x[$0] != 0 }
            let vals = idx.map { x[$0] }
            #expect(dense.predict(x) == sparse.predict(indices: idx, values: vals))
            dense.learn(x, y)
            sparse.learn(indices: idx, values: vals, y)
        }
        #expect(dense.weights == sparse.weights)
        #expect(dense.intercept == sparse.intercept)
    }

    @Test(arguments: rules)
    func deterministicAndRestoredCopyPredictsIdentically(_ rule: UpdateRule) throws {
        let data = Self.stream(seed: 5, count: 400, width: 4)
        let options = SGDRegressor.Options(loss: .huber(delta: 2), updateRule: rule, l1: 0.001, l2: 0.01)
        var a = SGDRegressor(featureCount: 4, options: options)
        var b = SGDRegressor(featureCount: 4, options: options)
        for (x, y) in data[..<200] {
            a.learn(x, y)
            b.learn(x, y)
        }
        #expect(a.savedState() == b.savedState())
        var restored = try SGDRegressor(savedState: a.savedState())
        for (x, y) in data[200...] {
            #expect(restored.predict(x).bitPattern == a.predict(x).bitPattern)
            a.learn(x, y)
            restored.learn(x, y)
        }
        #expect(restored.savedState() == a.savedState())
    }

    @Test func truncatedOrCorruptStateThrows() throws {
        var model = SGDRegressor(featureCount: 2, options: .init(loss: .quantile(tau: 0.3)))
        model.learn([1, 2], 3)
        let bytes = model.savedState()
        for n in 0..<bytes.count {
            #expect(throws: ModelStateError.self) { try SGDRegressor(savedState: Array(bytes[..<n])) }
        }
        #expect(throws: ModelStateError.self) { try SGDRegressor(savedState: bytes + [0]) }
        // Corrupt every byte in turn: it either throws or decodes; it never crashes.
        for i in 0..<bytes.count {
            var corrupt = bytes
            corrupt[i] ^= 0xFF
            _ = try? SGDRegressor(savedState: corrupt)
        }
        #expect(try SGDRegressor(savedState: bytes).savedState() == bytes)
    }

    @Test func nonFiniteExamplesAreSkippedAndCounted() {
        var model = SGDRegressor(featureCount: 2)
        model.learn([1, 2], 3)
        let before = model.savedState()
        model.learn([.nan, 2], 3)
        model.learn([1, .infinity], 3)
        model.learn([1, 2], .nan)
        model.learn([1, 2], 3, weight: -1)
        model.learn([1, 2], 3, weight: 0)
        #expect(model.skippedCount == 4)
        #expect(model.updateCount == 1)
        var expected = try! SGDRegressor(savedState: before)
        expected.learn([1, 2], 3)
        model.learn([1, 2], 3)
        #expect(model.weights == expected.weights)
    }

    @Test func contributionsSumToPredictionMinusIntercept() {
        var model = SGDRegressor(featureCount: 3)
        for (x, y) in Self.stream(seed: 9, count: 50, width: 3) { model.learn(x, y) }
        let x = [0.5, -1.0, 2.0]
        let c = model.contributions(x)
        #expect(c == zip(model.weights, x).map { $0 * $1 })
        #expect(abs(c.reduce(0, +) + model.intercept - model.predict(x)) < 1e-12)
    }

    @Test func learnsALinearFunction() {
        var model = SGDRegressor(featureCount: 3)
        var errors: [Double] = []
        for (x, y) in Self.stream(seed: 1, count: 3000, width: 3) {
            errors.append(abs(model.predict(x) - y))
            model.learn(x, y)
        }
        let late = errors[2000...].reduce(0, +) / 1000
        #expect(late < 0.2, "late MAE \(late)")
    }
}
