import Glibc
import OnlineLearning
import RiskModels
import SeededRandom
import Testing

@Suite struct OnlineBetaTests {
    /// y = 0.0001 + β·x + ε with x ~ N(0, 0.01²), ε ~ N(0, noise²).
    static func feed(_ beta: inout OnlineBeta, trueBeta: Double, count: Int, noise: Double, rng: inout Xoshiro256) {
        for _ in 0..<count {
            let x = 0.01 * rng.nextGaussian()
            let y = 0.0001 + trueBeta * x + noise * rng.nextGaussian()
            beta.observe(symbolReturn: y, hedgeReturn: x)
        }
    }

    @Test func convergesToTheTrueBeta() throws {
        var rng = Xoshiro256(seed: 2024)
        var model = OnlineBeta(forgetting: 0.999)
        Self.feed(&model, trueBeta: 1.3, count: 5000, noise: 0.005, rng: &rng)
        let beta = try #require(model.beta)
        #expect(abs(beta - 1.3) < 0.05, "beta \(beta)")
        // R² = β²σx² / (β²σx² + σε²) = 1.69e-4 / (1.69e-4 + 0.25e-4) ≈ 0.871.
        #expect(abs(model.rSquared - 0.871) < 0.03, "R² \(model.rSquared)")
        #expect(abs(model.alpha! - 0.0001) < 0.0005)
        #expect(model.observationCount == 5000)
        #expect(abs(model.effectiveCount - 1000) < 10)
        #expect(abs(model.residualVariance! - 0.005 * 0.005) < 5e-6)
    }

    @Test func tracksABetaChangeWithForgetting() throws {
        var rng = Xoshiro256(seed: 5)
        var fast = OnlineBeta(forgetting: 0.99)
        var slow = OnlineBeta(forgetting: 1)  // no forgetting: ordinary least squares over everything
        var rngSlow = rng
        Self.feed(&fast, trueBeta: 1.3, count: 2000, noise: 0.004, rng: &rng)
        Self.feed(&slow, trueBeta: 1.3, count: 2000, noise: 0.004, rng: &rngSlow)
        #expect(abs(fast.beta! - 1.3) < 0.15)
        Self.feed(&fast, trueBeta: 0.5, count: 600, noise: 0.004, rng: &rng)
        Self.feed(&slow, trueBeta: 0.5, count: 600, noise: 0.004, rng: &rngSlow)
        let tracked = try #require(fast.beta)
        #expect(abs(tracked - 0.5) < 0.1, "forgetting beta \(tracked)")
        // Without forgetting the estimate is stuck near the mix of both regimes.
        #expect(slow.beta! > 0.9, "OLS beta \(slow.beta!)")
    }

    @Test func negativeBetaAndHedgeRatio() throws {
        var rng = Xoshiro256(seed: 9)
        var model = OnlineBeta()
        Self.feed(&model, trueBeta: -0.8, count: 2000, noise: 0.002, rng: &rng)
        let beta = try #require(model.beta)
        #expect(abs(beta + 0.8) < 0.05)
        let ratio = try #require(model.hedgeRatio(symbolPrice: 50, hedgePrice: 400))
        #expect(abs(ratio - beta * 50 / 400) < 1e-15)
        #expect(model.hedgeRatio(symbolPrice: 50, hedgePrice: 0) == nil)
    }

    @Test func guardsNonFiniteInputAndADegenerateHedge() {
        var model = OnlineBeta(minimumObservations: 5)
        let nanAccepted = model.observe(symbolReturn: .nan, hedgeReturn: 0.01)
        let infinityAccepted = model.observe(symbolReturn: 0.01, hedgeReturn: .infinity)
        #expect(!nanAccepted && !infinityAccepted)
        #expect(model.rejectedCount == 2 && model.observationCount == 0)
        // A hedge that never moves gives no beta, however many pairs.
        for k in 0..<50 { model.observe(symbolReturn: Double(k % 3) * 0.001, hedgeReturn: 0) }
        #expect(model.beta == nil && model.rSquared == 0 && !model.isReady)
        // Too few pairs: no beta yet.
        var young = OnlineBeta(minimumObservations: 5)
        for k in 0..<4 { young.observe(symbolReturn: Double(k) * 0.002, hedgeReturn: Double(k) * 0.001) }
        #expect(young.beta == nil)
        young.observe(symbolReturn: 0.01, hedgeReturn: 0.005)
        #expect(abs(young.beta! - 2) < 1e-9 && abs(young.rSquared - 1) < 1e-9)
    }

    @Test func observesPricesAsLogReturns() throws {
        var a = OnlineBeta(minimumObservations: 2)
        var b = OnlineBeta(minimumObservations: 2)
        let prices: [(Double, Double)] = [(100, 400), (101, 402), (100.5, 401), (102, 404), (101, 401)]
        let first = a.observe(symbolPrice: prices[0].0, hedgePrice: prices[0].1)
        #expect(!first)
        for k in 1..<prices.count {
            let folded = a.observe(symbolPrice: prices[k].0, hedgePrice: prices[k].1)
            #expect(folded)
            b.observe(
                symbolReturn: Glibc.log(prices[k].0 / prices[k - 1].0),
                hedgeReturn: Glibc.log(prices[k].1 / prices[k - 1].1))
        }
        #expect(a.beta == b.beta)
        let negative = a.observe(symbolPrice: -1, hedgePrice: 400)
        #expect(!negative)
        #expect(a.lastPrices == nil)
        a.observe(symbolPrice: 101, hedgePrice: 401)
        a.restartReturns()
        let restart = a.observe(symbolPrice: 101, hedgePrice: 401)
        #expect(!restart)
    }

    @Test func checkpointRoundTrip() throws {
        var rng = Xoshiro256(seed: 1)
        var model = OnlineBeta(forgetting: 0.98, minimumObservations: 10, minimumHedgeVariance: 1e-12)
        Self.feed(&model, trueBeta: 1.1, count: 100, noise: 0.003, rng: &rng)
        model.observe(symbolPrice: 10, hedgePrice: 20)
        let bytes = model.savedState()
        var restored = try OnlineBeta(savedState: bytes)
        #expect(restored == model)
        #expect(restored.beta == model.beta && restored.rSquared == model.rSquared)
        #expect(restored.lastPrices?.symbol == 10 && restored.lastPrices?.hedge == 20)
        restored.observe(symbolReturn: 0.01, hedgeReturn: 0.02)
        #expect(restored != model)
        #expect(throws: ModelStateError.self) { try OnlineBeta(savedState: Array(bytes.dropLast())) }
    }
}
