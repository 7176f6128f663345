import MarketSimulator
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsAreValid() throws {
        try SimulatorConfiguration.standard(seed: 1).validate()
        try SimulatorConfiguration.symbols(["SPY", "A", "BRK.B"], seed: 1).validate()
    }

    /// Each case breaks one rule; `validate()` must name the field.
    @Test(
        arguments: [
            ("instruments", { @Sendable (c: inout SimulatorConfiguration) in c.instruments = [] }),
            ("instruments[1].symbol", { c in c.instruments[1].symbol = "BAD SYMBOL" }),
            ("instruments[1].symbol", { c in c.instruments[1].symbol = "" }),
            ("instruments[1].symbol", { c in c.instruments[1].symbol = String(repeating: "X", count: 65) }),
            ("instruments[1].symbol", { c in c.instruments[1].symbol = "SPX" }),
            ("instruments[2].initialPrice", { c in c.instruments[2].initialPrice = 0 }),
            ("instruments[2].initialPrice", { c in c.instruments[2].initialPrice = .infinity }),
            ("instruments[2].tickSize", { c in c.instruments[2].tickSize = 0 }),
            ("instruments[2].idiosyncraticVolatility", { c in c.instruments[2].idiosyncraticVolatility = -1 }),
            ("indexSymbol", { c in c.indexSymbol = "NOPE" }),
            ("meanEventSpacingNanoseconds", { c in c.meanEventSpacingNanoseconds = 0 }),
            ("newsProbability", { c in c.newsProbability = 1 }),
            ("sentimentOmittedFraction", { c in c.sentimentOmittedFraction = 1.5 }),
            ("stressed.jumpProbability", { c in c.stressed.jumpProbability = .nan }),
            ("calm.volatilityMultiplier", { c in c.calm.volatilityMultiplier = 0 }),
        ] as [(String, @Sendable (inout SimulatorConfiguration) -> Void)])
    func invalidFieldsAreNamed(field: String, breakIt: @Sendable (inout SimulatorConfiguration) -> Void) {
        var configuration = SimulatorConfiguration.standard(seed: 1)
        breakIt(&configuration)
        #expect(throws: SimulatorConfigurationError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.field == field)
        }
    }
}
