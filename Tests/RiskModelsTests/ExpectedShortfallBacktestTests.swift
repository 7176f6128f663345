import RiskModels
import SeededRandom
import Testing

@Suite struct ExpectedShortfallBacktestTests {
    /// 6,000 i.i.d. unit-variance Student-t(5) returns scaled to σ = 1%, drawn by inverting the CDF.
    static func returns(seed: UInt64) -> [Double] {
        var generator = Xoshiro256(seed: seed)
        let t = StudentT(degreesOfFreedom: 5)
        let s = (3.0 / 5).squareRoot()
        return (0..<6_000).map { _ in 0.01 * s * t.quantile(generator.nextOpenUnitDouble()) }
    }

    static func backtest(
        _ forecast: RiskForecast, _ returns: [Double], confidence: Double
    )
        -> ExpectedShortfallBacktest
    {
        var backtest = ExpectedShortfallBacktest(confidence: confidence)
        for r in returns { backtest.record(return: r, forecast: forecast) }
        return backtest
    }

    /// Both tests accept the true forecast (p > 0.01: a correct model fails at 5% one time in twenty);
    /// McNeil–Frey rejects a normal at the right σ, whose tail is too thin, and a right VaR with ES at 80%.
    /// (Z₂, a mean over every day, is noisier: on these 6,000 days it does not reliably reject those two.)
    @Test(arguments: [0.99, 0.975])
    func acceptTheTrueForecastAndRejectAnUnderstatedES(confidence: Double) {
        for seed: UInt64 in [1, 2, 3] {
            let returns = Self.returns(seed: seed)
            let right = ValueAtRisk.studentT(volatility: 0.01, confidence: confidence, degreesOfFreedom: 5)
            let normal = ValueAtRisk.normal(volatility: 0.01, confidence: confidence)
            let smallES = RiskForecast(valueAtRisk: right.valueAtRisk, expectedShortfall: 0.8 * right.expectedShortfall)
            for (forecast, isRight) in [(right, true), (normal, false), (smallES, false)] {
                let b = Self.backtest(forecast, returns, confidence: confidence)
                let mf = b.mcNeilFrey(bootstrapSamples: 999, seed: 5)
                if isRight {
                    let z2 = b.acerbiSzekely(bootstrapSamples: 199, seed: 5)
                    #expect(mf.pValue > 0.01 && z2.pValue > 0.01, "seed \(seed): \(mf) \(z2)")
                } else {
                    #expect(mf.pValue < 0.01 && mf.meanResidual > 0, "seed \(seed): \(mf)")
                }
            }
        }
    }

    /// A forecast too small by a constant factor (VaR and ES at 75%): Acerbi–Székely's Z₂ rejects it;
    /// McNeil–Frey, which looks only at the exceedances, need not (documented).
    @Test(arguments: [0.99, 0.975])
    func acerbiSzekelyRejectsABadlyScaledForecast(confidence: Double) {
        for seed: UInt64 in [1, 2, 3] {
            let right = ValueAtRisk.studentT(volatility: 0.01, confidence: confidence, degreesOfFreedom: 5)
            let scaled = RiskForecast(
                valueAtRisk: 0.75 * right.valueAtRisk, expectedShortfall: 0.75 * right.expectedShortfall)
            let z2 = Self.backtest(scaled, Self.returns(seed: seed), confidence: confidence)
                .acerbiSzekely(bootstrapSamples: 199, seed: 5)
            #expect(z2.pValue < 0.01 && z2.meanResidual > 0.3, "seed \(seed): \(z2)")
        }
    }

    @Test func seededAndDefinedWithFewBreaches() {
        var backtest = ExpectedShortfallBacktest(confidence: 0.99)
        let f = RiskForecast(valueAtRisk: 0.02, expectedShortfall: 0.025)
        #expect(backtest.mcNeilFrey().pValue == 1)
        backtest.record(return: -0.03, forecast: f)
        backtest.record(return: 0.05, forecast: f)
        #expect(backtest.residuals.count == 1 && abs(backtest.residuals[0] - 0.2) < 1e-12)
        #expect(backtest.mcNeilFrey().pValue == 1)
        backtest.record(return: -0.021, forecast: f)
        backtest.record(return: -0.04, forecast: f)
        let a = backtest.mcNeilFrey(bootstrapSamples: 999, seed: 3)
        #expect(a == backtest.mcNeilFrey(bootstrapSamples: 999, seed: 3))
        #expect(a.pValue > 0 && a.pValue <= 1)
        #expect(a.breaches == 3)
        let z2 = backtest.acerbiSzekely(bootstrapSamples: 999, seed: 3)
        // Z₂ = (0.03 + 0.021 + 0.04)/0.025/(4·0.01) − 1 = 3.64/0.04 − 1 = 90.
        #expect(abs(z2.meanResidual - 90) < 1e-9)
    }
}
