import OnlineLearning
import SeededRandom
import Testing

@Suite struct MetricsTests {
    static func naive(_ pairs: ArraySlice<(Double, Double)>) -> (mae: Double, rmse: Double, r2: Double) {
        let n = Double(pairs.count)
        let mae = pairs.map { abs($0.0 - $0.1) }.reduce(0, +) / n
        let sse = pairs.map { ($0.0 - $0.1) * ($0.0 - $0.1) }.reduce(0, +)
        let mean = pairs.map(\.0).reduce(0, +) / n
        let sst = pairs.map { ($0.0 - mean) * ($0.0 - mean) }.reduce(0, +)
        return (mae, (sse / n).squareRoot(), sst > 0 ? 1 - sse / sst : 0)
    }

    static func pairs(_ count: Int, offset: Double = 0) -> [(Double, Double)] {
        var rng = Xoshiro256(seed: 21)
        return (0..<count).map { _ in
            let y = offset + rng.nextGaussian()
            return (y, y + 0.3 * rng.nextGaussian())
        }
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }

    @Test(arguments: [0.0, 1e6])
    func cumulativeMatchesNaive(offset: Double) {
        let data = Self.pairs(2000, offset: offset)
        var m = RegressionMetrics()
        for (i, (y, p)) in data.enumerated() {
            m.update(target: y, prediction: p)
            if i % 97 == 0 || i == data.count - 1 {
                let ref = Self.naive(data[...i])
                #expect(Self.close(m.mae, ref.mae) && Self.close(m.rmse, ref.rmse))
                #expect(abs(m.r2 - ref.r2) < 1e-6, "r2 \(m.r2) vs \(ref.r2) at \(i)")
            }
        }
        #expect(m.count == 2000)
    }

    @Test(arguments: [1, 3, 7, 64])
    func rollingMatchesNaive(window: Int) {
        let data = Self.pairs(700, offset: 1e3)
        var m = RollingRegressionMetrics(window: window)
        for (i, (y, p)) in data.enumerated() {
            m.update(target: y, prediction: p)
            let ref = Self.naive(data[max(0, i - window + 1)...i])
            #expect(Self.close(m.mae, ref.mae) && Self.close(m.rmse, ref.rmse), "at \(i)")
            #expect(abs(m.r2 - ref.r2) < 1e-6 * max(1, abs(ref.r2)), "r2 \(m.r2) vs \(ref.r2) at \(i)")
        }
    }

    @Test func constantTargetsAndNonFinitePairs() {
        var m = RegressionMetrics()
        m.update(target: 1, prediction: 2)
        m.update(target: 1, prediction: 0)
        m.update(target: .nan, prediction: 0)
        #expect(m.count == 2 && m.mae == 1 && m.rmse == 1 && m.r2 == 0)
    }

    @Test func checkpointRoundTrips() throws {
        var m = RollingRegressionMetrics(window: 5)
        for (y, p) in Self.pairs(12) { m.update(target: y, prediction: p) }
        let bytes = m.savedState()
        var r = try RollingRegressionMetrics(savedState: bytes)
        for (y, p) in Self.pairs(9) {
            m.update(target: y, prediction: p)
            r.update(target: y, prediction: p)
            #expect(m.mae == r.mae && m.r2 == r.r2)
        }
        for n in 0..<bytes.count {
            #expect(throws: ModelStateError.self) { try RollingRegressionMetrics(savedState: Array(bytes[..<n])) }
        }
        var c = RegressionMetrics()
        c.update(target: 1, prediction: 3)
        #expect(try RegressionMetrics(savedState: c.savedState()) == c)
    }
}
