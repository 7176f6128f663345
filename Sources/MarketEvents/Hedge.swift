/// A hedge signal published on `hedge.<SYMBOL>` (wire contract v1): trade `quantity` of `hedgeSymbol`
/// (signed; `ratio` units of hedge per unit of `symbol`) to bring `account`'s risk back within its limit.
public struct Hedge: Sendable, Hashable {
    public var seq: UInt64
    public var ts: Int64
    public var account: String
    public var symbol: String
    public var hedgeSymbol: String
    public var ratio: Double
    public var quantity: Double
    public var notional: Double
    public var reason: String

    public init(
        seq: UInt64, ts: Int64, account: String, symbol: String, hedgeSymbol: String, ratio: Double,
        quantity: Double, notional: Double, reason: String
    ) {
        self.seq = seq
        self.ts = ts
        self.account = account
        self.symbol = symbol
        self.hedgeSymbol = hedgeSymbol
        self.ratio = ratio
        self.quantity = quantity
        self.notional = notional
        self.reason = reason
    }
}
