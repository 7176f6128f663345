/// A trade or quote update for one symbol: the `tick.<SYMBOL>` message of the wire contract (v1).
///
/// Invariants enforced by the codecs on decode: `symbol` is 1...64 printable ASCII bytes with no
/// whitespace; `ts >= 0`; `price` is finite and `> 0`; `size`, `bidSize`, `askSize` are finite and `>= 0`;
/// `bid`, `ask` are finite and `> 0`. Crossed quotes (`bid > ask`) are valid on the wire: they are a
/// data-quality matter for the engine, not a decoding error.
public struct Tick: Sendable, Hashable {
    /// Instrument identifier; equals the topic's key.
    public var symbol: String
    /// Event time, integer nanoseconds since the Unix epoch.
    public var ts: Int64
    /// Last trade (or reference) price, `> 0`.
    public var price: Double
    /// Traded quantity, `>= 0`.
    public var size: Double?
    public var bid: Double?
    public var ask: Double?
    public var bidSize: Double?
    public var askSize: Double?
    /// The publisher's own sequence number, used to detect gaps per feed.
    public var seq: UInt64?

    public init(
        symbol: String, ts: Int64, price: Double, size: Double? = nil, bid: Double? = nil, ask: Double? = nil,
        bidSize: Double? = nil, askSize: Double? = nil, seq: UInt64? = nil
    ) {
        self.symbol = symbol
        self.ts = ts
        self.price = price
        self.size = size
        self.bid = bid
        self.ask = ask
        self.bidSize = bidSize
        self.askSize = askSize
        self.seq = seq
    }
}
