import MarketEvents

#if canImport(Glibc)
import Glibc
#endif

// A simulated trading desk: `position.<ACCOUNT>` events, the way an execution engine reports fills, so
// the demo exercises hedging with no outside service.

extension SimulatorConfiguration {
    /// Accounts that report positions, and how often.
    public struct Desk: Sendable, Hashable {
        /// Account names (valid wire keys).
        public var accounts: [String]
        /// Probability that an event is a position report rather than a tick, in `[0, 1)`.
        public var positionProbability: Double
        /// Largest absolute notional of one position, in price units.
        public var maximumNotional: Double
        /// Fraction of positions that are long.
        public var longFraction: Double

        public init(
            accounts: [String], positionProbability: Double = 0.0005, maximumNotional: Double = 5_000_000,
            longFraction: Double = 0.7
        ) {
            self.accounts = accounts
            self.positionProbability = positionProbability
            self.maximumNotional = maximumNotional
            self.longFraction = longFraction
        }
    }
}

extension MarketSimulator {
    /// One position report: a random account sets its holding in a random non-index symbol to a
    /// notional between 20 % and 100 % of the maximum, at the current mid. Always five draws.
    mutating func makePosition(_ desk: SimulatorConfiguration.Desk, ts: Int64) -> Position {
        let accountDraw = generator.next()
        let symbolDraw = generator.next()
        let size = generator.nextUnitDouble()
        let side = generator.nextUnitDouble()
        _ = generator.next()  // reserved, keeps the draw count fixed if a field is added
        let candidates = instruments.indices.filter { !instruments[$0].isIndex }
        let i = candidates.isEmpty ? 0 : candidates[Int(symbolDraw % UInt64(candidates.count))]
        let price = exp(instruments[i].logPrice)
        let notional = desk.maximumNotional * (0.2 + 0.8 * size)
        let quantity = ((side < desk.longFraction ? 1 : -1) * notional / price).rounded()
        let account = desk.accounts[Int(accountDraw % UInt64(desk.accounts.count))]
        return Position(account: account, symbol: symbols[i], quantity: quantity, ts: ts, price: nil)
    }
}
