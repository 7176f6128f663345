import RiskModels
import Testing

@Suite struct FeatureSpecTests {
    @Test func everyDefaultNameRoundTrips() throws {
        for spec in FeatureSpec.defaultSet {
            #expect(try FeatureSpec.parse(spec.name) == spec)
        }
        #expect(FeatureSpec.defaultSet.map(\.name).contains("realized_vol_50"))
        #expect(Set(FeatureSpec.defaultSet.map(\.name)).count == FeatureSpec.defaultSet.count)
    }

    @Test(arguments: [
        ("return_1", FeatureSpec.logReturn(lag: 1)), ("return_255", .logReturn(lag: 255)),
        ("realized_vol_1", .realizedVolatility(window: 1)), ("range_2", .range(window: 2)),
        ("volume_z_50", .volumeZScore(window: 50)), ("ewma_vol", .ewmaVolatility), ("spread_bps", .spreadBps),
        ("quote_imbalance", .quoteImbalance), ("trade_intensity", .tradeIntensity), ("since_trade", .sinceTrade),
        ("news_sentiment", .newsSentiment), ("news_intensity", .newsIntensity), ("index_return", .indexReturn),
    ])
    func parsesEachKind(name: String, expected: FeatureSpec) throws {
        let spec = try FeatureSpec.parse(name, windowCapacity: 256)
        #expect(spec == expected)
        #expect(spec.name == name)
    }

    @Test(arguments: [
        ("return_0", "k must be at least 1"),
        ("range_1", "n must be at least 2"),
        ("volume_z_1", "n must be at least 2"),
        ("return_256", "k = 256 is beyond the symbol window: at most 255 with a window capacity of 256"),
        ("realized_vol_99999999999999999999999", "beyond the symbol window"),
        ("return_x", "must be a whole number, as in return_20"),
        ("return_-1", "must be a whole number"),
        ("return_+1", "must be a whole number"),
        ("return_", "must be a whole number"),
        ("range_05", "without leading zeros"),
        ("return", "needs a parameter, as in return_20"),
        ("realized_vol", "needs a parameter, as in realized_vol_20"),
        ("ewma_vol_5", "unknown feature; known features: return_<k>, ewma_vol,"),
        ("Spread_bps", "unknown feature"),
        ("", "unknown feature"),
    ])
    func rejectsWithAReason(name: String, reason: String) {
        #expect {
            _ = try FeatureSpec.parse(name, windowCapacity: 256)
        } throws: { error in
            guard let error = error as? FeatureSpecError else { return false }
            return error.name == name && error.reason.contains(reason)
                && error.description.hasPrefix("feature '\(name)': ")
        }
    }

    @Test func theWindowCapacityBoundsTheParameters() throws {
        #expect(try FeatureSpec.parse("range_49", windowCapacity: 50) == .range(window: 49))
        #expect(throws: FeatureSpecError.self) { try FeatureSpec.parse("range_50", windowCapacity: 50) }
        // The default set needs a window of 51.
        #expect(try FeatureSpec.parse(list: FeatureSpec.defaultSet.map(\.name), windowCapacity: 51) == FeatureSpec.defaultSet)
        #expect(throws: FeatureSpecError.self) {
            try FeatureSpec.parse(list: FeatureSpec.defaultSet.map(\.name), windowCapacity: 50)
        }
    }

    @Test func aListKeepsItsOrderAndRejectsDuplicates() throws {
        #expect(try FeatureSpec.parse(list: ["since_trade", "return_3"]) == [.sinceTrade, .logReturn(lag: 3)])
        #expect(throws: FeatureSpecError(name: "return_3", reason: "listed twice")) {
            try FeatureSpec.parse(list: ["return_3", "ewma_vol", "return_3"])
        }
        #expect(FeatureSpec.range(window: 7).parameter == 7 && FeatureSpec.ewmaVolatility.parameter == nil)
    }
}
