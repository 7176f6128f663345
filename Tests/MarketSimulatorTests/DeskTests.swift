import MarketEvents
import MarketSimulator
import Testing

@Suite struct DeskTests {
    static func configuration(seed: UInt64 = 3) -> SimulatorConfiguration {
        var c = SimulatorConfiguration.standard(seed: seed)
        c.desk = .init(accounts: ["DESK-A", "DESK-B"], positionProbability: 0.01, maximumNotional: 1_000_000)
        return c
    }

    @Test func theDeskReportsPositionsInStocksAtTheConfiguredRate() throws {
        try Self.configuration().validate()
        var simulator = MarketSimulator(configuration: Self.configuration())
        var positions: [Position] = []
        var mids: [String: Double] = [:]
        let n = 50_000
        for _ in 0..<n {
            switch simulator.next() {
            case .position(let p):
                positions.append(p)
                // Sized at the current price: notional within 20-100 % of the maximum (one tick of slack).
                if let mid = mids[p.symbol] {
                    let notional = abs(p.quantity) * mid
                    #expect(notional > 190_000 && notional < 1_010_000, "\(p) at \(mid)")
                }
            case .tick(let t): mids[t.symbol] = SymbolStateMid.of(t)
            default: break
            }
        }
        // 1 % of events, binomial: 500 expected, sd ~22.
        #expect(positions.count > 400 && positions.count < 600, "\(positions.count)")
        #expect(Set(positions.map(\.account)) == ["DESK-A", "DESK-B"])
        #expect(!positions.contains { $0.symbol == "SPX" }, "the index is the hedge, not a holding")
        let longs = positions.filter { $0.quantity > 0 }.count
        #expect(Double(longs) / Double(positions.count) > 0.6 && Double(longs) / Double(positions.count) < 0.8)
        for p in positions { #expect(WireCodec.isValidSymbol(p.account) && p.quantity == p.quantity.rounded()) }
    }

    @Test func theSameSeedGivesTheSamePositions() {
        var a = MarketSimulator(configuration: Self.configuration(seed: 9))
        var b = MarketSimulator(configuration: Self.configuration(seed: 9))
        for _ in 0..<20_000 { #expect(a.next() == b.next()) }
    }

    @Test func aBadDeskIsRejectedNamingTheField() {
        var c = Self.configuration()
        c.desk?.accounts = ["bad account"]
        #expect(throws: SimulatorConfigurationError.self) { try c.validate() }
        c = Self.configuration()
        c.desk?.positionProbability = 1
        do {
            try c.validate()
            Issue.record("accepted probability 1")
        } catch {
            #expect(error.field == "desk.positionProbability")
        }
    }
}

/// The quote mid when both sides are present, else the trade price.
enum SymbolStateMid {
    static func of(_ t: Tick) -> Double {
        if let b = t.bid, let a = t.ask { return (b + a) / 2 }
        return t.price
    }
}
