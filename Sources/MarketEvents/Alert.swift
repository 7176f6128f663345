/// A risk alert published on `alert.<SYMBOL>` (wire contract v1).
public struct Alert: Sendable, Hashable {
    /// What the alert is about. Raw values are the wire strings.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case volatility
        case varBreach = "var_breach"
        case drawdown
        case liquidity
        case newsShock = "news_shock"
        case dataQuality = "data_quality"
        case modelDrift = "model_drift"
    }

    public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable {
        case info, warning, critical

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    public enum State: String, Sendable, Hashable, CaseIterable {
        case raised, cleared
    }

    /// One feature's share in the value that triggered the alert.
    public struct Driver: Sendable, Hashable {
        public var feature: String
        public var contribution: Double

        public init(feature: String, contribution: Double) {
            self.feature = feature
            self.contribution = contribution
        }
    }

    /// Engine-wide outbound sequence number, starting at 1.
    public var seq: UInt64
    /// This kind's own outbound sequence number (alerts, hedges, risk snapshots and heartbeats each count
    /// from 1), so a subscriber to one topic prefix can see its own gaps.
    public var kindSeq: UInt64
    /// Engine clock when the message was made, nanoseconds since the Unix epoch.
    public var ts: Int64
    /// Time of the event that caused the alert.
    public var eventTs: Int64
    public var symbol: String
    public var kind: Kind
    public var severity: Severity
    public var state: State
    public var value: Double
    public var threshold: Double
    /// Human-readable explanation.
    public var message: String
    /// Top feature contributions, largest magnitude first.
    public var drivers: [Driver]
    /// The account whose limit was crossed, when the limit is per account.
    public var account: String?

    public init(
        seq: UInt64, ts: Int64, eventTs: Int64, symbol: String, kind: Kind, severity: Severity, state: State,
        value: Double, threshold: Double, message: String, drivers: [Driver] = [], account: String? = nil,
        kindSeq: UInt64 = 0
    ) {
        self.seq = seq
        self.kindSeq = kindSeq
        self.ts = ts
        self.eventTs = eventTs
        self.symbol = symbol
        self.kind = kind
        self.severity = severity
        self.state = state
        self.value = value
        self.threshold = threshold
        self.message = message
        self.drivers = drivers
        self.account = account
    }
}
