/// One per-symbol feature, as a pipeline names it. `SymbolFeatures` computes a list of them in O(1) per
/// event; the list's order is the order of the feature vector.
///
/// Names and conventions (every value is finite, and 0 until the feature is warm; see `SymbolFeatures`).
/// "Accepted" ticks are those `SymbolState` did not quarantine; the reference price is
/// `SymbolState.referencePrice(of:)` (quote mid, else trade price).
///
/// | name               | value                                                                          | warm when                         |
/// |--------------------|--------------------------------------------------------------------------------|-----------------------------------|
/// | `return_<k>`       | `log(p_t / p_{t−k})`, reference prices `k` accepted ticks apart                  | `k + 1` prices seen               |
/// | `ewma_vol`         | per-event EWMA σ of log returns (`SymbolState.volatility.perEventVolatility`)  | the EWMA is warm                  |
/// | `realized_vol_<n>` | `sqrt(mean r²)` over the last `n` accepted log returns                          | `n` returns seen                  |
/// | `range_<n>`        | `log(max / min)` of the last `n` reference prices                               | `n` prices seen                   |
/// | `spread_bps`       | `(ask − bid) / mid · 10⁴` of the latest accepted tick with both sides (held)    | a two-sided quote seen            |
/// | `quote_imbalance`  | `(bid_size − ask_size) / (bid_size + ask_size)`, latest tick with sizes (held)  | sizes with a positive sum seen    |
/// | `trade_intensity`  | trades per second: `(ln 2 / h) · Σ 2^(−(now − t_i)/h)` over trades (size > 0)    | one half-life after the first tick|
/// | `volume_z_<n>`     | z-score of the tick's size against the `n` sizes before it (held on sizeless)   | `n` earlier sizes seen            |
/// | `since_trade`      | seconds since the previous accepted tick, event time, `≥ 0`                     | the second accepted tick          |
/// | `news_sentiment`   | EWMA of news sentiment, decaying toward 0 with the news half-life               | always                            |
/// | `news_intensity`   | decayed count of news items, `Σ 2^(−(now − t_i)/h)`                              | always                            |
/// | `news_impact`      | EWMA of the news-impact model's predicted log volatility ratio, decaying to 0    | always                            |
/// | `index_return`     | the latest return of the pipeline's index symbol, set by the engine             | once set                          |
///
/// Parameters: `k` and `n` are written in decimal without sign or leading zeros; `return_<k>` and
/// `realized_vol_<n>` need `1 ≤ k, n`, `range_<n>` and `volume_z_<n>` need `n ≥ 2`; all need
/// `k, n ≤ windowCapacity − 1`, because the feature reads the value leaving its window from the
/// symbol's `SymbolState` window of `windowCapacity`.
public enum FeatureSpec: Sendable, Hashable {
    case logReturn(lag: Int)
    case ewmaVolatility
    case realizedVolatility(window: Int)
    case range(window: Int)
    case spreadBps
    case quoteImbalance
    case tradeIntensity
    case volumeZScore(window: Int)
    case sinceTrade
    case newsSentiment
    case newsIntensity
    case newsImpact
    case indexReturn

    /// The pipeline name; `parse(name)` gives back `self`.
    public var name: String {
        switch self {
        case .logReturn(let k): "return_\(k)"
        case .ewmaVolatility: "ewma_vol"
        case .realizedVolatility(let n): "realized_vol_\(n)"
        case .range(let n): "range_\(n)"
        case .spreadBps: "spread_bps"
        case .quoteImbalance: "quote_imbalance"
        case .tradeIntensity: "trade_intensity"
        case .volumeZScore(let n): "volume_z_\(n)"
        case .sinceTrade: "since_trade"
        case .newsSentiment: "news_sentiment"
        case .newsIntensity: "news_intensity"
        case .newsImpact: "news_impact"
        case .indexReturn: "index_return"
        }
    }

    /// The parameter (`k` or `n`) of a parameterised feature, else `nil`.
    public var parameter: Int? {
        switch self {
        case .logReturn(let p), .realizedVolatility(let p), .range(let p), .volumeZScore(let p): p
        default: nil
        }
    }

    /// The feature names a pipeline may use, parameters as `<k>` / `<n>`; what error messages list.
    public static let catalogue = [
        "return_<k>", "ewma_vol", "realized_vol_<n>", "range_<n>", "spread_bps", "quote_imbalance",
        "trade_intensity", "volume_z_<n>", "since_trade", "news_sentiment", "news_intensity", "news_impact",
        "index_return",
    ]

    /// A general-purpose set for volatility and return models; valid for window capacities of 51 and up.
    public static let defaultSet: [FeatureSpec] = [
        .logReturn(lag: 1), .logReturn(lag: 5), .logReturn(lag: 20), .ewmaVolatility, .realizedVolatility(window: 50),
        .range(window: 50), .spreadBps, .quoteImbalance, .tradeIntensity, .volumeZScore(window: 50), .sinceTrade,
        .newsSentiment, .newsIntensity, .newsImpact, .indexReturn,
    ]

    private static let plain: [String: FeatureSpec] = [
        "ewma_vol": .ewmaVolatility, "spread_bps": .spreadBps, "quote_imbalance": .quoteImbalance,
        "trade_intensity": .tradeIntensity, "since_trade": .sinceTrade, "news_sentiment": .newsSentiment,
        "news_intensity": .newsIntensity, "news_impact": .newsImpact, "index_return": .indexReturn,
    ]

    /// Prefix, least parameter, and constructor of each parameterised feature.
    private static let parameterised: [(prefix: String, least: Int, make: @Sendable (Int) -> FeatureSpec)] = [
        ("return_", 1, { .logReturn(lag: $0) }),
        ("realized_vol_", 1, { .realizedVolatility(window: $0) }),
        ("range_", 2, { .range(window: $0) }),
        ("volume_z_", 2, { .volumeZScore(window: $0) }),
    ]

    /// Parses a pipeline feature name, checking its parameter against the symbol window.
    /// - Parameter windowCapacity: the per-symbol window (`SymbolState.Configuration.windowCapacity`).
    public static func parse(
        _ name: String, windowCapacity: Int = SymbolState.Configuration().windowCapacity
    ) throws(FeatureSpecError) -> FeatureSpec {
        if let spec = plain[name] { return spec }
        for p in parameterised where name.hasPrefix(p.prefix) {
            let digits = name.dropFirst(p.prefix.count)
            let label = p.prefix == "return_" ? "k" : "n"
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw FeatureSpecError(
                    name: name, reason: "the parameter after '\(p.prefix)' must be a whole number, as in \(p.prefix)20")
            }
            guard digits.count == 1 || digits.first != "0" else {
                throw FeatureSpecError(name: name, reason: "write the parameter without leading zeros")
            }
            let value = Int(digits) ?? .max  // too many digits: beyond any window
            guard value >= p.least else {
                throw FeatureSpecError(name: name, reason: "\(label) must be at least \(p.least)")
            }
            guard value <= windowCapacity - 1 else {
                throw FeatureSpecError(
                    name: name,
                    reason: "\(label) = \(digits) is beyond the symbol window: at most \(windowCapacity - 1) with a "
                        + "window capacity of \(windowCapacity) (raise symbols.window)")
            }
            return p.make(value)
        }
        if let p = parameterised.first(where: { $0.prefix.dropLast() == name }) {
            throw FeatureSpecError(name: name, reason: "needs a parameter, as in \(p.prefix)20")
        }
        throw FeatureSpecError(
            name: name, reason: "unknown feature; known features: \(catalogue.joined(separator: ", "))")
    }

    /// Parses a pipeline's list of feature names, in order; a name listed twice is an error.
    public static func parse(
        list names: [String], windowCapacity: Int = SymbolState.Configuration().windowCapacity
    ) throws(FeatureSpecError) -> [FeatureSpec] {
        var specs: [FeatureSpec] = []
        for name in names {
            let spec = try parse(name, windowCapacity: windowCapacity)
            guard !specs.contains(spec) else { throw FeatureSpecError(name: name, reason: "listed twice") }
            specs.append(spec)
        }
        return specs
    }
}

/// Why a feature name could not be parsed.
public struct FeatureSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The name as written in the pipeline.
    public var name: String
    public var reason: String

    public init(name: String, reason: String) {
        self.name = name
        self.reason = reason
    }

    public var description: String { "feature '\(name)': \(reason)" }
}
