/// A news item about one or more symbols: the `news.<SYMBOL>` message of the wire contract (v1).
///
/// Invariants enforced on decode: `symbols` holds at least one valid symbol and contains the topic's key;
/// `headline` is present; `sentiment`, when present, is finite and in `[-1, 1]`.
public struct News: Sendable, Hashable {
    public var id: String?
    /// Event time, integer nanoseconds since the Unix epoch.
    public var ts: Int64
    public var symbols: [String]
    public var headline: String
    public var body: String?
    public var source: String?
    /// Sentiment in `[-1, 1]`; `nil` means the engine computes it.
    public var sentiment: Double?

    public init(
        id: String? = nil, ts: Int64, symbols: [String], headline: String, body: String? = nil,
        source: String? = nil, sentiment: Double? = nil
    ) {
        self.id = id
        self.ts = ts
        self.symbols = symbols
        self.headline = headline
        self.body = body
        self.source = source
        self.sentiment = sentiment
    }
}
