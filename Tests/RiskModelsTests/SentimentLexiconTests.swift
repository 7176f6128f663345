import Glibc
import MarketEvents
import RiskModels
import Testing

@Suite struct NewsTokenizerTests {
    @Test func lowercasesSplitsHyphensKeepsApostrophesAndDropsNumbers() {
        let words = NewsTokenizer.words(in: "ACME's Q3 Write-Down: CEO doesn’t see 2024 cuts; Ünïcode ÉTÉ")
        #expect(words == ["acme", "q3", "write", "down", "ceo", "doesn't", "see", "cuts", "ünïcode", "été"])
    }

    @Test func marksClauseBreaks() {
        let tokens = NewsTokenizer.tokens(in: "Shares fall, but outlook (new) holds")
        #expect(tokens.map(\.text) == ["shares", "fall", "but", "outlook", "new", "holds"])
        #expect(tokens.map(\.startsClause) == [true, false, true, false, true, true])
    }

    @Test func apostropheOutsideAWordSeparates() {
        #expect(NewsTokenizer.words(in: "'quoted' rock'n'roll o'") == ["quoted", "rock'n'roll", "o"])
    }
}

@Suite struct SentimentLexiconTests {
    let lexicon = SentimentLexicon.builtIn

    @Test func builtInLexiconIsLargeAndInRange() {
        #expect(lexicon.count >= 300)
        #expect(lexicon.scores.values.allSatisfy { $0 >= -1 && $0 <= 1 })
        #expect(lexicon.score(ofTerm: "Fraud") == -0.95)
        #expect(lexicon.score(ofTerm: "profit  warning") == -0.85)
    }

    @Test(arguments: [
        "Regulator opens fraud probe into ACME",
        "ACME plunges after profit warning",
        "ACME downgraded to underperform at Big Bank",
        "ACME recalls 40,000 vehicles over defective brakes",
        "ACME fails to win approval for its new drug",
        "ACME files for bankruptcy protection",
        "ACME CEO resigns amid accounting irregularities",
    ])
    func negativeHeadlines(_ headline: String) {
        #expect(lexicon.score(headline: headline) < -0.3, "\(lexicon.analyze(headline: headline))")
    }

    @Test(arguments: [
        "ACME beats estimates, raises guidance",
        "ACME shares surge on record revenue",
        "ACME upgraded to outperform; buyback announced",
        "ACME wins regulatory approval for new drug",
        "ACME announces takeover bid for Widget Co",
    ])
    func positiveHeadlines(_ headline: String) {
        #expect(lexicon.score(headline: headline) > 0.3, "\(lexicon.analyze(headline: headline))")
    }

    @Test(arguments: [
        "ACME to hold annual shareholder meeting on Tuesday",
        "ACME names new chief financial officer",
        "ACME opens office in Lisbon",
    ])
    func neutralHeadlinesScoreZero(_ headline: String) {
        #expect(abs(lexicon.score(headline: headline)) < 0.05, "\(lexicon.analyze(headline: headline))")
    }

    @Test(arguments: [
        "ACME does not expect layoffs",
        "ACME doesn't expect layoffs",
        "ACME rules out layoffs",
        "ACME sees no fraud",
    ])
    func negatedNegativeIsNotNegative(_ headline: String) {
        let analysis = lexicon.analyze(headline: headline)
        #expect(analysis.score > 0, "\(analysis)")
        #expect(analysis.matches.allSatisfy { $0.negated })
    }

    @Test func negationFlipsPositiveWithinTheWindowOnly() {
        #expect(lexicon.score(headline: "ACME did not beat estimates") < 0)
        // "beat" is 4 tokens after "not": outside the default window of 3.
        #expect(lexicon.score(headline: "ACME did not say anything about beat") > 0)
        // A clause break stops negation.
        #expect(lexicon.score(headline: "No comment, ACME beat estimates") > 0)
        #expect(lexicon.score(headline: "No comment but ACME beat") > 0)
    }

    @Test func negationScaleAndWindowAreOptions() throws {
        let wide = try SentimentLexicon(
            parsing: "beat 0.6", source: "t", options: .init(negationWindow: 5, negationScale: 1))
        let analysis = wide.analyze(headline: "did not say anything about beat")
        #expect(analysis.matches.count == 1)
        #expect(analysis.matches[0].contribution == -0.6)
        #expect(analysis.matches[0].negated)
    }

    @Test func suffixFoldingFindsTheLexiconForm() {
        #expect(lexicon.folded("downgraded") == "downgrade")
        #expect(lexicon.folded("downgrades") == "downgrade")
        #expect(lexicon.folded("plunging") == "plunge")
        #expect(lexicon.folded("rallies") == "rally")
        #expect(lexicon.folded("rallied") == "rally")
        #expect(lexicon.folded("slipped") == "slip")
        #expect(lexicon.folded("lawsuits") == "lawsuit")
        #expect(lexicon.folded("loss") == "loss")
        #expect(lexicon.folded("acme") == "acme")
        #expect(lexicon.score(headline: "ACME downgraded") == lexicon.score(headline: "ACME downgrade"))
    }

    @Test func intensifiersScaleTheNearestTerm() {
        let plain = lexicon.analyze(headline: "Shares drop")
        let sharp = lexicon.analyze(headline: "Shares drop sharply")
        let slight = lexicon.analyze(headline: "Shares drop slightly")
        #expect(sharp.matches[0].contribution == 1.5 * plain.matches[0].contribution)
        #expect(slight.matches[0].contribution == 0.5 * plain.matches[0].contribution)
        #expect(sharp.score < plain.score && plain.score < slight.score && slight.score < 0)
    }

    @Test func normalisationMatchesTheDocumentedFormula() throws {
        let lex = try SentimentLexicon(parsing: "good 0.5\nbad -0.8\n", source: "t")
        let a = lex.analyze(headline: "good good", body: "bad")
        // S = 0.5 + 0.5 + 0.5·(−0.8) = 0.6, N = 2 + 0.5 = 2.5, score = tanh(0.6 / sqrt(3.5)).
        #expect(abs(a.sum - 0.6) < 1e-12)
        #expect(a.weightedCount == 2.5)
        #expect(abs(a.score - tanh(0.6 / 3.5.squareRoot())) < 1e-12)
        #expect(a.matches.map(\.inHeadline) == [true, true, false])
        #expect(lex.score(headline: "nothing here") == 0)
    }

    @Test func headlineOutweighsBody() {
        let a = lexicon.score(headline: "ACME beats estimates", body: "Analysts flag weak demand in Europe.")
        #expect(a > 0)
    }

    @Test func scoreStaysInRangeOnExtremeText() {
        let text = Array(repeating: "fraud bankruptcy plunge collapse", count: 200).joined(separator: " ")
        let s = lexicon.score(headline: text, body: text)
        #expect(s >= -1 && s < -0.99)
    }

    @Test func newsSentimentPrefersTheFeedsValue() {
        let news = News(ts: 0, symbols: ["ACME"], headline: "Regulator opens fraud probe into ACME")
        #expect(lexicon.sentiment(of: news) < 0)
        var given = news
        given.sentiment = 0.25
        #expect(lexicon.sentiment(of: given) == 0.25)
    }

    @Test func phrasesMatchLongestFirstAndFoldTheirWords() {
        let a = lexicon.analyze(headline: "ACME raised guidance")
        #expect(a.matches.map(\.term) == ["raise guidance"])
        let b = lexicon.analyze(headline: "ACME takes a write-down")
        #expect(b.matches.map(\.term) == ["write down"])
    }
}

@Suite struct LexiconParserTests {
    @Test func parsesCommentsTabsPhrasesAndSigns() throws {
        let text = """
            # a comment
            Surge\t+0.6
              profit   Warning   -0.8   # trailing comment

            halt -.5
            """
        let lex = try SentimentLexicon(parsing: text, source: "mine.lex")
        #expect(lex.count == 3)
        #expect(lex.scores == ["surge": 0.6, "profit warning": -0.8, "halt": -0.5])
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var reason: LexiconError.Reason
        var testDescription: String { "\(reason)" }
    }

    @Test(arguments: [
        Bad(text: "ok 0.1\nplunge\n", line: 2, reason: .missingScore),
        Bad(text: "plunge minus", line: 1, reason: .badScore("minus")),
        Bad(text: "# c\n\nplunge 1e-1", line: 3, reason: .badScore("1e-1")),
        Bad(text: "plunge nan", line: 1, reason: .badScore("nan")),
        Bad(text: "plunge 0.5.1", line: 1, reason: .badScore("0.5.1")),
        Bad(text: "plunge -1.5", line: 1, reason: .scoreOutOfRange(-1.5)),
        Bad(text: "surge 0.6\nplunge 0.2\nSURGE 0.7", line: 3, reason: .duplicate(term: "surge", firstLine: 1)),
        Bad(text: "write-down 0.1\nwrite down 0.2", line: 2, reason: .duplicate(term: "write down", firstLine: 1)),
        Bad(text: "2024 0.5", line: 1, reason: .emptyTerm),
        Bad(text: "0.5", line: 1, reason: .emptyTerm),
        Bad(text: "a b c d e 0.5", line: 1, reason: .phraseTooLong(5)),
    ])
    func rejectsBadLinesNamingSourceAndLine(_ bad: Bad) {
        do {
            _ = try SentimentLexicon(parsing: bad.text, source: "words.lex")
            Issue.record("accepted \(bad.text)")
        } catch {
            #expect(error.source == "words.lex")
            #expect(error.line == bad.line)
            #expect(error.reason == bad.reason)
            #expect(error.description.hasPrefix("words.lex:\(bad.line): "))
        }
    }

    @Test func builtInTextRoundTripsThroughTheParser() throws {
        let parsed = try SentimentLexicon(parsing: SentimentLexicon.builtInText, source: "copy")
        #expect(parsed == SentimentLexicon.builtIn)
    }
}
