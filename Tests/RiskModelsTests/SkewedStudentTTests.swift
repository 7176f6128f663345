import Glibc
import RiskModels
import Testing

@Suite struct SkewedStudentTTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        var eta: Double
        var lambda: Double
        var testDescription: String { "η=\(eta) λ=\(lambda)" }
    }

    static let shapes = [
        Shape(eta: 5, lambda: 0), Shape(eta: 5, lambda: -0.3), Shape(eta: 8, lambda: 0.4), Shape(eta: 30, lambda: -0.6),
    ]

    /// ∫ z^k g(z) dz by Simpson's rule on [−lo, hi], tails beyond ±400 negligible for η ≥ 5 (z² g ~ z^(−η−1)).
    static func moment(_ d: SkewedStudentT, _ k: Int, from lo: Double = -400, to hi: Double = 400) -> Double {
        let n = 400_000
        let step = (hi - lo) / Double(n)
        var sum = 0.0
        for i in 0...n {
            let z = lo + Double(i) * step
            let w: Double = i == 0 || i == n ? 1 : (i.isMultiple(of: 2) ? 2 : 4)
            sum += w * pow(z, Double(k)) * d.density(z)
        }
        return sum * step / 3
    }

    @Test(arguments: shapes)
    func densityIntegratesToOneWithZeroMeanAndUnitVariance(shape: Shape) {
        let d = SkewedStudentT(degreesOfFreedom: shape.eta, skew: shape.lambda)
        #expect(abs(Self.moment(d, 0) - 1) < 1e-5)
        #expect(abs(Self.moment(d, 1)) < 1e-5)
        #expect(abs(Self.moment(d, 2) - 1) < 1e-3)
    }

    @Test(arguments: shapes)
    func quantileInvertsTheCDFAndTailMeanMatchesTheIntegral(shape: Shape) {
        let d = SkewedStudentT(degreesOfFreedom: shape.eta, skew: shape.lambda)
        for p in [0.001, 0.01, 0.025, 0.3, 0.5, 0.8, 0.99] {
            let q = d.quantile(p)
            #expect(abs(d.cdf(q) - p) < 1e-10 * max(1, p / 0.01), "p \(p)")
            // Numeric CDF agrees with the closed form.
            #expect(abs(Self.moment(d, 0, to: q) - p) < 1e-5, "p \(p)")
        }
        for p in [0.01, 0.025, 0.6] {
            let q = d.quantile(p)
            let numeric = Self.moment(d, 1, to: q) / p
            #expect(abs(d.lowerTailMean(probability: p) - numeric) < 1e-4 * abs(numeric) + 1e-6, "p \(p)")
        }
    }

    /// λ = 0 is the Student-t scaled to unit variance.
    @Test func zeroSkewIsTheUnitVarianceStudentT() {
        let d = SkewedStudentT(degreesOfFreedom: 5)
        let t = StudentT(degreesOfFreedom: 5)
        let s = (3.0 / 5).squareRoot()
        for p in [0.01, 0.025, 0.5, 0.9] { #expect(abs(d.quantile(p) - s * t.quantile(p)) < 1e-12) }
        for z in [-3.0, -0.5, 0, 1.7] { #expect(abs(d.density(z) - t.density(z / s) / s) < 1e-14) }
        // The closed-form t ES of ValueAtRisk: −E[z | z < q] at 99% is 3.448836760048019 per σ.
        #expect(abs(-d.lowerTailMean(probability: 0.01) - 3.448_836_760_048_018_8) < 1e-10)
    }
}
