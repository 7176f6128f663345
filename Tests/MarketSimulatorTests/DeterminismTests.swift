import MarketEvents
import MarketSimulator
import Testing

@Suite struct DeterminismTests {
    @Test(arguments: [0, 42, UInt64.max])
    func sameSeedGivesIdenticalStreams(seed: UInt64) {
        var a = MarketSimulator(configuration: .standard(seed: seed))
        var b = MarketSimulator(configuration: .standard(seed: seed))
        var mismatches = 0
        for _ in 0..<100_000 where a.next() != b.next() {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(a.regime == b.regime)
        #expect(a.jumpCount == b.jumpCount)
    }

    @Test(arguments: [0, 42, UInt64.max])
    func differentSeedsGiveDifferentStreams(seed: UInt64) {
        var a = MarketSimulator(configuration: .standard(seed: seed))
        var b = MarketSimulator(configuration: .standard(seed: seed &+ 1))
        var equal = 0
        for _ in 0..<1_000 where a.next() == b.next() {
            equal += 1
        }
        #expect(equal == 0)
    }

    @Test func copyingForksTheStream() {
        var original = MarketSimulator(configuration: .standard(seed: 7))
        for _ in 0..<1_000 { _ = original.next() }
        var copy = original
        for _ in 0..<1_000 {
            #expect(original.next() == copy.next())
        }
    }

    @Test func generatedSymbolParametersAreSeeded() {
        let a = SimulatorConfiguration.symbols(["AAA", "ES", "BBB"], seed: 1)
        #expect(a == SimulatorConfiguration.symbols(["AAA", "ES", "BBB"], seed: 1))
        #expect(a != SimulatorConfiguration.symbols(["AAA", "ES", "BBB"], seed: 2))
        #expect(a.indexSymbol == "ES")
        #expect(a.instruments.map(\.symbol) == ["AAA", "ES", "BBB"])
        #expect(a.instruments[1].beta == 1 && a.instruments[1].idiosyncraticVolatility == 0)
        #expect(a.instruments[1].tickSize == 0.25)
        #expect(SimulatorConfiguration.symbols(["AAA", "BBB"], seed: 1).indexSymbol == nil)
    }
}
