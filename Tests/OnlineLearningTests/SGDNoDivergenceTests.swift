import OnlineLearning
import SeededRandom
import Testing

/// A regime-switching volatility stream with jumps, whose features span 1e-4 to 1e4 and one of which
/// jumps in scale ×1000 mid-stream. The target is the next row's absolute return (a volatility forecast).
struct VolatilityStream {
    var rng: Xoshiro256
    var volatility = 0.01
    var ewma = 0.01
    var price = 10_000.0
    var lastReturn = 0.0
    var row = 0
    let width = 6

    init(seed: UInt64) { rng = Xoshiro256(seed: seed) }

    mutating func next() -> (x: [Double], y: Double) {
        if rng.nextUnitDouble() < 0.002 { volatility = volatility > 0.02 ? 0.005 : 0.06 }  // regime switch
        let jump = rng.nextUnitDouble() < 0.003 ? 15 * volatility * (rng.nextUnitDouble() < 0.5 ? -1 : 1) : 0
        let r = volatility * rng.nextGaussian() + jump
        ewma = 0.94 * ewma + 0.06 * abs(lastReturn)
        let volumeScale = row < 20_000 ? 1.0 : 1000.0  // a feature that changes scale
        let x = [
            abs(lastReturn),  // ~1e-2
            ewma * 1e-2,  // ~1e-4
            abs(lastReturn) * 1e4 * volumeScale,  // ~1e2, then ~1e5
            price,  // ~1e4, random walk
            1e3 * rng.nextGaussian(),  // pure noise, ~1e3
            volatility,  // the regime, ~1e-2
        ]
        price *= 1 + r
        lastReturn = r
        row += 1
        return (x, abs(r))
    }
}

@Suite struct SGDNoDivergenceTests {
    static let rows = 40_000

    /// Progressive MAE of a model over the stream, and whether every prediction stayed finite and sane.
    static func run(_ options: SGDRegressor.Options) -> (mae: Double, maxPrediction: Double, baselineMAE: Double) {
        var stream = VolatilityStream(seed: 42)
        var model = SGDRegressor(featureCount: stream.width, options: options)
        var metrics = RegressionMetrics()
        var baseline = RegressionMetrics()
        var mean = 0.0
        var maxPrediction = 0.0
        for t in 0..<rows {
            let (x, y) = stream.next()
            let p = model.predict(x)
            maxPrediction = max(maxPrediction, p.isFinite ? abs(p) : .infinity)
            metrics.update(target: y, prediction: p.isFinite ? p : 1e300)
            baseline.update(target: y, prediction: mean)
            mean += (y - mean) / Double(t + 1)
            model.learn(x, y)
        }
        return (metrics.mae, maxPrediction, baseline.mae)
    }

    @Test(arguments: [Loss.squared, .huber(delta: 0.01), .quantile(tau: 0.9), .epsilonInsensitive(epsilon: 0.001)])
    func defaultRuleNeverDiverges(_ loss: Loss) {
        let result = Self.run(.init(loss: loss))
        #expect(result.maxPrediction < 10, "max |prediction| \(result.maxPrediction)")
        if loss == .squared || loss == .huber(delta: 0.01) {
            // It must learn something: better than predicting the running mean of the target.
            #expect(result.mae < result.baselineMAE, "MAE \(result.mae) vs running-mean \(result.baselineMAE)")
        }
    }

    @Test func plainSGDDivergesOnTheSameStream() {
        // Guards the stream itself: a constant-rate SGD (River's default LinearRegression uses plain SGD
        // with η = 0.01) blows up on these scales, so the test above is meaningful.
        let result = Self.run(.init(updateRule: .constant(learningRate: 0.01)))
        #expect(!(result.maxPrediction < 1e6))
    }
}
