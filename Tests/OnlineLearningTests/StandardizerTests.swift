import OnlineLearning
import SeededRandom
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct StandardizerTests {
    @Test func welfordMatchesNaiveMeanAndVariance() {
        var rng = Xoshiro256(seed: 2)
        var s = RunningStandardizer(featureCount: 3)
        var rows: [[Double]] = []
        for _ in 0..<500 {
            let x = [1e6 + rng.nextGaussian(), 1e-4 * rng.nextGaussian(), 5]
            rows.append(x)
            s.update(x)
        }
        for j in 0..<3 {
            let column = rows.map { $0[j] }
            let mean = column.reduce(0, +) / 500
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 500
            #expect(abs(s.means[j] - mean) <= 1e-9 * max(1, abs(mean)))
            #expect(abs(s.variances[j] - variance) <= 1e-7 * max(variance, 1e-300))
        }
        var out = [0.0, 0, 0]
        s.transform(rows[0], into: &out)
        #expect(abs(out[0] - (rows[0][0] - s.means[0]) / s.variances[0].squareRoot()) < 1e-9)
        #expect(out[2] == 0)  // constant feature: centred, not divided by ~0
    }

    @Test func exponentialForgettingMatchesWeightedStatistics() {
        let alpha = 0.1
        var s = RunningStandardizer(featureCount: 1, forgetting: .decay(alpha: alpha))
        let values = (0..<60).map { Double(($0 * 37) % 11) }
        for v in values { s.update([v]) }
        // Row i (0-based, of n) has weight (1 − α)^(n − 1 − i).
        let weights = values.indices.map { pow(1 - alpha, Double(values.count - 1 - $0)) }
        let w = weights.reduce(0, +)
        var mean = 0.0
        for (wi, v) in zip(weights, values) { mean += wi * v / w }
        var variance = 0.0
        for (wi, v) in zip(weights, values) { variance += wi * (v - mean) * (v - mean) / w }
        #expect(abs(s.means[0] - mean) < 1e-9)
        #expect(abs(s.variances[0] - variance) < 1e-9)
        #expect(abs(RunningStandardizer.Forgetting.halfLife(rows: 10).alpha - (1 - pow(2, -0.1))) < 1e-15)
    }

    @Test func regimeChangeIsForgotten() {
        var s = RunningStandardizer(featureCount: 1, forgetting: .halfLife(rows: 50))
        for _ in 0..<1000 { s.update([0]) }
        for _ in 0..<1000 { s.update([100]) }
        // After 1000 rows at a half-life of 50 the old regime weighs 2^−20 of the total.
        #expect(abs(s.means[0] - 100) < 1e-3)
        #expect(abs(s.means[0] - 100) > 0)
    }

    @Test func nonFiniteValuesAreIgnoredAndMapToZero() {
        var s = RunningStandardizer(featureCount: 2)
        s.update([1, 2])
        s.update([.nan, 4])
        s.update([3, .infinity])
        #expect(s.means == [2, 3])
        #expect(s.transform([.nan, 3]) == [0, 0])
    }

    @Test(arguments: [RunningStandardizer.Forgetting.none, .halfLife(rows: 20), .decay(alpha: 0.3)])
    func checkpointRoundTripsMidStream(_ forgetting: RunningStandardizer.Forgetting) throws {
        var rng = Xoshiro256(seed: 8)
        var a = RunningStandardizer(featureCount: 2, forgetting: forgetting)
        for _ in 0..<100 { a.update([rng.nextGaussian(), 10 * rng.nextGaussian()]) }
        let bytes = a.savedState()
        var b = try RunningStandardizer(savedState: bytes)
        var oa = [0.0, 0], ob = [0.0, 0]
        for _ in 0..<100 {
            let x = [rng.nextGaussian(), 10 * rng.nextGaussian()]
            a.updateAndTransform(x, into: &oa)
            b.updateAndTransform(x, into: &ob)
            #expect(oa.map(\.bitPattern) == ob.map(\.bitPattern))
        }
        for n in 0..<bytes.count {
            #expect(throws: ModelStateError.self) { try RunningStandardizer(savedState: Array(bytes[..<n])) }
        }
    }
}
