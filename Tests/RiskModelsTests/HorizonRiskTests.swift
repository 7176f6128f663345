import Glibc
import RiskModels
import SeededRandom
import Testing

/// The time-grid variance and the horizon VaR: the estimator must see through bid/ask bounce and bursts,
/// and the horizon VaR must score non-overlapping windows on the realised return over each.
@Suite struct HorizonRiskTests {
    static let second: Int64 = 1_000_000_000

    /// A random walk with a known variance per second, observed every 100 ms through a mid that bounces
    /// by ±half a spread at random: the grid estimate stays within 15 % of the truth, while a tick-by-tick
    /// EWMA is dominated by the bounce.
    @Test func theGridEstimateSeesThroughBidAskBounce() {
        var rng = Xoshiro256(seed: 11)
        let sigmaPerSecond = 1e-4  // ≈ 24 % annualised over 5.9 M trading seconds
        let step = 0.1
        let bounce = 2e-5  // 0.2 bp either way, independent per print
        var grid = IntradayVariance(configuration: .init(samplingSeconds: 5, halfLifeSeconds: 1e6))
        var tickByTick = EWMAVolatility(lambda: 0.999, warmupReturns: 20)
        var logPrice = log(100.0)
        for i in 0..<200_000 {
            logPrice += sigmaPerSecond * step.squareRoot() * rng.nextGaussian()
            let noisy = exp(logPrice + bounce * (rng.nextUnitDouble() < 0.5 ? -1 : 1))
            let ts = Int64(i) * Self.second / 10
            grid.observe(price: noisy, at: ts)
            tickByTick.observe(price: noisy, at: ts)
        }
        let truth = sigmaPerSecond * sigmaPerSecond
        let estimate = grid.perSecondVariance!
        #expect(abs(estimate / truth - 1) < 0.15, "grid estimate \(estimate) against \(truth)")
        let naive = tickByTick.perEventVariance / tickByTick.meanInterval
        #expect(naive / truth > 1.5, "the bounce should dominate tick by tick: \(naive) against \(truth)")
    }

    /// A burst of prints in one millisecond is at most one sample; unchanged prices are zero returns of
    /// the time they took, so a market that stops moving reads as calmer.
    @Test func burstsAreOneSampleAndUnchangedPricesCalmTheEstimate() {
        var v = IntradayVariance(configuration: .init(samplingSeconds: 5, halfLifeSeconds: 60, warmupSamples: 2))
        v.observe(price: 100, at: 0)
        for k in 0..<100 { v.observe(price: 100 + Double(k % 3) * 0.01, at: 5 * Self.second + Int64(k)) }
        #expect(v.sampleCount == 1)
        v.observe(price: 101, at: 10 * Self.second)
        let moving = v.perSecondVariance!
        var ts = 10 * Self.second
        for _ in 0..<60 {
            ts += 5 * Self.second
            v.observe(price: 101, at: ts)
        }
        #expect(v.sampleCount == 62)
        #expect(v.perSecondVariance! < moving / 4)
    }

    /// Hand-checked: samples at 0, 5 s and 10 s with returns +1 % and −1 % over 5 s each, no decay to
    /// speak of: q = (0.01² / 5 + 0.01² / 5) / 2 = 2e-5, c = (0.01 · −0.01 / 5) / 1 = −2e-5, so q + 2c is
    /// negative and the floor q / 4 = 5e-6 holds.
    @Test func theKernelCorrectionIsFloored() throws {
        var v = IntradayVariance(configuration: .init(samplingSeconds: 5, halfLifeSeconds: 1e12, warmupSamples: 2))
        v.observe(price: 100, at: 0)
        v.observe(price: 100 * exp(0.01), at: 5 * Self.second)
        v.observe(price: 100, at: 10 * Self.second)
        let variance = try #require(v.perSecondVariance)
        #expect(abs(variance - 5e-6) < 1e-12)
        #expect(v.isWarm)
    }

    /// Windows of 60 s: scored on the last price before each end, with the forecast made at its start.
    @Test func windowsAreScoredOnTheirOwnReturn() {
        var h = HorizonVaR(horizonSeconds: 60, confidence: 0.99)
        let variance = 1e-8  // σ over 60 s = √6e-7 ≈ 7.7e-4; 99 % VaR ≈ 18 bp
        #expect(h.observe(price: 100, at: 0, perSecondVariance: nil).scored == nil)  // not warm: no window
        _ = h.observe(price: 100, at: 1 * Self.second, perSecondVariance: variance)  // window [1 s, 61 s)
        let expectedVaR = 2.3263478740408408 * (variance * 60).squareRoot()
        #expect(abs(h.forecast!.valueAtRisk - expectedVaR) < 1e-9)
        _ = h.observe(price: 99.9, at: 30 * Self.second, perSecondVariance: variance)
        _ = h.observe(price: 99.7, at: 60 * Self.second, perSecondVariance: variance)
        let outcome = h.observe(price: 100.5, at: 61 * Self.second, perSecondVariance: variance)
        let scored = outcome.scored
        #expect(scored != nil)
        #expect(abs((scored?.realizedReturn ?? 0) - log(99.7 / 100)) < 1e-12)
        #expect(scored?.breached == true, "−30 bp is beyond an 18 bp VaR")
        #expect(h.backtest.recentBreaches == 1 && h.backtest.recentObservations == 1)
        // The next window started at 61 s from 99.7; 100.5 is a gain, no breach at 121 s.
        let next = h.observe(price: 100.4, at: 121 * Self.second, perSecondVariance: variance)
        #expect(next.scored?.breached == false)
        #expect(abs((next.scored?.realizedReturn ?? 0) - log(100.5 / 99.7)) < 1e-12)
        // A gap of more than a window: nothing scored for the empty windows, the next starts at the price.
        let afterGap = h.observe(price: 90, at: 1_000 * Self.second, perSecondVariance: variance)
        #expect(afterGap.scored != nil && afterGap.extreme == nil)
        #expect(h.windowStart == 1_000 * Self.second)
        #expect(h.backtest.recentObservations == 3)
    }

    /// A crash inside a window is reported once, as soon as the loss reaches 3 × VaR.
    @Test func anExtremeMoveIsReportedAtOnceAndOnce() {
        var h = HorizonVaR(horizonSeconds: 60, confidence: 0.99, extremeMultiple: 3)
        let variance = 1e-8
        _ = h.observe(price: 100, at: 0, perSecondVariance: variance)
        let threshold = 3 * h.forecast!.valueAtRisk
        var reported: [Double] = []
        var price = 100.0
        for s in 1...30 {
            price *= exp(-0.001)  // 10 bp a second
            if let e = h.observe(price: price, at: Int64(s) * Self.second, perSecondVariance: variance).extreme {
                reported.append(e.elapsedSeconds)
                #expect(e.loss >= threshold)
            }
        }
        #expect(reported.count == 1)
        #expect(reported.first == ceil(threshold / 0.001 - 1e-9), "\(reported), threshold \(threshold)")
    }

    /// Under the model it assumes (normal returns of known variance), the 99 % one-minute VaR is breached
    /// by about 1 % of windows: within a 99.9 % binomial interval over 20,000 windows.
    @Test func breachesMatchTheConfidenceUnderTheModel() {
        var rng = Xoshiro256(seed: 5)
        let variance = 4e-9
        var h = HorizonVaR(horizonSeconds: 60, confidence: 0.99, backtestWindow: 1_000_000)
        var logPrice = 0.0
        for i in 0...(20_000 * 6) {
            _ = h.observe(price: exp(logPrice), at: Int64(i) * 10 * Self.second, perSecondVariance: variance)
            logPrice += (variance * 10).squareRoot() * rng.nextGaussian()
        }
        let n = Double(h.backtest.recentObservations)
        let breaches = Double(h.backtest.recentBreaches)
        let sd = (n * 0.01 * 0.99).squareRoot()
        #expect(n >= 19_999)
        #expect(abs(breaches - 0.01 * n) < 3.3 * sd, "\(breaches) breaches in \(n) windows")
    }

    @Test func horizonsAreLabelledAsADeskWritesThem() {
        #expect([30, 60, 90, 3_600, 23_400, 86_400].map { HorizonVaR.label(seconds: $0) } == ["30s", "1m", "1.5m", "1h", "6.5h", "1d"])
    }
}
