import MarketSimulator
import Testing

@Suite struct NewsEffectTests {
    /// Mean realised volatility of the news's first symbol over its next `horizon` ticks, in units of
    /// the symbol's base volatility, for negative (sentiment <= -0.3) and neutral (|sentiment| <= 0.1)
    /// news with a published sentiment.
    static func volatilityAfterNews(_ run: SimulatedRun, horizon: Int) -> (negative: Double, neutral: Double) {
        var negative: [Double] = []
        var neutral: [Double] = []
        for mark in run.news {
            guard let sentiment = mark.sentiment, let series = Optional(run.series(mark.symbol)),
                let instrument = run.configuration.instruments.first(where: { $0.symbol == mark.symbol })
            else { continue }
            let window = (mark.tickIndex + 1)..<(mark.tickIndex + 1 + horizon)
            guard window.upperBound <= series.midReturns.count else { continue }
            let systematic = instrument.beta * run.configuration.marketVolatility
            let base = (systematic * systematic + instrument.idiosyncraticVolatility
                * instrument.idiosyncraticVolatility).squareRoot()
            let realised = rms(series.midReturns[window]) / base
            if sentiment <= -0.3 { negative.append(realised) }
            if abs(sentiment) <= 0.1 { neutral.append(realised) }
        }
        return (mean(negative), mean(neutral))
    }

    /// Negative news precedes volatility: over the next 50 ticks of the symbol (300 events), realised
    /// volatility after negative news is well above that after neutral news.
    @Test func negativeNewsIsFollowedByHigherVolatility() {
        let (negative, neutral) = Self.volatilityAfterNews(.standard, horizon: 50)
        #expect(negative > 1.3 * neutral, "after negative news \(negative), after neutral news \(neutral)")
    }

    /// The control: with the news effects switched off the same measurement shows no gap, so the test
    /// above measures the news mechanism and not an artefact of how the windows are chosen.
    @Test func withoutNewsEffectsTheGapVanishes() {
        var configuration = SimulatedRun.standard.configuration
        configuration.newsStressRate = 0
        configuration.newsVolatilityShock = 0
        let run = SimulatedRun(configuration, events: 360_000)
        let (negative, neutral) = Self.volatilityAfterNews(run, horizon: 50)
        #expect(abs(negative / neutral - 1) < 0.15, "after negative news \(negative), after neutral news \(neutral)")
    }
}
