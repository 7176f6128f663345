/// An account's position in one symbol, sent by an execution engine: `position.<ACCOUNT>` (wire contract v1).
///
/// Invariants enforced on decode: `account` equals the topic's key; `quantity` is finite (signed: negative
/// is short); `price`, when present, is finite and `> 0`.
public struct Position: Sendable, Hashable {
    public var account: String
    public var symbol: String
    public var quantity: Double
    /// Event time, integer nanoseconds since the Unix epoch.
    public var ts: Int64
    public var price: Double?

    public init(account: String, symbol: String, quantity: Double, ts: Int64, price: Double? = nil) {
        self.account = account
        self.symbol = symbol
        self.quantity = quantity
        self.ts = ts
        self.price = price
    }
}
