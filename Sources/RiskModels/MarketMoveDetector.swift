/// Recognises a market-wide move: many symbols jumping the same way within a short window of event time.
/// A jump that one symbol's own prints would take a few ticks to confirm (`JumpFilter`) is confirmed at
/// once when it is part of such a move; a bad print is a single symbol's affair and never is.
///
/// Each suspect jump is noted with its symbol (any stable integer id), direction and event time. A move
/// starts when suspects of at least `minimumSymbols` distinct symbols in one direction lie within
/// `window` of the newest of them; while a move is on, a suspect in its direction within `window` of the move's
/// latest suspect joins it (and extends it). The caller then confirms every symbol's pending jump in that
/// direction within `window` (`isPart(of:ts:)`).
///
/// - Complexity: `note` O(`capacity`²) worst case (distinct symbols among the recent suspects; suspects
///   are rare), no allocation after `init`; memory O(`capacity`).
public struct MarketMoveDetector: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Distinct symbols jumping the same way that make a market-wide move (`>= 2`).
        public var minimumSymbols: Int
        /// Event time (nanoseconds) within which their jumps must fall.
        public var window: Int64
        /// Recent suspects remembered (the oldest is forgotten first); at least `minimumSymbols`.
        public var capacity: Int

        public init(minimumSymbols: Int = 3, window: Int64 = 1_000_000_000, capacity: Int = 64) {
            self.minimumSymbols = minimumSymbols
            self.window = window
            self.capacity = max(capacity, minimumSymbols)
        }
    }

    /// A move in progress: its direction (+1 up, −1 down) and the event time of its latest suspect.
    public struct Move: Sendable, Hashable {
        public var direction: Int
        public var latest: Int64

        public init(direction: Int, latest: Int64) {
            self.direction = direction
            self.latest = latest
        }
    }

    private struct Noted: Sendable, Hashable {
        var symbol: Int
        var direction: Int
        var ts: Int64
    }

    public let configuration: Configuration
    /// The latest market-wide move, if any (it may be long over: see `isPart(of:ts:)`).
    public private(set) var move: Move?
    private var recent: [Noted] = []
    private var next = 0

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.minimumSymbols >= 2 && configuration.window >= 0)
        self.configuration = configuration
        recent.reserveCapacity(configuration.capacity)
    }

    /// Notes a suspect jump of `symbol` with log return `jumpReturn` at event time `ts`. Returns whether it
    /// is part of a market-wide move (which `move` then describes).
    /// - Complexity: O(`capacity`²) worst case, no allocation.
    public mutating func note(symbol: Int, jumpReturn: Double, at ts: Int64) -> Bool {
        let direction = jumpReturn < 0 ? -1 : 1
        let noted = Noted(symbol: symbol, direction: direction, ts: ts)
        if recent.count < configuration.capacity {
            recent.append(noted)
        } else {
            recent[next] = noted
            next = (next + 1) % configuration.capacity
        }
        if isPart(of: direction, ts: ts) {
            move!.latest = max(move!.latest, ts)
            return true
        }
        var symbols = 0
        for i in recent.indices where matches(recent[i], direction, ts) {
            let seen = recent[..<i].contains { matches($0, direction, ts) && $0.symbol == recent[i].symbol }
            if !seen { symbols += 1 }
        }
        guard symbols >= configuration.minimumSymbols else { return false }
        move = Move(direction: direction, latest: ts)
        return true
    }

    /// Whether a jump in `direction` (+1 or −1) at event time `ts` belongs to the current market-wide move.
    /// - Complexity: O(1).
    public func isPart(of direction: Int, ts: Int64) -> Bool {
        guard let move, move.direction == direction else { return false }
        return abs(ts &- move.latest) <= configuration.window
    }

    private func matches(_ noted: Noted, _ direction: Int, _ ts: Int64) -> Bool {
        noted.direction == direction && abs(noted.ts &- ts) <= configuration.window
    }
}
