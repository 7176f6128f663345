/// A hedge signal published on `hedge.<SYMBOL>` (wire contract v1): hold `quantity` of `hedgeSymbol` (a
/// target position, signed; `ratio` units of hedge per unit of `symbol`) to bring `account`'s risk back
/// within its limit; `delta` is the trade from the previous target.
public struct Hedge: Sendable, Hashable {
    public var seq: UInt64
    /// This kind's own outbound sequence number (alerts, hedges, risk snapshots and heartbeats each count
    /// from 1), so a subscriber to one topic prefix can see its own gaps.
    public var kindSeq: UInt64
    public var ts: Int64
    public var account: String
    public var symbol: String
    public var hedgeSymbol: String
    public var ratio: Double
    public var quantity: Double
    public var notional: Double
    public var reason: String
    /// The account's current position in `symbol` (for a portfolio signal, in `hedgeSymbol`).
    public var position: Double?
    /// `quantity` minus the previous target signalled for this account and symbol (0 before the first):
    /// what to trade if the previous signal was executed.
    public var delta: Double?

    public init(
        seq: UInt64, ts: Int64, account: String, symbol: String, hedgeSymbol: String, ratio: Double,
        quantity: Double, notional: Double, reason: String, position: Double? = nil, delta: Double? = nil,
        kindSeq: UInt64 = 0
    ) {
        self.seq = seq
        self.kindSeq = kindSeq
        self.ts = ts
        self.account = account
        self.symbol = symbol
        self.hedgeSymbol = hedgeSymbol
        self.ratio = ratio
        self.quantity = quantity
        self.notional = notional
        self.reason = reason
        self.position = position
        self.delta = delta
    }
}
