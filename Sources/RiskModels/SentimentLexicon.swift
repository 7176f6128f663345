#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
public import MarketEvents

/// Splits news text into lowercase word tokens, marking clause breaks.
///
/// Rules, applied to Unicode scalars in one pass:
/// - Letters (any script) and decimal digits form tokens; letters are lowercased (Unicode lowercase
///   mapping, with an ASCII fast path). Combining marks stay with their letter.
/// - An apostrophe (`'`, `’` or `ʼ`, all folded to `'`) between two letters stays inside the token
///   (`don't`, `isn't`); elsewhere it separates. A final possessive `'s` is dropped (`acme's` → `acme`).
/// - Hyphens, slashes and every other symbol separate tokens without ending a clause, so a hyphenated word
///   becomes its parts (`write-down` → `write`, `down`); the lexicon writes compounds as phrases.
/// - `.` `,` `;` `:` `!` `?` `(` `)` `[` `]` `"` `“` `”` `—` `–` and line breaks end a clause: the next
///   token has `startsClause` set. Negation never reaches across a clause break.
/// - Tokens without a letter (`2024`, `3`, `5` of `3.5%`) are dropped; tokens mixing letters and digits
///   (`q3`, `5g`) are kept.
///
/// - Complexity: O(characters); allocates the token strings and the result.
public enum NewsTokenizer {
    /// One token and whether a clause break precedes it.
    public struct Token: Sendable, Hashable {
        public var text: String
        public var startsClause: Bool

        public init(_ text: String, startsClause: Bool = false) {
            self.text = text
            self.startsClause = startsClause
        }
    }

    /// The tokens of `text` with their clause marks.
    public static func tokens(in text: String, limit: Int = .max) -> [Token] {
        var out: [Token] = []
        var current = String.UnicodeScalarView()
        var hasLetter = false
        var pendingApostrophe = false
        var clauseBreak = true

        func finish() {
            pendingApostrophe = false
            guard !current.isEmpty else { return }
            defer {
                current = String.UnicodeScalarView()
                hasLetter = false
            }
            guard hasLetter, out.count < limit else { return }
            var word = String(current)
            if word.hasSuffix("'s") { word.removeLast(2) }
            guard !word.isEmpty else { return }
            out.append(Token(word, startsClause: clauseBreak))
            clauseBreak = false
        }

        for scalar in text.unicodeScalars {
            if scalar.isASCII {
                let v = scalar.value
                if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) {
                    if pendingApostrophe {
                        current.append("'")
                        pendingApostrophe = false
                    }
                    current.append(v <= 0x5A ? Unicode.Scalar(v + 0x20)! : scalar)
                    hasLetter = true
                } else if v >= 0x30 && v <= 0x39 {
                    if pendingApostrophe { finish() }
                    current.append(scalar)
                } else if v == 0x27 {
                    if hasLetter && !pendingApostrophe { pendingApostrophe = true } else { finish() }
                } else {
                    finish()
                    if isClauseBreak(scalar) { clauseBreak = true }
                }
                continue
            }
            let properties = scalar.properties
            if properties.isAlphabetic {
                if pendingApostrophe {
                    current.append("'")
                    pendingApostrophe = false
                }
                current.unicodeScalars(appendingLowercaseOf: scalar)
                hasLetter = true
            } else if properties.numericType == .decimal {
                if pendingApostrophe { finish() }
                current.append(scalar)
            } else if properties.generalCategory == .nonspacingMark && !current.isEmpty {
                current.append(scalar)
            } else if scalar == "\u{2019}" || scalar == "\u{02BC}" {
                if hasLetter && !pendingApostrophe { pendingApostrophe = true } else { finish() }
            } else {
                finish()
                if isClauseBreak(scalar) { clauseBreak = true }
            }
        }
        finish()
        return out
    }

    /// The token texts of `text`, without clause marks (what the hashed news model consumes).
    public static func words(in text: String, limit: Int = .max) -> [String] {
        tokens(in: text, limit: limit).map(\.text)
    }

    private static func isClauseBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", ",", ";", ":", "!", "?", "(", ")", "[", "]", "\"", "\n", "\r",
            "\u{201C}", "\u{201D}", "\u{2014}", "\u{2013}", "\u{2026}":
            return true
        default:
            return false
        }
    }
}

extension String.UnicodeScalarView {
    fileprivate mutating func unicodeScalars(appendingLowercaseOf scalar: Unicode.Scalar) {
        let lower = scalar.properties.lowercaseMapping
        if lower.isEmpty { append(scalar) } else { append(contentsOf: lower.unicodeScalars) }
    }
}

/// Why a lexicon file was rejected: the place (`source:line`) and the reason.
public struct LexiconError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        /// The line has a term but no score after it.
        case missingScore
        /// The last field is not a finite decimal number.
        case badScore(String)
        /// The score is a number outside `[-1, 1]`.
        case scoreOutOfRange(Double)
        /// The term has no letters once tokenised (e.g. `2024 0.5`).
        case emptyTerm
        /// The term (after tokenising) was already defined on `firstLine`.
        case duplicate(term: String, firstLine: Int)
        /// The term has more than `SentimentLexicon.maximumPhraseLength` words.
        case phraseTooLong(Int)
    }

    /// Where the text came from (a path, or "built-in").
    public var source: String
    /// 1-based line number.
    public var line: Int
    public var reason: Reason

    public init(source: String, line: Int, reason: Reason) {
        self.source = source
        self.line = line
        self.reason = reason
    }

    public var description: String {
        let why: String
        switch reason {
        case .missingScore: why = "missing score after the term"
        case .badScore(let text): why = "bad score '\(text)': expected a finite decimal number"
        case .scoreOutOfRange(let v): why = "score \(v) is outside [-1, 1]"
        case .emptyTerm: why = "the term has no letters"
        case .duplicate(let term, let first): why = "duplicate term '\(term)' (first defined on line \(first))"
        case .phraseTooLong(let n):
            why = "phrase of \(n) words (at most \(SentimentLexicon.maximumPhraseLength))"
        }
        return "\(source):\(line): \(why)"
    }
}

/// A finance sentiment lexicon with negation and intensity handling, scoring headlines and bodies in
/// `[-1, 1]`.
///
/// File format (`init(parsing:source:)`), UTF-8 text, one entry per line:
///
///     # comment lines and trailing comments start with '#'
///     downgrade        -0.7
///     profit warning   -0.8     # a phrase: every field but the last is the term
///
/// The score is the last whitespace-separated field (tabs or spaces), a decimal number in `[-1, 1]`;
/// everything before it is the term, tokenised like news text (`NewsTokenizer`), so `Write-Down` and
/// `write down` are the same two-word phrase. Blank lines are ignored. A term defined twice is an error.
///
/// Matching. Each token is looked up as written; when absent, simple suffix folding tries, in order,
/// `-ies`→`-y`, `-es`→``, `-s`→``, `-ied`→`-y`, `-ed`→``, `-ed`→`-e`, doubled consonant + `-ed`, `-ing`→``,
/// `-ing`→`-e`, doubled consonant + `-ing` (only for tokens of 4+ letters, leaving 3+), and takes the first
/// form that some entry uses (`downgraded` → `downgrade`, `cutting` → `cut`, `rallies` → `rally`).
/// Phrases (up to `maximumPhraseLength` words) are matched on the folded forms, longest first, and
/// their words are not scored again.
///
/// Negation. A negator (`not`, `no`, `never`, `without`, `nor`, `cannot`, any token ending in `n't`, and
/// the phrases `fails to`, `failed to`, `unable to`, `rules out`, `no longer`, …) flips every sentiment
/// term that starts within the next `Options.negationWindow` tokens (default 3) after it, within the
/// same clause (a clause ends at `NewsTokenizer` punctuation and before `but`, `however`, `although`,
/// `though`, `yet`, `while`). A flipped term counts `−negationScale × score` (default 0.75: "no layoffs"
/// is good news but weaker than a plain positive word). Two negators over one term flip it twice.
///
/// Intensity. An intensifier (`sharply`, `steep`, `massive`, …) multiplies the nearest sentiment term in
/// its clause within 2 tokens (the following one preferred) by `intensifierScale` (1.5); a diminisher
/// (`slightly`, `modest`, …) by `diminisherScale` (0.5). Contributions are clamped to `[-1, 1]`.
///
/// Normalisation. With `c` the contributions and `β = bodyWeight` (default 0.5):
///
///     S = Σ_headline c + β · Σ_body c,   N = n_headline + β · n_body,   score = tanh(S / sqrt(N + α))
///
/// with `α = Options.smoothing` (default 1), so a single strong headline word does not saturate, more
/// agreeing evidence pushes towards ±1, mixed evidence cancels, and text without sentiment terms
/// scores exactly 0.
///
/// - Complexity: O(characters) per scored text; allocates the tokens and the match list. The lexicon
///   itself is immutable after construction.
public struct SentimentLexicon: Sendable, Hashable {
    /// Scoring parameters; see the type's documentation.
    public struct Options: Sendable, Hashable {
        /// Tokens after a negator whose sentiment it flips, `>= 1`.
        public var negationWindow: Int
        /// A negated term counts `−negationScale × score`, `negationScale` in `(0, 1]`.
        public var negationScale: Double
        public var intensifierScale: Double
        public var diminisherScale: Double
        /// β: the weight of body terms relative to headline terms, `>= 0`.
        public var bodyWeight: Double
        /// α in `sqrt(N + α)`, `> 0`.
        public var smoothing: Double

        public init(
            negationWindow: Int = 3, negationScale: Double = 0.75, intensifierScale: Double = 1.5,
            diminisherScale: Double = 0.5, bodyWeight: Double = 0.5, smoothing: Double = 1
        ) {
            self.negationWindow = negationWindow
            self.negationScale = negationScale
            self.intensifierScale = intensifierScale
            self.diminisherScale = diminisherScale
            self.bodyWeight = bodyWeight
            self.smoothing = smoothing
        }

        public var isValid: Bool {
            negationWindow >= 1 && negationScale > 0 && negationScale <= 1 && intensifierScale >= 1
                && intensifierScale.isFinite && diminisherScale > 0 && diminisherScale <= 1 && bodyWeight >= 0
                && bodyWeight.isFinite && smoothing > 0 && smoothing.isFinite
        }
    }

    /// One sentiment term found in a text, for explanations.
    public struct Match: Sendable, Hashable {
        /// The lexicon term (words joined by one space).
        public var term: String
        /// The term's lexicon score.
        public var score: Double
        /// What it added to the text's sum before the headline/body weighting: the score after negation
        /// and intensity, clamped to `[-1, 1]`.
        public var contribution: Double
        /// Whether a negator flipped it (an odd number of times).
        public var negated: Bool
        /// Whether it was found in the headline (otherwise the body).
        public var inHeadline: Bool
        /// Index of its first token in the headline's (or body's) tokens.
        public var position: Int
    }

    /// A scored text with its evidence.
    public struct Analysis: Sendable, Hashable {
        /// The sentiment in `[-1, 1]`; 0 when nothing matched.
        public var score: Double
        /// S, the weighted sum of contributions.
        public var sum: Double
        /// N, the weighted count of matches.
        public var weightedCount: Double
        /// Every match, headline first, in text order.
        public var matches: [Match]
    }

    /// The most words in a phrase.
    public static let maximumPhraseLength = 4

    public let options: Options
    /// Term (words joined by one space) → score.
    public let scores: [String: Double]
    /// Every word used by some term, for suffix folding.
    private let vocabulary: Set<String>
    /// First word of a phrase → the longest phrase starting with it.
    private let phraseLengths: [String: Int]

    /// The number of terms.
    public var count: Int { scores.count }

    /// A lexicon from terms and scores (terms are tokenised; later duplicates replace earlier ones).
    /// - Precondition: every score is finite and in `[-1, 1]`, every term has a letter and at most
    ///   `maximumPhraseLength` words, `options.isValid`.
    public init(terms: [String: Double], options: Options = Options()) {
        var normalized: [String: Double] = [:]
        for (term, score) in terms {
            precondition(score >= -1 && score <= 1, "lexicon score \(score) outside [-1, 1]")
            let words = NewsTokenizer.words(in: term)
            precondition(!words.isEmpty && words.count <= Self.maximumPhraseLength, "bad lexicon term '\(term)'")
            normalized[words.joined(separator: " ")] = score
        }
        self.init(normalized: normalized, options: options)
    }

    private init(normalized: [String: Double], options: Options) {
        precondition(options.isValid, "invalid SentimentLexicon options \(options)")
        self.options = options
        scores = normalized
        var vocabulary = Set<String>()
        var phraseLengths: [String: Int] = [:]
        for term in normalized.keys {
            let words = term.split(separator: " ").map(String.init)
            vocabulary.formUnion(words)
            if words.count > 1 { phraseLengths[words[0], default: 1] = max(phraseLengths[words[0]] ?? 1, words.count) }
        }
        self.vocabulary = vocabulary
        self.phraseLengths = phraseLengths
    }

    /// Parses a lexicon file (format in the type's documentation). `source` names the text in errors.
    /// - Throws: `LexiconError` naming `source:line` for the first bad line.
    /// - Complexity: O(characters).
    public init(parsing text: String, source: String, options: Options = Options()) throws(LexiconError) {
        var normalized: [String: Double] = [:]
        var firstLine: [String: Int] = [:]
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = rawLine[...]
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            func fail(_ reason: LexiconError.Reason) -> LexiconError {
                LexiconError(source: source, line: lineNumber, reason: reason)
            }
            guard let scoreField = fields.last, fields.count >= 2 else {
                if Double(fields[0]) != nil { throw fail(.emptyTerm) }
                throw fail(.missingScore)
            }
            guard Self.isDecimal(scoreField), let score = Double(scoreField), score.isFinite else {
                throw fail(.badScore(String(scoreField)))
            }
            guard score >= -1 && score <= 1 else { throw fail(.scoreOutOfRange(score)) }
            let words = NewsTokenizer.words(in: fields.dropLast().joined(separator: " "))
            guard !words.isEmpty else { throw fail(.emptyTerm) }
            guard words.count <= Self.maximumPhraseLength else { throw fail(.phraseTooLong(words.count)) }
            let term = words.joined(separator: " ")
            if let first = firstLine[term] { throw fail(.duplicate(term: term, firstLine: first)) }
            firstLine[term] = lineNumber
            normalized[term] = score
        }
        self.init(normalized: normalized, options: options)
    }

    /// `[+-]digits[.digits]` or `[+-].digits`: no exponents, hex, `nan` or `inf`.
    private static func isDecimal(_ field: Substring) -> Bool {
        var digits = 0
        var dots = 0
        for (k, ch) in field.enumerated() {
            if ch == "+" || ch == "-" {
                if k != 0 { return false }
            } else if ch == "." {
                dots += 1
            } else if ch.isASCII && ch.isNumber {
                digits += 1
            } else {
                return false
            }
        }
        return digits > 0 && dots <= 1
    }

    /// The lexicon shipped with RiskStream (`builtInText`, written for this project).
    public static let builtIn: SentimentLexicon = {
        do {
            return try SentimentLexicon(parsing: builtInText, source: "built-in")
        } catch {
            preconditionFailure("the built-in lexicon does not parse: \(error)")
        }
    }()

    /// The score of a term as written in the lexicon (tokenised, no suffix folding), or `nil`.
    public func score(ofTerm term: String) -> Double? {
        scores[NewsTokenizer.words(in: term).joined(separator: " ")]
    }

    /// The form of `word` the lexicon uses: itself if some entry uses it, otherwise the first suffix
    /// folding that some entry uses, otherwise itself.
    public func folded(_ word: String) -> String {
        if vocabulary.contains(word) { return word }
        let n = word.utf8.count
        guard n >= 4 else { return word }
        for candidate in Self.foldings(of: word) where vocabulary.contains(candidate) {
            return candidate
        }
        return word
    }

    private static func foldings(of word: String) -> [String] {
        var out: [String] = []
        func stem(_ suffix: String) -> Substring? {
            guard word.hasSuffix(suffix) else { return nil }
            let s = word.dropLast(suffix.count)
            return s.count >= 3 ? s : nil
        }
        func undoubled(_ s: Substring) -> String? {
            let chars = Array(s)
            guard chars.count >= 4, let last = chars.last, chars[chars.count - 2] == last,
                !"aeiouls".contains(last)
            else { return nil }
            return String(s.dropLast())
        }
        if let s = stem("ies") { out.append(s + "y") }
        if let s = stem("es") { out.append(String(s)) }
        if !word.hasSuffix("ss"), let s = stem("s") { out.append(String(s)) }
        if let s = stem("ied") { out.append(s + "y") }
        if let s = stem("ed") {
            out.append(String(s))
            out.append(s + "e")
            if let u = undoubled(s) { out.append(u) }
        }
        if let s = stem("ing") {
            out.append(String(s))
            out.append(s + "e")
            if let u = undoubled(s) { out.append(u) }
        }
        return out
    }

    /// The sentiment of a headline and optional body in `[-1, 1]`.
    /// - Complexity: O(characters).
    public func score(headline: String, body: String? = nil) -> Double {
        analyze(headline: headline, body: body).score
    }

    /// The news item's own sentiment when it carries one, otherwise the lexicon's score.
    public func sentiment(of news: News) -> Double {
        news.sentiment ?? score(headline: news.headline, body: news.body)
    }

    /// The score with its evidence.
    /// - Complexity: O(characters).
    public func analyze(headline: String, body: String? = nil) -> Analysis {
        var matches = scan(NewsTokenizer.tokens(in: headline), inHeadline: true)
        if let body { matches += scan(NewsTokenizer.tokens(in: body), inHeadline: false) }
        var sum = 0.0
        var count = 0.0
        for m in matches {
            let w = m.inHeadline ? 1 : options.bodyWeight
            sum += w * m.contribution
            count += w
        }
        let score = matches.isEmpty ? 0 : tanh(sum / (count + options.smoothing).squareRoot())
        return Analysis(score: min(1, max(-1, score)), sum: sum, weightedCount: count, matches: matches)
    }

    private enum Role {
        case none
        case negator
        case intensifier(Double)
    }

    /// Finds the terms of one text and applies negation and intensity.
    private func scan(_ tokens: [NewsTokenizer.Token], inHeadline: Bool) -> [Match] {
        if tokens.isEmpty { return [] }
        // Clause number of each token.
        var clause = [Int](repeating: 0, count: tokens.count)
        var c = 0
        for (k, token) in tokens.enumerated() {
            if token.startsClause || Self.clauseWords.contains(token.text) { c += 1 }
            clause[k] = c
        }
        let forms = tokens.map { folded($0.text) }
        var matches: [Match] = []
        var negators: [Int] = []  // index of the last token of each negator
        var intensifiers: [(at: Int, scale: Double)] = []
        var k = 0
        while k < tokens.count {
            // Negator phrases first ("fails to", "no longer"), then sentiment phrases, then single words.
            if k + 1 < tokens.count, clause[k + 1] == clause[k],
                Self.negatorPhrases.contains(forms[k] + " " + forms[k + 1])
            {
                negators.append(k + 1)
                k += 2
                continue
            }
            if let longest = phraseLengths[forms[k]] {
                var found: (length: Int, term: String, score: Double)?
                var n = min(longest, tokens.count - k)
                while n >= 2 && found == nil {
                    if clause[k + n - 1] == clause[k] {
                        let term = forms[k..<(k + n)].joined(separator: " ")
                        if let s = scores[term] { found = (n, term, s) }
                    }
                    n -= 1
                }
                if let found {
                    matches.append(
                        Match(
                            term: found.term, score: found.score, contribution: found.score, negated: false,
                            inHeadline: inHeadline, position: k))
                    k += found.length
                    continue
                }
            }
            let word = tokens[k].text
            if Self.negators.contains(word) || word.hasSuffix("n't") {
                negators.append(k)
            } else if let s = scores[forms[k]] {
                matches.append(
                    Match(term: forms[k], score: s, contribution: s, negated: false, inHeadline: inHeadline, position: k))
            } else if Self.intensifiers.contains(word) {
                intensifiers.append((k, options.intensifierScale))
            } else if Self.diminishers.contains(word) {
                intensifiers.append((k, options.diminisherScale))
            }
            k += 1
        }
        if matches.isEmpty { return [] }
        // Match starting at each token, so negation and intensity look only at their few neighbours.
        var matchAt = [Int](repeating: -1, count: tokens.count)
        for (m, match) in matches.enumerated() { matchAt[match.position] = m }
        func match(at position: Int, clauseOf anchor: Int) -> Int? {
            guard position >= 0, position < tokens.count, clause[position] == clause[anchor] else { return nil }
            let m = matchAt[position]
            return m >= 0 ? m : nil
        }
        for (at, scale) in intensifiers {
            // Nearest term within 2 tokens, the following one first at equal distance.
            if let m = match(at: at + 1, clauseOf: at) ?? match(at: at - 1, clauseOf: at)
                ?? match(at: at + 2, clauseOf: at) ?? match(at: at - 2, clauseOf: at)
            {
                matches[m].contribution *= scale
            }
        }
        for at in negators {
            for d in 1...options.negationWindow {
                guard let m = match(at: at + d, clauseOf: at) else { continue }
                matches[m].contribution *= -options.negationScale
                matches[m].negated.toggle()
            }
        }
        for m in matches.indices { matches[m].contribution = min(1, max(-1, matches[m].contribution)) }
        return matches
    }

    static let negators: Set<String> = [
        "not", "no", "never", "without", "nor", "neither", "cannot", "none", "nobody", "nothing", "lack",
        "lacks", "lacked", "absent",
    ]
    static let negatorPhrases: Set<String> = [
        "fail to", "fails to", "failed to", "unable to", "rule out", "rules out", "ruled out", "no longer",
        "far from", "free of",
    ]
    static let clauseWords: Set<String> = ["but", "however", "although", "though", "yet", "while", "whereas"]
    static let intensifiers: Set<String> = [
        "sharply", "sharp", "steep", "steeply", "massive", "huge", "significant", "significantly", "severe",
        "severely", "deep", "deeply", "very", "heavy", "heavily", "major", "dramatic", "dramatically", "big",
        "substantial", "substantially", "strongly", "extremely",
    ]
    static let diminishers: Set<String> = [
        "slightly", "slight", "modest", "modestly", "marginally", "marginal", "small", "little", "mildly",
        "somewhat", "partly", "partially",
    ]
}
