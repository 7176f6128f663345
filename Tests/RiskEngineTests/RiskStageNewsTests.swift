import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// News through the engine over real sockets: the feed's sentiment wins over the lexicon, market news
/// reaches every symbol's features, and a news shock decays on event time.
@Suite struct RiskStageNewsTests {
    static let grim = "Regulator opens fraud probe as shares plunge on losses"

    /// Fifty seconds of calm ticks on each symbol.
    static func calm(_ symbols: [String], seconds: Int = 50, seed: UInt64 = 2) -> [WireEvent] {
        var rng = Xoshiro256(seed: seed)
        var mids = symbols.map { _ in 100.0 }
        var events: [WireEvent] = []
        for i in 0..<seconds {
            for (k, symbol) in symbols.enumerated() {
                mids[k] *= exp(1e-4 * rng.nextGaussian())
                events.append(Tape.tick(symbol, ms: Int64(i + 1) * 1_000 + Int64(k), mid: mids[k], seq: UInt64(i + 1)))
            }
        }
        return events
    }

    /// The same grim headline with a positive sentiment from the feed raises nothing, and without one
    /// (the control) raises `news_shock` from the lexicon; a negative feed sentiment on a cheerful
    /// headline raises it with the feed's value.
    @Test func aFeedSentimentIsUsedAsGiven() throws {
        let harness = try EngineHarness.risk()
        try harness.send(Self.calm(["ACME", "GLOBEX", "INITECH"]))
        let at = Tape.ts(50_500)
        try harness.send(.news(News(id: "a", ts: at, symbols: ["ACME"], headline: Self.grim, sentiment: 0.8)))
        try harness.send(.news(News(id: "g", ts: at, symbols: ["GLOBEX"], headline: Self.grim)))
        try harness.send(
            .news(
                News(
                    id: "i", ts: at, symbols: ["INITECH"],
                    headline: "INITECH posts record profit and raises its dividend",
                    sentiment: -0.9)))
        try harness.sync()
        let shocks = harness.streamAlerts.filter { $0.kind == .newsShock }
        #expect(!shocks.contains { $0.symbol == "ACME" }, "\(shocks)")

        let lexicon = try #require(shocks.first { $0.symbol == "GLOBEX" }, "the headline alone reads as negative")
        #expect(lexicon.state == .raised)
        #expect(lexicon.drivers.contains { $0.feature.hasPrefix("word:") }, "\(lexicon.drivers)")

        let given = try #require(shocks.first { $0.symbol == "INITECH" })
        #expect(given.state == .raised && given.severity == .warning)
        #expect(given.eventTs == at)
        #expect(abs(given.value - 0.9) < 1e-12)
        #expect(given.drivers.first == Alert.Driver(feature: "sentiment", contribution: -0.9), "\(given.drivers)")
        #expect(!given.drivers.contains { $0.feature.hasPrefix("word:") }, "no lexicon when the feed scores it")
    }

    /// Everything one engine says about an index and a stock with one bad news item at 150 s naming
    /// `newsSymbols`, and ACME's snapshot afterwards. ACME's SGD is its own (`per_symbol`), so it learns
    /// only from ACME's rows.
    static func marketNews(naming newsSymbols: [String]) throws -> (alerts: [Alert], acme: RiskSnapshot) {
        let harness = try EngineHarness.risk {
            $0.publish.riskSnapshotMilliseconds = 50
            $0.learning.referenceSymbol = "IDX"
            $0.learning.horizonEvents = 10
            $0.learning.models = [.init(name: "sgd", kind: .sgd, scope: .perSymbol)]
        }
        let tape = Tape.pairs(betas: [("ACME", 1.2)], seconds: 300, seed: 5)
        for event in tape.events {
            try harness.send(event)
            if case .tick(let t) = event, t.symbol == "ACME", t.ts == Tape.ts(150_001) {
                try harness.send(
                    .news(News(ts: t.ts + 1, symbols: newsSymbols, headline: "Central bank shock", sentiment: -0.8)))
            }
        }
        let acme = try #require(try harness.snapshot(of: "ACME"))
        return (harness.streamAlerts, acme)
    }

    /// Market news (naming the reference symbol) reaches ACME's features: ACME's own model learns
    /// something different from the same stream with the news naming an unrelated symbol. The news
    /// shock itself is raised only on the symbol the news names.
    @Test func marketNewsReachesEverySymbolsFeatures() throws {
        let market = try Self.marketNews(naming: ["IDX"])
        let elsewhere = try Self.marketNews(naming: ["ZZZ"])
        #expect(market.alerts.filter { $0.kind == .newsShock && $0.state == .raised }.map(\.symbol) == ["IDX"])
        #expect(elsewhere.alerts.filter { $0.kind == .newsShock && $0.state == .raised }.map(\.symbol) == ["ZZZ"])
        func forecast(_ s: RiskSnapshot, _ model: String) -> Double? { s.models.first { $0.model == model }?.forecast }
        #expect(forecast(market.acme, "ewma") == forecast(elsewhere.acme, "ewma"), "the same prices either way")
        let learned = try #require(forecast(market.acme, "sgd"))
        #expect(learned.isFinite)
        #expect(learned != forecast(elsewhere.acme, "sgd"), "ACME's model saw the market news")
    }

    /// A sentiment of −1 raises a warning news shock (threshold 0.5, clear level 0.25 with the 50 %
    /// hysteresis); with a 30 s half-life it decays below 0.25 after 60 s of event time, and the first
    /// tick past that clears it.
    @Test func aNewsShockDecaysAndClearsAsEventTimePasses() throws {
        let harness = try EngineHarness.risk { $0.risk.newsHalfLifeSeconds = 30 }
        let ticks = Self.calm(["ACME"], seconds: 130)
        try harness.send(Array(ticks.prefix(50)))
        let at = Tape.ts(50_500)
        try harness.send(.news(News(ts: at, symbols: ["ACME"], headline: "ACME update", sentiment: -1)))
        try harness.send(Array(ticks.dropFirst(50)))
        try harness.sync()
        let shocks = harness.streamAlerts.filter { $0.kind == .newsShock }
        try #require(shocks.count == 2, "\(shocks.map { ($0.state, $0.value, $0.eventTs - Tape.start) })")
        #expect(shocks[0].state == .raised && shocks[0].severity == .warning && shocks[0].eventTs == at)
        #expect(abs(shocks[0].value - 1) < 1e-12)
        #expect(shocks[1].state == .cleared)
        // 59.5 s after the news the shock is 2^(−59.5/30) ≈ 0.253; 60.5 s after, ≈ 0.247.
        #expect(shocks[1].eventTs == Tape.ts(111_000), "\(shocks[1].eventTs - Tape.start)")
        #expect(abs(shocks[1].value - exp2(-60.5 / 30)) < 1e-9)
        #expect(abs(shocks[1].threshold - 0.25) < 1e-12)
    }
}
