import Foundation
import MarketEvents
import RiskEngine
import Testing

/// Positions and hedge signals over real sockets: each account is held to its own risk appetite, and
/// the hedge's direction follows the position's sign and the beta's.
@Suite struct RiskStageHedgingTests {
    /// An index and three stocks with betas 1.3, 0.7 and −0.9, learned over ten minutes of event time;
    /// then positions of the same size in accounts with different limits.
    @Test func eachAccountIsHeldToItsOwnLimits() throws {
        let harness = try EngineHarness.risk {
            $0.learning.referenceSymbol = "IDX"
            $0.learning.models = [.init(name: "sgd", kind: .sgd)]
            $0.hedging.betaLambda = 0.999
            $0.hedging.accounts = [
                "TIGHT": .init(varLimit: 1_000),
                "LOOSE": .init(varLimit: 1e12),
                "NOLIMITS": .init(),
                "SHORTS": .init(varLimit: 1_000),
                "BOOK": .init(portfolioVaRLimit: 1_000),
            ]
            // Accounts not named above: a limit on volatility-scaled notional only.
            $0.hedging.defaultLimits = .init(volatilityNotionalLimit: 1_000)
        }
        let tape = Tape.pairs(betas: [("ACME", 1.3), ("GLOBEX", 0.7), ("INVERSE", -0.9)], seconds: 600)
        try harness.send(tape.events)
        var ms = tape.lastMs
        func hold(_ account: String, _ symbol: String, _ quantity: Double) throws {
            ms += 1
            try harness.send(.position(Position(account: account, symbol: symbol, quantity: quantity, ts: Tape.ts(ms))))
        }
        try hold("TIGHT", "ACME", 10_000)
        try hold("LOOSE", "ACME", 10_000)
        try hold("NOLIMITS", "ACME", 10_000)
        try hold("WALKIN", "ACME", 10_000)
        try hold("TIGHT", "GLOBEX", 10_000)
        try hold("TIGHT", "INVERSE", 10_000)
        try hold("SHORTS", "ACME", -10_000)
        try hold("SHORTS", "INVERSE", -10_000)
        try hold("BOOK", "ACME", 10_000)
        try hold("BOOK", "GLOBEX", 10_000)
        try harness.sync()

        let hedges = harness.hedges
        func only(_ account: String, _ symbol: String) throws -> Hedge {
            let matching = hedges.filter { $0.account == account && $0.symbol == symbol }
            try #require(matching.count == 1, "\(account) \(symbol): \(matching)")
            return matching[0]
        }
        #expect(hedges.allSatisfy { $0.hedgeSymbol == "IDX" })
        #expect(!hedges.contains { $0.account == "LOOSE" }, "a loose limit is not breached")
        #expect(!hedges.contains { $0.account == "NOLIMITS" }, "a named account without limits never hedges")

        // The tighter account gets the minimum-variance hedge: sell β × notional of the index.
        let acme = try only("TIGHT", "ACME")
        #expect(abs(acme.ratio - 1.3) < 0.15, "beta \(acme.ratio)")
        let acmeNotional = 10_000 * tape.prices["ACME"]!
        let index = tape.prices["IDX"]!
        #expect(acme.quantity < 0)
        #expect(abs(acme.quantity + acme.ratio * acmeNotional / index) < 1e-6 * abs(acme.quantity))
        #expect(acme.reason.contains("VaR"), "\(acme.reason)")
        let globex = try only("TIGHT", "GLOBEX")
        #expect(abs(globex.ratio - 0.7) < 0.15, "beta \(globex.ratio)")
        #expect(globex.quantity < 0)

        // Unnamed accounts fall back to `default_limits`, here on volatility-scaled notional.
        let walkIn = try only("WALKIN", "ACME")
        #expect(walkIn.quantity == acme.quantity, "same position, same beta, same hedge")
        #expect(walkIn.reason.contains("volatility-scaled notional"), "\(walkIn.reason)")

        // Signs: a negative beta buys the index for a long, a short buys it with a positive beta, and a
        // short with a negative beta sells it.
        let inverse = try only("TIGHT", "INVERSE")
        #expect(abs(inverse.ratio + 0.9) < 0.15, "beta \(inverse.ratio)")
        #expect(inverse.quantity > 0, "long, negative beta: buy the index")
        let shortAcme = try only("SHORTS", "ACME")
        #expect(shortAcme.quantity > 0, "short, positive beta: buy the index")
        #expect(abs(shortAcme.quantity + acme.quantity) < 1e-9 * abs(acme.quantity), "the mirror of the long")
        let shortInverse = try only("SHORTS", "INVERSE")
        #expect(shortInverse.quantity < 0, "short, negative beta: sell the index")
        #expect(abs(shortInverse.quantity + inverse.quantity) < 1e-9 * abs(inverse.quantity))

        // BOOK has only a portfolio limit: its signals are on `hedge.IDX`, and the last one hedges the
        // beta-weighted exposure of both legs (sized with the same betas as the single-position hedges).
        let book = hedges.filter { $0.account == "BOOK" }
        #expect(!book.isEmpty && book.allSatisfy { $0.symbol == "IDX" }, "\(book)")
        let last = try #require(book.last)
        let globexNotional = 10_000 * tape.prices["GLOBEX"]!
        let exposure = acme.ratio * acmeNotional + globex.ratio * globexNotional
        #expect(
            abs(last.quantity + exposure / index) < 1e-6 * abs(last.quantity),
            "\(last.quantity) vs \(-exposure / index)")
        #expect(abs(last.notional - last.quantity * index) < 1e-6 * abs(last.notional))
        #expect(abs(last.ratio - exposure / (acmeNotional + globexNotional)) < 1e-6, "hedge per unit of gross notional")
        #expect(last.reason.contains("portfolio VaR"), "\(last.reason)")

        let beat = try #require(try harness.heartbeat { _ in true })
        #expect(beat.hedgesOut == UInt64(hedges.count))
    }
}

extension RiskStageHedgingTests {
    /// Portfolio limits count a position in the hedge instrument itself (beta 1): an account building up
    /// a stock position together with its index hedge stays within its limit and gets no signal, while
    /// an account holding the stock alone (the control) is over it and does.
    @Test func aPortfolioCountsItsPositionInTheHedgeInstrument() throws {
        let harness = try EngineHarness.risk {
            $0.learning.referenceSymbol = "IDX"
            $0.learning.models = [.init(name: "sgd", kind: .sgd)]
            $0.hedging.betaLambda = 0.999
            $0.hedging.defaultLimits = .init(portfolioVaRLimit: 20_000)
        }
        let tape = Tape.pairs(betas: [("ACME", 1.3)], seconds: 600)
        try harness.send(tape.events)
        let (acme, index) = (tape.prices["ACME"]!, tape.prices["IDX"]!)
        var ms = tape.lastMs
        func hold(_ account: String, _ symbol: String, _ quantity: Double) throws {
            ms += 1
            try harness.send(.position(Position(account: account, symbol: symbol, quantity: quantity, ts: Tape.ts(ms))))
        }
        // Built up in steps, each leg's unmatched part well within the limit.
        for step in 1...10 {
            let quantity = Double(step) * 1_000
            try hold("HEDGED", "ACME", quantity)
            try hold("HEDGED", "IDX", -1.3 * quantity * acme / index)
        }
        try hold("CONTROL", "ACME", 10_000)
        try harness.sync()
        let hedges = harness.hedges
        #expect(hedges.filter { $0.account == "CONTROL" }.count == 1, "\(hedges)")
        #expect(!hedges.contains { $0.account == "HEDGED" }, "\(hedges)")
    }
}
