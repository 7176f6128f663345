import MarketEvents
import MarketSimulator
import Testing

@Suite struct WireContractTests {
    static let configurations: [String: SimulatorConfiguration] = {
        var custom = SimulatorConfiguration.symbols(
            ["ES", "NVDA", "A", "BRK.B", "A_SYMBOL_LONGER_THAN_FIFTEEN_BYTES"], seed: 4)
        custom.newsProbability = 0.05
        custom.sentimentOmittedFraction = 0.5
        custom.marketNewsFraction = 0.5

        // Extreme corners: sub-tick prices, an integer tick, a tick whose reciprocal is not whole,
        // no index (market news tagged with every symbol), violent stress and 1 ns spacing.
        var extreme = SimulatorConfiguration(
            instruments: [
                .init(symbol: "PENNY", initialPrice: 0.03, idiosyncraticVolatility: 0.05, spreadBasisPoints: 100),
                .init(symbol: "BIG", initialPrice: 20_000, beta: 2, tickSize: 5, spreadBasisPoints: 0),
                .init(symbol: "ODD", initialPrice: 7, beta: -0.5, tickSize: 0.003),
            ],
            seed: 9)
        extreme.stressed.volatilityMultiplier = 10
        extreme.stressed.jumpProbability = 0.2
        extreme.jumpStandardDeviation = 0.2
        extreme.meanEventSpacingNanoseconds = 1
        extreme.newsProbability = 0.2
        extreme.sentimentOmittedFraction = 1
        extreme.newsStressRate = 0.05
        return ["standard": .standard(seed: 3), "custom symbols": custom, "extreme": extreme]
    }()

    @Test(arguments: ["standard", "custom symbols", "extreme"])
    func everyEventSatisfiesTheWireContract(name: String) throws {
        let configuration = try #require(Self.configurations[name])
        var simulator = MarketSimulator(configuration: configuration)
        let ticks = Dictionary(uniqueKeysWithValues: configuration.instruments.map { ($0.symbol, $0.tickSize) })
        var previousTs: Int64?
        var newsIDs = Set<String>()
        var newsCount = 0
        var omitted = 0
        var violations: [String] = []
        func check(_ ok: Bool, _ what: @autoclosure () -> String) {
            if !ok && violations.count < 10 { violations.append(what()) }
        }
        for _ in 0..<100_000 {
            let event = simulator.next()
            switch event {
            case .tick(let t):
                check(t.seq == nil, "seq set: \(t)")
                check(t.price.isFinite && t.price > 0, "bad price: \(t)")
                guard let bid = t.bid, let ask = t.ask, let size = t.size, let bidSize = t.bidSize,
                    let askSize = t.askSize, let tickSize = ticks[t.symbol]
                else {
                    check(false, "missing field or unknown symbol: \(t)")
                    continue
                }
                check(bid.isFinite && ask.isFinite && bid > 0 && bid < ask, "bad quote: \(t)")
                check(t.price == bid || t.price == ask, "trade off the quote: \(t)")
                for x in [size, bidSize, askSize] { check(x.isFinite && x >= 0, "bad size: \(t)") }
                for x in [bid, ask] {
                    let units = x / tickSize
                    check(abs(units - units.rounded()) < 1e-6 * max(1, units), "off the tick grid: \(t)")
                }
                check(isWireSymbol(t.symbol), "bad symbol: \(t)")
                check(previousTs.map { t.ts > $0 } ?? (t.ts == configuration.startTimestamp), "ts: \(t)")
                previousTs = t.ts
            case .news(let n):
                newsCount += 1
                check(!n.symbols.isEmpty && n.symbols.allSatisfy { ticks[$0] != nil }, "bad symbols: \(n)")
                check(!n.headline.isEmpty && n.source != nil, "missing headline or source: \(n)")
                check(n.id.map { newsIDs.insert($0).inserted } ?? false, "missing or repeated id: \(n)")
                if let s = n.sentiment { check(s.isFinite && s >= -1 && s <= 1, "bad sentiment: \(n)") }
                if n.sentiment == nil { omitted += 1 }
                check(previousTs.map { n.ts > $0 } ?? (n.ts == configuration.startTimestamp), "ts: \(n)")
                previousTs = n.ts
            default:
                check(false, "unexpected event: \(event)")
            }
            check(event.key.map(isWireSymbol) ?? false, "bad topic key: \(event)")
        }
        #expect(violations.isEmpty, "\(name): \(violations)")
        // News count and omitted-sentiment share match the configuration (binomial, > 5 sigma slack).
        let expectedNews = 100_000 * configuration.newsProbability
        #expect(abs(Double(newsCount) - expectedNews) <= 5 * expectedNews.squareRoot() + 5)
        let expectedOmitted = Double(newsCount) * configuration.sentimentOmittedFraction
        #expect(abs(Double(omitted) - expectedOmitted) <= 5 * expectedOmitted.squareRoot() + 5)
    }

    /// Headlines use finance words whose tone agrees with the published sentiment.
    @Test func headlineToneMatchesSentiment() {
        var configuration = SimulatorConfiguration.standard(seed: 11)
        configuration.newsProbability = 0.5
        configuration.sentimentOmittedFraction = 0
        var simulator = MarketSimulator(configuration: configuration)
        let negativeWords = [
            "plunge", "downgrade", "probe", "misses", "concerns", "slump", "slide", "sell-off",
            "tumble", "panic",
        ]
        let positiveWords = ["beats", "upgrade", "rallies", "surge", "gains", "rally", "lifts", "cheer"]
        var seen = (negative: 0, positive: 0, neutral: 0)
        for _ in 0..<4_000 {
            guard case .news(let n) = simulator.next(), let s = n.sentiment else { continue }
            let text = n.headline.lowercased()
            let negative = negativeWords.contains { text.contains($0) }
            let positive = positiveWords.contains { text.contains($0) }
            if s <= -0.3 {
                seen.negative += 1
                #expect(negative && !positive, "\(n.headline) with sentiment \(s)")
            } else if s >= 0.3 {
                seen.positive += 1
                #expect(positive && !negative, "\(n.headline) with sentiment \(s)")
            } else {
                seen.neutral += 1
                #expect(!positive && !negative && abs(s) <= 0.1, "\(n.headline) with sentiment \(s)")
            }
        }
        #expect(seen.negative > 100 && seen.positive > 100 && seen.neutral > 100)
    }
}

/// The wire contract's symbol rule: 1...64 printable ASCII bytes, no whitespace.
func isWireSymbol(_ s: String) -> Bool {
    let bytes = s.utf8
    return !bytes.isEmpty && bytes.count <= 64 && bytes.allSatisfy { $0 > 0x20 && $0 < 0x7F }
}
