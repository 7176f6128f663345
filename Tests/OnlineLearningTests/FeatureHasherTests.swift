import OnlineLearning
import Testing

@Suite struct FeatureHasherTests {
    /// Pinned digests (computed independently from the documented FNV-1a + fmix64 definition): a change
    /// of hash would silently break every saved model.
    @Test func digestsArePinned() {
        #expect(FeatureHasher(seed: 0).digest("hello") == 0xE9C5_62C0_FDB2_3244)
        #expect(FeatureHasher(seed: 7).digest("hello") == 0xD9D5_9D16_0D57_AF5D)
        #expect(FeatureHasher(seed: 0).digest("") == 0xEFD0_1F60_BA99_2926)
        #expect(FeatureHasher(seed: 0).digest("é") == 0x9D55_CCB9_BA86_763B)
        let h = FeatureHasher(bits: 10)
        #expect(h.bucket(of: h.digest("hello")) == (580, -1))
        #expect(h.digest("hello"[...]) == h.digest("hello"))
        #expect(h.digest(field: "side", value: "buy") != h.digest(field: "sid", value: "ebuy"))
    }

    @Test func bucketsAndSignsAreSpread() {
        let h = FeatureHasher(bits: 4, seed: 1)
        var counts = Array(repeating: 0, count: 16)
        var negative = 0
        for i in 0..<16000 {
            let (index, sign) = h.bucket(of: h.digest("token\(i)"))
            counts[index] += 1
            if sign < 0 { negative += 1 }
        }
        #expect(counts.allSatisfy { $0 > 800 && $0 < 1200 })
        #expect(negative > 7600 && negative < 8400)
    }

    @Test func transformConsolidatesSortedDistinctIndices() {
        let h = FeatureHasher(bits: 3)
        var features = HashedFeatures()
        let tokens = (0..<40).map { "w\($0 % 13)" }
        h.transform(tokens: tokens, into: &features)
        #expect(features.indices == features.indices.sorted())
        #expect(Set(features.indices).count == features.count)
        // Same sums as a dense accumulation.
        var dense = Array(repeating: 0.0, count: 8)
        for t in tokens {
            let (i, s) = h.bucket(of: h.digest(t))
            dense[i] += s
        }
        for (i, v) in zip(features.indices, features.values) { #expect(dense[i] == v) }
        #expect(features.count == dense.filter { $0 != 0 }.count)
    }

    @Test func hashedFeaturesTrainTheSparsePath() throws {
        let h = FeatureHasher(bits: 12, seed: 3)
        var model = SGDRegressor(featureCount: h.bucketCount)
        var features = HashedFeatures(capacity: 8)
        for i in 0..<400 {
            let up = i % 2 == 0
            h.transform(tokens: [up ? "rally" : "selloff", "news"], into: &features)
            model.learn(indices: features.indices, values: features.values, up ? 1 : -1)
        }
        h.transform(tokens: ["rally", "news"], into: &features)
        #expect(model.predict(indices: features.indices, values: features.values) > 0.8)
        #expect(try FeatureHasher(savedState: h.savedState()) == h)
    }
}
