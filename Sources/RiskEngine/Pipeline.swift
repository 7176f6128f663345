import MarketEvents

/// A pipeline: everything an engine run is configured with. Read from YAML (`Pipelines/*.yaml`) by
/// `Pipeline.load(yaml:source:)`; every field has a default, so an empty file is a valid pipeline.
/// Command-line flags override the file (see `riskstream run --help`).
public struct Pipeline: Sendable, Hashable {
    public var name = "default"
    public var ingest = Ingest()
    public var symbols = Symbols()
    public var dataQuality = DataQuality()
    public var volatility = Volatility()
    public var publish = Publish()
    public var learning = Learning()
    public var risk = Risk()
    public var hedging = Hedging()

    public init() {}

    /// Where events come from and how they reach the compute stage.
    public struct Ingest: Sendable, Hashable {
        /// Endpoints the SUB socket connects to (feeds that bind).
        public var feeds: [String] = []
        /// Endpoints the SUB socket binds (feeds that connect).
        public var bind: [String] = []
        /// Topic prefixes to subscribe to.
        public var topics: [String] = ["tick.", "news.", "position."]
        /// Largest payload accepted; larger frames are counted as malformed (`oversized`).
        public var maxMessageBytes = WireCodec.defaultMaxPayloadBytes
        /// libzmq's receive high-water mark, in messages (1...10,000,000): where `block` pushes back to.
        public var receiveHighWaterMark: Int32 = 100_000
        /// Capacity of the ingest→compute ring (rounded up to a power of two).
        public var ringCapacity = 65_536
        /// What happens when the ring is full.
        public var whenFull: OverflowPolicy = .dropOldest
    }

    /// Per-symbol state bounds.
    public struct Symbols: Sendable, Hashable {
        /// Most distinct symbols tracked; events for further symbols are rejected and counted.
        public var max = 1024
        /// The symbols the engine may track, when the pipeline lists them (empty: any symbol a tick or
        /// position names, first come, up to `max`). Events for other symbols are rejected and counted.
        public var universe: Set<String> = []
        /// Symbols news alone may start tracking (no tick or position has named them yet), beside
        /// `max`: news can never take a traded symbol's slot. Further mentions are rejected and counted.
        public var newsMax = 64
        /// Length of each per-symbol history window (prices, returns, spreads, sizes).
        public var window = 256
    }

    /// Data-quality checks (PRODUCT.md §2).
    public struct DataQuality: Sendable, Hashable {
        /// A symbol with no event for this long is stale.
        public var staleAfterMilliseconds: Int64 = 5_000
        /// Event time may go backwards by this much before it is an issue.
        public var backwardsToleranceMilliseconds: Int64 = 1
        /// A log return of the quote mid beyond this many EWMA sigmas is a suspect jump: held until the
        /// prints after it confirm it (market data) or revert (a bad print, quarantined).
        public var jumpSigmas = 8.0
        /// Prints holding the new level that confirm a jump; also the most ticks a symbol holds.
        public var jumpConfirmTicks = 3
        /// Event time after a jump from which one print holding the new level confirms it.
        public var jumpConfirmMilliseconds: Int64 = 1_000
        /// Symbols jumping the same way within `marketMoveWindowMilliseconds` that make a market-wide move,
        /// confirmed on all of them at once.
        public var marketMoveSymbols = 3
        public var marketMoveWindowMilliseconds: Int64 = 1_000
        /// A nanosecond `ts` further than this ahead of the engine's clock is implausible (quarantined).
        public var maxAheadMilliseconds: Int64 = 86_400_000
        /// An event time further than this ahead of its topic's newest (or, for news and positions, the
        /// engine's newest event time) is a jump: counted, alerted, quarantined, and never used as time.
        public var maxForwardJumpMilliseconds: Int64 = 7 * 86_400_000
        /// Minimum time between two data_quality alerts for the same symbol and issue.
        public var cooldownMilliseconds: Int64 = 1_000
    }

    /// The EWMA (RiskMetrics) volatility measure and its alert thresholds.
    public struct Volatility: Sendable, Hashable {
        /// Decay λ of the EWMA of squared log returns.
        public var lambda = 0.94
        /// Returns needed before the estimate is used.
        public var warmUp = 20
        /// Annualised volatility that raises a warning (0.6 = 60 %).
        public var warning = 0.6
        /// Annualised volatility that raises a critical alert.
        public var critical = 1.2
        /// An alert clears when volatility falls below threshold × (1 − hysteresis).
        public var hysteresis = 0.2
        /// Minimum time between two volatility alert messages for one symbol.
        public var cooldownMilliseconds: Int64 = 1_000
        /// Least event time a raised level is held before it is lowered (de-escalated or cleared).
        public var minimumDwellMilliseconds: Int64 = 30_000
        /// Trading seconds per year used to annualise (252 days × 6.5 hours).
        public var tradingSecondsPerYear = 252.0 * 6.5 * 3600
    }

    /// The outbound PUB socket and its periodic messages.
    public struct Publish: Sendable, Hashable {
        /// Endpoint the PUB socket binds; `nil` publishes nowhere (useful for replay into files later).
        public var endpoint: String? = "tcp://127.0.0.1:5556"
        /// Where a ROUTER socket answers late subscribers with the open alerts and the newest risk
        /// snapshots (Docs/WIRE.md, "Snapshot of open state"); `nil`: no such socket.
        public var snapshotEndpoint: String?
        public var heartbeatMilliseconds: Int64 = 1_000
        /// Period of `risk.<SYMBOL>` snapshots; 0 turns them off.
        public var riskSnapshotMilliseconds: Int64 = 1_000
        public var sendHighWaterMark: Int32 = 100_000
        /// Payload encoding of outbound messages.
        public var encoding: Encoding = .json
    }

    public enum Encoding: String, Sendable, Hashable, CaseIterable {
        case json, binary
    }
}
