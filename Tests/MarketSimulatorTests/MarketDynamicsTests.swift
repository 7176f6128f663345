import MarketSimulator
import Testing

/// Statistical properties of the simulated market, measured on seeded runs. Tolerances are several
/// standard errors wide for the run lengths used, and far narrower than the effect each test guards.
@Suite struct MarketDynamicsTests {
    static let stocks = ["AAPL", "MSFT", "TSLA", "JPM", "XOM"]

    /// Regressing a stock's mid returns on the index's recovers its beta, and the correlation matches
    /// the one-factor value `β σ_M / √(β² σ_M² + σ_i²)`. With 60 000 steps the slope's standard error is
    /// about 0.01 to 0.03 (idiosyncratic to market volatility ratio over √n, fattened by jumps and
    /// stochastic volatility), so ±0.1 is a wide margin that still catches a wrong or missing loading;
    /// jumps and tick rounding pull the correlation slightly down, hence ±0.08.
    @Test(arguments: stocks)
    func returnsLoadOnTheIndexWithTheConfiguredBeta(symbol: String) throws {
        let run = SimulatedRun.standard
        let configuration = run.configuration
        let instrument = try #require(configuration.instruments.first { $0.symbol == symbol })
        let stock = Array(run.series(symbol).midReturns.dropFirst())
        let index = Array(run.series("SPX").midReturns.dropFirst())
        let n = min(stock.count, index.count)
        let (x, y) = (index[..<n], stock[..<n])
        let mx = mean(x)
        let my = mean(y)
        var sxy = 0.0
        var sxx = 0.0
        var syy = 0.0
        for k in 0..<n {
            sxy += (x[k] - mx) * (y[k] - my)
            sxx += (x[k] - mx) * (x[k] - mx)
            syy += (y[k] - my) * (y[k] - my)
        }
        let slope = sxy / sxx
        let correlation = sxy / (sxx * syy).squareRoot()
        let systematic = instrument.beta * configuration.marketVolatility
        let expected =
            systematic
            / (systematic * systematic + instrument.idiosyncraticVolatility
            * instrument.idiosyncraticVolatility).squareRoot()
        #expect(abs(slope - instrument.beta) < 0.1, "\(symbol): slope \(slope) vs beta \(instrument.beta)")
        #expect(correlation > 0.3, "\(symbol): correlation \(correlation)")
        #expect(abs(correlation - expected) < 0.08, "\(symbol): correlation \(correlation) vs \(expected)")
    }

    /// Realised volatility by ground-truth regime: the configured multipliers are 0.6 and 2.5, so stress
    /// should be about four times calm; requiring 2.5 times leaves room for the log-volatility noise.
    /// Returns standardised by the ground-truth volatility have unit scale (jumps fatten it a little).
    @Test(arguments: ["SPX"] + stocks)
    func stressIsMoreVolatileThanCalm(symbol: String) {
        let s = SimulatedRun.standard.series(symbol)
        let calm = s.midReturns.indices.filter { $0 > 0 && s.regimes[$0] == .calm }
        let stressed = s.midReturns.indices.filter { $0 > 0 && s.regimes[$0] == .stressed }
        #expect(calm.count > 2_000 && stressed.count > 2_000, "\(symbol): regimes too rare to compare")
        let ratio = rms(stressed.map { s.midReturns[$0] }) / rms(calm.map { s.midReturns[$0] })
        #expect(ratio > 2.5, "\(symbol): stressed / calm realised volatility \(ratio)")

        let standardised = s.midReturns.indices.dropFirst().map { s.midReturns[$0] / s.trueVolatilities[$0] }
        let scale = rms(standardised)
        #expect(scale > 0.9 && scale < 1.2, "\(symbol): returns / true volatility has scale \(scale)")
    }

    /// Liquidity and activity follow volatility: spreads widen, books thin, events come faster.
    @Test(arguments: ["SPX"] + stocks)
    func stressWidensSpreadsThinsBooksAndSpeedsTrading(symbol: String) {
        let s = SimulatedRun.standard.series(symbol)
        func average(_ values: [Double], in regime: Regime) -> Double {
            mean(values.indices.lazy.filter { s.regimes[$0] == regime }.map { values[$0] })
        }
        let spreadRatio = average(s.spreadBasisPoints, in: .stressed) / average(s.spreadBasisPoints, in: .calm)
        let depthRatio = average(s.depths, in: .stressed) / average(s.depths, in: .calm)
        let spacingRatio = average(s.spacings, in: .stressed) / average(s.spacings, in: .calm)
        #expect(spreadRatio > 2, "\(symbol): stressed / calm spread \(spreadRatio)")
        #expect(depthRatio < 0.5, "\(symbol): stressed / calm depth \(depthRatio)")
        #expect(spacingRatio < 0.5, "\(symbol): stressed / calm event spacing \(spacingRatio)")
    }

    /// Jumps are far more frequent in stress (configured 0.005 against 0.0002 per draw).
    @Test func jumpsClusterInStress() {
        let steps = SimulatedRun.standard.stepJumps
        func rate(_ regime: Regime) -> Double {
            let selected = steps.filter { $0.regime == regime }
            return Double(selected.reduce(0) { $0 + $1.jumps }) / Double(selected.count)
        }
        #expect(rate(.stressed) > 5 * rate(.calm), "stressed \(rate(.stressed)), calm \(rate(.calm))")
    }

    /// The ground-truth jump count matches the configured probability (one draw for the market factor
    /// and one per non-index symbol each step; 10 000 steps, 4 binomial standard deviations), and jumps
    /// show in prices where they were drawn. A 6-sigma normal move has odds of 2e-9, so returns beyond
    /// six true standard deviations are jumps: on the index they are factor jumps; on a stock, after
    /// removing `β ×` the index return, what is left is the idiosyncratic part (the index has no
    /// noise of its own), whose true volatility is `√(σ_stock² − β² σ_index²)`. With jumps of
    /// standard deviation 0.05 most of them (about 60% to 95%, by symbol and regime) clear that bar.
    @Test(arguments: [0, 0.005, 0.02])
    func jumpsOccurAtTheConfiguredRate(probability: Double) {
        var configuration = SimulatorConfiguration.standard(seed: 5)
        for regime in Regime.allCases { configuration[regime].jumpProbability = probability }
        configuration.jumpStandardDeviation = 0.05
        configuration.newsProbability = 0
        let run = SimulatedRun(configuration, events: 60_000)
        let steps = Double(run.stepJumps.count)
        let expected = steps * Double(configuration.instruments.count) * probability
        let counted = Double(run.stepJumps.reduce(0) { $0 + $1.jumps })
        #expect(abs(counted - expected) <= 4 * expected.squareRoot(), "counted \(counted), expected \(expected)")

        let index = run.series("SPX")
        let expectedPerSeries = steps * probability
        for instrument in configuration.instruments {
            let series = run.series(instrument.symbol)
            var outliers = 0
            for k in series.midReturns.indices.dropFirst() {
                let systematic = instrument.beta * index.trueVolatilities[k]
                let own =
                    instrument.symbol == "SPX"
                    ? index.trueVolatilities[k]
                    : (series.trueVolatilities[k] * series.trueVolatilities[k] - systematic * systematic).squareRoot()
                let residual =
                    instrument.symbol == "SPX"
                    ? index.midReturns[k]
                    : series.midReturns[k] - instrument.beta * index.midReturns[k]
                if abs(residual) > 6 * own { outliers += 1 }
            }
            let detected = Double(outliers)
            let plausible =
                probability == 0
                ? outliers == 0 : detected >= 0.4 * expectedPerSeries && detected <= 1.2 * expectedPerSeries
            #expect(plausible, "\(instrument.symbol): \(outliers) outliers, \(expectedPerSeries) jumps expected")
        }
    }
}
