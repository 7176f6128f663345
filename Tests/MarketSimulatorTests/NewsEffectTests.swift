import MarketSimulator
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Negative news precedes volatility; neutral news is noise. Measured on news with a published
/// sentiment, over the next `horizon` = 50 ticks of the news's first symbol (300 events), comparing
/// negative news (sentiment <= -0.3) with neutral news (|sentiment| <= 0.1), a few hundred of each.
@Suite struct NewsEffectTests {
    struct Measurement {
        /// Mean realised volatility after the news, in units of the symbol's base volatility.
        var negativeAfter: Double
        var neutralAfter: Double
        /// Mean log of (realised volatility after the news / realised volatility over the `horizon`
        /// ticks before it): the change the news brought, with the market's state at the time divided out.
        var negativeChange: Double
        var neutralChange: Double
    }

    static let horizon = 50

    static func measure(_ run: SimulatedRun) -> Measurement {
        var negative: (after: [Double], change: [Double]) = ([], [])
        var neutral: (after: [Double], change: [Double]) = ([], [])
        for mark in run.news {
            guard let sentiment = mark.sentiment else { continue }
            let series = run.series(mark.symbol)
            let instrument = run.configuration.instruments.first { $0.symbol == mark.symbol }!
            let before = (mark.tickIndex + 1 - horizon)..<(mark.tickIndex + 1)
            let after = (mark.tickIndex + 1)..<(mark.tickIndex + 1 + horizon)
            guard before.lowerBound >= 1, after.upperBound <= series.midReturns.count else { continue }
            let systematic = instrument.beta * run.configuration.marketVolatility
            let base =
                (systematic * systematic + instrument.idiosyncraticVolatility
                * instrument.idiosyncraticVolatility).squareRoot()
            let realisedAfter = rms(series.midReturns[after])
            let change = log(realisedAfter / rms(series.midReturns[before]))
            if sentiment <= -0.3 {
                negative.after.append(realisedAfter / base)
                negative.change.append(change)
            } else if abs(sentiment) <= 0.1 {
                neutral.after.append(realisedAfter / base)
                neutral.change.append(change)
            }
        }
        #expect(negative.after.count > 150 && neutral.after.count > 150, "too few news to compare")
        return Measurement(
            negativeAfter: mean(negative.after), neutralAfter: mean(neutral.after),
            negativeChange: mean(negative.change), neutralChange: mean(neutral.change))
    }

    /// With the default effects, volatility after negative news is about 1.45 times that after neutral
    /// news (four seeds: 1.43 to 1.50), and rises by about 0.33 in log terms against 0.00 to 0.02 for
    /// neutral news. The control below shows 1.04 and 0.00 without the mechanism, so the thresholds sit
    /// between the two with a wide margin each side.
    @Test func negativeNewsIsFollowedByHigherVolatility() {
        let m = Self.measure(.standard)
        #expect(m.negativeAfter > 1.2 * m.neutralAfter, "\(m)")
        #expect(m.negativeChange - m.neutralChange > 0.15, "\(m)")
    }

    /// The control: with the news effects switched off the same measurements show no gap, so the test
    /// above measures the news mechanism and not an artefact of how the windows are chosen.
    @Test func withoutNewsEffectsTheGapVanishes() {
        var configuration = SimulatedRun.standard.configuration
        configuration.newsStressRate = 0
        configuration.newsVolatilityShock = 0
        let m = Self.measure(SimulatedRun(configuration, events: SimulatedRun.standardEvents))
        #expect(abs(m.negativeAfter / m.neutralAfter - 1) < 0.12, "\(m)")
        #expect(abs(m.negativeChange - m.neutralChange) < 0.08, "\(m)")
    }
}
