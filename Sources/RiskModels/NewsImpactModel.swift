public import OnlineLearning

/// The words of one news item, hashed and ready for `NewsImpactModel`: what the engine keeps while the
/// item's label (its forward volatility) matures.
///
/// Memory: O(terms) — at most `maximumTokens` unigrams and as many bigrams.
public struct NewsFeatures: Sendable, Hashable {
    /// The distinct terms (unigrams, then bigrams `"w1 w2"`), in order of first appearance.
    public let terms: [String]
    /// Each term's value: 1 for a headline term, `bodyWeight` for a body-only term.
    public let values: [Double]
    /// The hashed vector the regressor reads (signed, consolidated).
    public let hashed: HashedFeatures

    public init(terms: [String], values: [Double], hashed: HashedFeatures) {
        precondition(terms.count == values.count, "terms and values differ in length")
        self.terms = terms
        self.values = values
        self.hashed = hashed
    }

    public var isEmpty: Bool { terms.isEmpty }
}

/// A hashed bag-of-words online regressor that learns which words precede volatility.
///
/// Features. Headline and body are tokenised by `NewsTokenizer` (first `maximumTokens` tokens of each);
/// each distinct unigram, and each bigram of adjacent tokens in the same clause when `bigrams` is on, is a
/// term with value 1 if it occurs in the headline and `bodyWeight` if only in the body (presence, not
/// counts, so a long body does not drown the headline). Terms are hashed by `FeatureHasher` (signed,
/// `2^bits` buckets, `seed`) into a sparse vector.
///
/// Model. An `SGDRegressor` over the `2^bits` buckets predicts a target the engine supplies when it
/// matures — for example `log(forward realised volatility / trailing realised volatility)` over the H
/// events after the news, so 0 means "no impact" and the intercept learns the average reaction. The
/// default options (squared loss, the normalized adaptive rule, light L2) cannot diverge.
///
/// Explanation. `contributions(of:)` gives, for each term of one item, the sign-corrected weight of its
/// bucket times its value: what the term adds to the prediction above the intercept. `weight(of:)` gives
/// a term's coefficient (hash collisions share buckets; with 2^16 buckets and a few thousand distinct
/// words they are rare).
///
/// - Complexity: `prepare` O(tokens) with allocation of the term list; `predict` and `learn` O(terms),
///   no allocation. Memory: `memoryBound` ≈ 48·2^bits bytes, fixed at initialisation.
public struct NewsImpactModel: Sendable, Checkpointable {
    public struct Options: Sendable, Hashable {
        /// log₂ of the number of buckets, 1...24.
        public var bits: Int
        public var seed: UInt64
        /// Whether adjacent word pairs (in one clause) are terms too.
        public var bigrams: Bool
        /// Value of a term that occurs only in the body, in `[0, 1]`.
        public var bodyWeight: Double
        /// Tokens read from the headline and from the body, each, `>= 1`.
        public var maximumTokens: Int
        public var regressor: SGDRegressor.Options

        public init(
            bits: Int = 16, seed: UInt64 = 0, bigrams: Bool = true, bodyWeight: Double = 0.5,
            maximumTokens: Int = 256,
            regressor: SGDRegressor.Options = .init(loss: .squared, updateRule: .default, l2: 1e-4)
        ) {
            self.bits = bits
            self.seed = seed
            self.bigrams = bigrams
            self.bodyWeight = bodyWeight
            self.maximumTokens = maximumTokens
            self.regressor = regressor
        }

        public var isValid: Bool {
            bits >= 1 && bits <= 24 && bodyWeight >= 0 && bodyWeight <= 1 && maximumTokens >= 1
                && regressor.isValid
        }
    }

    /// One term's share of a prediction.
    public struct Contribution: Sendable, Hashable {
        public var term: String
        /// Sign-corrected bucket weight × the term's value.
        public var contribution: Double
    }

    public let options: Options
    public let hasher: FeatureHasher
    public private(set) var regressor: SGDRegressor

    /// - Precondition: `options.isValid`.
    public init(options: Options = Options()) {
        precondition(options.isValid, "invalid NewsImpactModel options \(options)")
        self.options = options
        hasher = FeatureHasher(bits: options.bits, seed: options.seed)
        regressor = SGDRegressor(featureCount: 1 << options.bits, options: options.regressor)
    }

    /// Items learned so far.
    public var updateCount: Int { regressor.updateCount }
    /// The learned average target (the prediction for an item without known terms).
    public var intercept: Double { regressor.intercept }
    public var memoryBound: Int { regressor.memoryBound + 64 }

    /// Tokenises and hashes one item.
    /// - Complexity: O(tokens); allocates the term list and the hashed vector.
    public func prepare(headline: String, body: String? = nil) -> NewsFeatures {
        var index: [String: Int] = [:]
        var terms: [String] = []
        var values: [Double] = []
        func add(_ term: String, _ value: Double) {
            if let k = index[term] {
                values[k] = max(values[k], value)
            } else {
                index[term] = terms.count
                terms.append(term)
                values.append(value)
            }
        }
        func addText(_ text: String, _ value: Double) {
            let tokens = NewsTokenizer.tokens(in: text, limit: options.maximumTokens)
            for token in tokens { add(token.text, value) }
            guard options.bigrams, tokens.count > 1 else { return }
            for k in 1..<tokens.count where !tokens[k].startsClause {
                add(tokens[k - 1].text + " " + tokens[k].text, value)
            }
        }
        addText(headline, 1)
        if let body, options.bodyWeight > 0 { addText(body, options.bodyWeight) }
        var hashed = HashedFeatures(capacity: terms.count)
        for (term, value) in zip(terms, values) { hasher.add(token: term, value: value, to: &hashed) }
        hashed.consolidate()
        return NewsFeatures(terms: terms, values: values, hashed: hashed)
    }

    /// The predicted target for an item. - Complexity: O(terms), no allocation.
    public func predict(_ features: NewsFeatures) -> Double {
        regressor.predict(features.hashed)
    }

    /// Learns one matured label; a non-finite target is skipped (counted by the regressor).
    /// - Complexity: O(terms), no allocation.
    public mutating func learn(_ features: NewsFeatures, target: Double, weight: Double = 1) {
        regressor.learn(features.hashed, target, weight: weight)
    }

    /// The model's coefficient for a term (its bucket's weight times the term's hash sign).
    /// - Complexity: O(term length).
    public func weight(of term: String) -> Double {
        let (bucket, sign) = hasher.bucket(of: hasher.digest(term))
        return sign * (regressor.predict(indices: [bucket], values: [1]) - regressor.intercept)
    }

    /// Each term's contribution to `predict(features)` above the intercept, largest first (ties keep
    /// text order); at most `limit`.
    /// - Complexity: O(terms log terms).
    public func contributions(of features: NewsFeatures, limit: Int = .max) -> [Contribution] {
        var out = zip(features.terms, features.values).enumerated().map { k, pair in
            (k, Contribution(term: pair.0, contribution: weight(of: pair.0) * pair.1))
        }
        out.sort { a, b in
            a.1.contribution != b.1.contribution ? a.1.contribution > b.1.contribution : a.0 < b.0
        }
        return out.prefix(max(0, limit)).map(\.1)
    }

    // MARK: Checkpoint

    public static var stateTag: String { "news-impact" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(options.bits)
        writer.write(options.seed)
        writer.write(options.bigrams)
        writer.write(options.bodyWeight)
        writer.write(options.maximumTokens)
        writer.write(model: regressor)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let bits = try reader.readInt()
        let seed = try reader.readUInt64()
        let bigrams = try reader.readBool()
        let bodyWeight = try reader.readDouble()
        let maximumTokens = try reader.readInt()
        let regressorAt = reader.offset
        let regressor = try reader.read(model: SGDRegressor.self)
        let options = Options(
            bits: bits, seed: seed, bigrams: bigrams, bodyWeight: bodyWeight, maximumTokens: maximumTokens,
            regressor: regressor.options)
        guard options.isValid else { throw ModelStateError(offset: at, reason: "invalid news-impact options") }
        guard regressor.featureCount == 1 << bits else {
            throw ModelStateError(
                offset: regressorAt, reason: "regressor has \(regressor.featureCount) features for \(bits) bits")
        }
        self.init(options: options)
        self.regressor = regressor
    }
}
