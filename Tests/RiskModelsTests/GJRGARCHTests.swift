import Glibc
import OnlineLearning
import RiskModels
import SeededRandom
import Testing

@Suite struct GJRGARCHTests {
    /// A GJR-GARCH(1,1) path with skewed-t innovations drawn by inverting the CDF.
    static func simulate(_ p: GJRGARCHParameters, count: Int, seed: UInt64) -> [Double] {
        var generator = Xoshiro256(seed: seed)
        let z = p.innovation
        var h = p.omega / (1 - p.persistence)
        var out: [Double] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let e = h.squareRoot() * z.quantile(generator.nextOpenUnitDouble())
            out.append(p.mean + e)
            h = p.nextVariance(variance: h, residual: e)
        }
        return out
    }

    /// σ²' = ω + (α + γ·[ε < 0])·ε² + β·σ² with ω 1e-6, α 0.05, γ 0.1, β 0.9, σ² 1e-4:
    ///   ε = −0.01: 1e-6 + 0.15·1e-4 + 0.9·1e-4 = 1e-6 + 1.5e-5 + 9e-5 = 1.06e-4
    ///   ε = +0.01: 1e-6 + 0.05·1e-4 + 0.9·1e-4 = 1e-6 + 5e-6 + 9e-5 = 9.6e-5
    @Test func recursionByHand() {
        let p = GJRGARCHParameters(mean: 0, omega: 1e-6, alpha: 0.05, gamma: 0.1, beta: 0.9, degreesOfFreedom: 6)
        #expect(abs(p.nextVariance(variance: 1e-4, residual: -0.01) - 1.06e-4) < 1e-18)
        #expect(abs(p.nextVariance(variance: 1e-4, residual: 0.01) - 9.6e-5) < 1e-18)
        #expect(abs(p.persistence - 1.0) < 1e-15)
    }

    /// The filter before its first fit: α 0.03, γ 0.09, β 0.88 (persistence 0.955), μ 0, σ² the mean of r²
    /// over the first 20 returns. Twenty returns of ±1% give σ² = 1e-4; then r = −2%:
    ///   mean r² = (20·1e-4 + 4e-4)/21 = 24e-4/21,  ω = 0.045·24e-4/21 = 5.142857…e-6
    ///   σ² = ω + (0.03 + 0.09)·4e-4 + 0.88·1e-4 = 5.142857e-6 + 4.8e-5 + 8.8e-5 = 1.41142857…e-4
    /// and the residual of −2% is standardised by the σ before it: −0.02/0.01 = −2.
    @Test func fallbackRecursionByHand() {
        var filter = GJRGARCHFilter(.init(skewed: false))
        for i in 0..<20 { filter.observe(i.isMultiple(of: 2) ? 0.01 : -0.01) }
        #expect(abs(filter.variance - 1e-4) < 1e-18)
        filter.observe(-0.02)
        #expect(abs(filter.variance - (0.045 * 24e-4 / 21 + 0.12 * 4e-4 + 0.88 * 1e-4)) < 1e-18)
        #expect(abs(filter.variance - 1.411_428_571_428_571e-4) < 1e-15)
        #expect(abs(filter.lastStandardizedResidual! + 2) < 1e-12)
        #expect(filter.fits == 0)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var truth: GJRGARCHParameters
        var skewed: Bool
        var testDescription: String { skewed ? "skew-t" : "t" }
    }

    /// The MLE on 4,000 simulated returns lands near the truth, and is at least as likely as the truth on
    /// that sample (the optimiser found the maximum, not just a nearby point).
    @Test(arguments: [
        Case(
            truth: GJRGARCHParameters(
                mean: 0.0005, omega: 2e-6, alpha: 0.04, gamma: 0.08, beta: 0.88, degreesOfFreedom: 6, skew: -0.2),
            skewed: true),
        Case(
            truth: GJRGARCHParameters(
                mean: 0, omega: 4e-6, alpha: 0.06, gamma: 0.1, beta: 0.84, degreesOfFreedom: 5, skew: 0),
            skewed: false),
    ])
    func maximumLikelihoodRecoversKnownParameters(c: Case) throws {
        let returns = Self.simulate(c.truth, count: 4_000, seed: 42)
        let fit = try #require(GJRGARCHParameters.maximumLikelihood(returns, skewed: c.skewed))
        let t = c.truth
        #expect(fit.negativeLogLikelihood(returns) <= t.negativeLogLikelihood(returns) + 1e-6)
        #expect(abs(fit.alpha - t.alpha) < 0.04, "α \(fit.alpha)")
        #expect(abs(fit.gamma - t.gamma) < 0.07, "γ \(fit.gamma)")
        #expect(abs(fit.beta - t.beta) < 0.06, "β \(fit.beta)")
        #expect(abs(fit.persistence - t.persistence) < 0.03, "persistence \(fit.persistence)")
        let unconditional = fit.omega / (1 - fit.persistence)
        let trueUnconditional = t.omega / (1 - t.persistence)
        #expect(abs(unconditional / trueUnconditional - 1) < 0.3, "unconditional variance \(unconditional)")
        #expect(fit.degreesOfFreedom > 0.6 * t.degreesOfFreedom && fit.degreesOfFreedom < 1.6 * t.degreesOfFreedom)
        #expect(abs(fit.skew - t.skew) < 0.08, "λ \(fit.skew)")
        #expect(abs(fit.mean - t.mean) < 0.0006, "μ \(fit.mean)")
        // A warm start from the fit stays there.
        let again = try #require(GJRGARCHParameters.maximumLikelihood(returns, skewed: c.skewed, start: fit))
        let best = fit.negativeLogLikelihood(returns)
        #expect(again.negativeLogLikelihood(returns) <= best + 1e-9 * abs(best))
    }

    /// On a simulated GJR-GARCH skew-t path the matching forecaster breaches about 1 − c of the time.
    @Test(arguments: [0.99, 0.975])
    func forecasterIsCalibratedOnItsOwnModel(confidence: Double) {
        let truth = GJRGARCHParameters(
            mean: 0.0003, omega: 2e-6, alpha: 0.04, gamma: 0.08, beta: 0.88, degreesOfFreedom: 6, skew: -0.2)
        let returns = Self.simulate(truth, count: 6_000, seed: 7)
        var forecaster = GJRGARCHVaR(
            confidence: confidence, warmupReturns: 250, configuration: .init(refitEvery: 100, skewed: true))
        var backtest = VaRBacktest(confidence: confidence)
        for r in returns {
            if let f = forecaster.forecast() { backtest.record(breach: f.isBreached(by: r)) }
            forecaster.observe(return: r)
        }
        #expect(forecaster.filter.fits > 50)
        #expect(backtest.kupiec.pValue > 0.05, "\(backtest.breaches) breaches of \(backtest.observations)")
    }

    /// A checkpoint taken between refits continues identically through later refits.
    @Test(arguments: [VaRMethod.garchSkewT, .garchFHS])
    func checkpointBetweenRefits(method: VaRMethod) throws {
        let truth = GJRGARCHParameters(
            mean: 0, omega: 2e-6, alpha: 0.04, gamma: 0.08, beta: 0.88, degreesOfFreedom: 6, skew: -0.1)
        let returns = Self.simulate(truth, count: 1_700, seed: 3)
        var original = method.makeForecaster(confidence: 0.975, warmupReturns: 250)
        for r in returns.prefix(1_234) { original.observe(return: r) }
        var restored = try type(of: original).init(savedState: original.savedState())
        for r in returns.dropFirst(1_234) {
            #expect(restored.forecast() == original.forecast())
            original.observe(return: r)
            restored.observe(return: r)
        }
        #expect(restored.savedState() == original.savedState())
    }
}
