/// Any message of the wire contract (v1), inbound or outbound.
public enum WireEvent: Sendable, Hashable {
    case tick(Tick)
    case news(News)
    case position(Position)
    case alert(Alert)
    case hedge(Hedge)
    case risk(RiskSnapshot)
    case heartbeat(Heartbeat)

    /// The topic kind (the part before the dot): `tick`, `news`, `position`, `alert`, `hedge`, `risk`,
    /// `heartbeat`.
    public var kind: String {
        switch self {
        case .tick: "tick"
        case .news: "news"
        case .position: "position"
        case .alert: "alert"
        case .hedge: "hedge"
        case .risk: "risk"
        case .heartbeat: "heartbeat"
        }
    }

    /// The topic key: the symbol (tick, alert, hedge, risk), the first symbol (news), the account
    /// (position), or `nil` for the heartbeat, whose topic is just `heartbeat`.
    public var key: String? {
        switch self {
        case .tick(let t): t.symbol
        case .news(let n): n.symbols.first
        case .position(let p): p.account
        case .alert(let a): a.symbol
        case .hedge(let h): h.symbol
        case .risk(let r): r.symbol
        case .heartbeat: nil
        }
    }

    /// The full topic, `kind.key` or `heartbeat`.
    public var topic: String {
        if let key { "\(kind).\(key)" } else { kind }
    }
}
