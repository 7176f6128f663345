import OnlineLearning
import RiskModels
import SeededRandom
import Testing

@Suite struct NewsImpactModelTests {
    static let filler = [
        "acme", "widget", "reports", "quarterly", "update", "shares", "market", "outlook", "board", "meeting",
        "product", "customers", "europe", "asia", "sales", "plant", "chief", "officer", "statement", "analysts",
    ]

    /// Headlines of 5 filler words; a quarter also carry "subpoena", and those are followed by a high
    /// target (log volatility ratio 1.0 against 0.0 otherwise, plus noise).
    static func stream(count: Int, seed: UInt64) -> [(headline: String, target: Double, planted: Bool)] {
        var rng = Xoshiro256(seed: seed)
        return (0..<count).map { _ in
            var words = (0..<5).map { _ in filler[Int(rng.next() % UInt64(filler.count))] }
            let planted = rng.nextUnitDouble() < 0.25
            if planted { words.insert("subpoena", at: Int(rng.next() % 6)) }
            let target = (planted ? 1.0 : 0.0) + 0.1 * rng.nextGaussian()
            return (words.joined(separator: " "), target, planted)
        }
    }

    @Test func preparesUnigramsBigramsAndBodyValues() {
        let model = NewsImpactModel(options: .init(bits: 10))
        let f = model.prepare(headline: "ACME opens probe, shares fall", body: "The probe widens")
        #expect(
            f.terms == [
                "acme", "opens", "probe", "shares", "fall", "acme opens", "opens probe", "shares fall", "the",
                "widens", "the probe", "probe widens",
            ])
        #expect(f.values == [1, 1, 1, 1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5])
        #expect(f.hashed.indices == f.hashed.indices.sorted())
        #expect(f.hashed.indices.allSatisfy { $0 >= 0 && $0 < 1024 })
        let noBigrams = NewsImpactModel(options: .init(bits: 10, bigrams: false)).prepare(headline: "a b c")
        #expect(noBigrams.terms == ["a", "b", "c"])
    }

    @Test func learnsThePlantedWordAndRanksItFirst() {
        var model = NewsImpactModel()
        let train = Self.stream(count: 3000, seed: 7)
        for item in train {
            let f = model.prepare(headline: item.headline)
            model.learn(f, target: item.target)
        }
        #expect(model.updateCount == 3000)
        // Across the vocabulary, "subpoena" has the largest weight.
        let ranked = (Self.filler + ["subpoena"]).sorted { model.weight(of: $0) > model.weight(of: $1) }
        #expect(ranked.first == "subpoena")
        #expect(model.weight(of: "subpoena") > 0.5)
        // In one item's explanation it comes first.
        let f = model.prepare(headline: "ACME board meeting subpoena sales update")
        #expect(model.contributions(of: f, limit: 3).first?.term == "subpoena")
        #expect(model.contributions(of: f, limit: 3).count == 3)
        // Held-out items: planted ones are predicted higher.
        let test = Self.stream(count: 400, seed: 8)
        let planted = test.filter(\.planted).map { model.predict(model.prepare(headline: $0.headline)) }
        let plain = test.filter { !$0.planted }.map { model.predict(model.prepare(headline: $0.headline)) }
        let plantedMean = planted.reduce(0, +) / Double(planted.count)
        let plainMean = plain.reduce(0, +) / Double(plain.count)
        #expect(plantedMean > 0.7 && plainMean < 0.3, "planted \(plantedMean), plain \(plainMean)")
    }

    @Test func contributionsSumToThePredictionAboveTheIntercept() {
        var model = NewsImpactModel(options: .init(bits: 18, bigrams: false))
        for item in Self.stream(count: 500, seed: 3) { model.learn(model.prepare(headline: item.headline), target: item.target) }
        let f = model.prepare(headline: "widget subpoena europe")
        let total = model.contributions(of: f).map(\.contribution).reduce(0, +)
        #expect(abs(total + model.intercept - model.predict(f)) < 1e-9)
    }

    @Test func skipsNonFiniteTargets() {
        var model = NewsImpactModel(options: .init(bits: 8))
        let f = model.prepare(headline: "acme")
        model.learn(f, target: .nan)
        #expect(model.updateCount == 0 && model.predict(f) == 0)
    }

    @Test func checkpointRoundTripPredictsTheSame() throws {
        var model = NewsImpactModel(options: .init(bits: 12, seed: 42, bodyWeight: 0.25, maximumTokens: 64))
        for item in Self.stream(count: 300, seed: 11) { model.learn(model.prepare(headline: item.headline), target: item.target) }
        let bytes = model.savedState()
        var restored = try NewsImpactModel(savedState: bytes)
        #expect(restored.options == model.options)
        #expect(restored.savedState() == bytes)
        let f = model.prepare(headline: "subpoena europe", body: "board meeting")
        #expect(restored.prepare(headline: "subpoena europe", body: "board meeting") == f)
        #expect(restored.predict(f) == model.predict(f))
        // Both keep learning identically.
        model.learn(f, target: 2)
        restored.learn(f, target: 2)
        #expect(restored.savedState() == model.savedState())
        #expect(throws: ModelStateError.self) { try NewsImpactModel(savedState: Array(bytes.dropLast(3))) }
    }
}
