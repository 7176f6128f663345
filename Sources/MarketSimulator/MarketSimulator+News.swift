import MarketEvents

// News generation: headlines from small template lists whose words agree with the sentiment's sign,
// and the hidden effect of negative news on the market.

extension MarketSimulator {
    enum Tone: Int {
        case negative, neutral, positive
    }

    /// Draws one news item and applies its effect: negative informative news adds stress pressure
    /// (fully for market news, `symbolNewsMarketWeight` of it for symbol news) and shocks the named
    /// symbol's idiosyncratic volatility. Neutral and positive news leave the market alone.
    /// Always nine draws, so the stream's alignment never depends on the news content.
    mutating func makeNews(ts: Int64) -> News {
        let c = configuration
        newsCount += 1
        let isMarket = generator.nextUnitDouble() < c.marketNewsFraction
        let target = Int(generator.next() % UInt64(instruments.count))
        let toneDraw = generator.nextUnitDouble()
        let magnitude = generator.nextUnitDouble()
        let templateDraw = generator.next()
        let sourceDraw = generator.next()
        let omitted = generator.nextUnitDouble() < c.sentimentOmittedFraction
        let informativeShare = (1 - c.neutralNewsFraction) / 2
        let tone: Tone =
            toneDraw < informativeShare ? .negative : (toneDraw < 1 - informativeShare ? .positive : .neutral)
        let sentiment: Double
        switch tone {
        case .negative: sentiment = -(0.3 + 0.7 * magnitude)
        case .positive: sentiment = 0.3 + 0.7 * magnitude
        case .neutral: sentiment = 0.2 * (magnitude - 0.5)
        }
        let figure = 1 + Int(generator.next() % 40)

        let tagged: [String]
        let headline: String
        if isMarket {
            tagged = c.indexSymbol.map { [$0] } ?? symbols
            let templates = NewsTemplates.market[tone.rawValue]
            headline = templates[Int(templateDraw % UInt64(templates.count))]
        } else {
            let symbol = symbols[target]
            tagged = [symbol]
            let templates = NewsTemplates.company[tone.rawValue]
            let (prefix, suffix) = templates[Int(templateDraw % UInt64(templates.count))]
            headline = prefix + symbol + suffix
        }
        if tone == .negative {
            let strength = -sentiment
            if isMarket {
                stressPressure += strength
            } else {
                stressPressure += strength * c.symbolNewsMarketWeight
                instruments[target].shock += strength * c.newsVolatilityShock
            }
            if recordsGroundTruth {
                let multiplier = isMarket ? 1 : 1 + instruments[target].shock
                record(ts, .negativeNews(symbols: tagged, sentiment: sentiment, volatilityMultiplier: multiplier))
            }
        }
        let body: String
        switch tone {
        case .negative: body = "Analysts see downside of up to \(figure)% as risks mount."
        case .positive: body = "Analysts see upside of up to \(figure)% on improving fundamentals."
        case .neutral: body = "No change to forecasts; \(figure) analysts cover the story."
        }
        return News(
            id: "sim-\(String(c.seed, radix: 16))-\(newsCount)", ts: ts, symbols: tagged, headline: headline,
            body: body, source: NewsTemplates.sources[Int(sourceDraw % UInt64(NewsTemplates.sources.count))],
            sentiment: omitted ? nil : sentiment)
    }
}

/// Headline templates, indexed by `Tone.rawValue` (negative, neutral, positive). Company templates are
/// `(prefix, suffix)` around the symbol.
enum NewsTemplates {
    static let company: [[(String, String)]] = [
        [
            ("", " shares plunge after profit warning"),
            ("", " downgraded to sell as guidance is cut"),
            ("Regulators open fraud probe into ", ""),
            ("", " misses earnings estimates, outlook weak"),
            ("Credit concerns weigh on ", " as losses widen"),
            ("", " slumps on product recall and lawsuit"),
        ],
        [
            ("", " to present at industry conference"),
            ("", " schedules quarterly earnings call"),
            ("", " announces annual shareholder meeting date"),
            ("", " files routine quarterly report"),
        ],
        [
            ("", " beats earnings estimates and raises guidance"),
            ("", " upgraded to buy on strong demand"),
            ("", " rallies on record revenue"),
            ("", " surges after announcing share buyback"),
            ("", " gains as profit margins improve"),
        ],
    ]

    static let market: [[String]] = [
        [
            "Stocks slide as recession fears mount",
            "Market sell-off deepens after inflation surprise",
            "Equities tumble as central bank signals more rate hikes",
            "Banking turmoil sparks broad market panic",
        ],
        [
            "Markets await central bank minutes",
            "Trading volumes steady ahead of holiday",
            "Index rebalance scheduled for month end",
        ],
        [
            "Stocks rally as inflation cools",
            "Equities surge on rate-cut hopes",
            "Strong jobs report lifts markets to record highs",
            "Investors cheer upbeat earnings season",
        ],
    ]

    static let sources = ["SimWire", "Market Pulse", "Street Desk"]
}
