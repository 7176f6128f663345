import Glibc
import RiskModels
import Testing

/// Reference values: published tables where they exist (normal and t quantiles, χ²₁ 5% critical value),
/// otherwise closed forms (ν = 3 t cdf, binomial sums written out) or values checked with an independent
/// implementation (SciPy 1.17) to the digits shown.
@Suite struct DistributionsTests {
    static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        abs(a - b) <= relative * max(abs(b), 1e-300)
    }

    struct Point: Sendable, CustomTestStringConvertible {
        var p: Double
        var x: Double
        var testDescription: String { "p=\(p)" }
    }

    @Test(arguments: [
        Point(p: 0.99, x: 2.326_347_874_040_840_8),
        Point(p: 0.975, x: 1.959_963_984_540_054),
        Point(p: 0.5, x: 0),
        Point(p: 0.3, x: -0.524_400_512_708_040_9),  // central region
        Point(p: 0.01, x: -2.326_347_874_040_840_8),  // intermediate tail
        Point(p: 1e-10, x: -6.361_340_902_404_056),  // far tail (r > 5)
    ])
    func normalQuantileMatchesTables(point: Point) {
        #expect(abs(StandardNormal.quantile(point.p) - point.x) < 1e-15 * max(1, abs(point.x)))
    }

    /// Φ(Φ⁻¹(p)) = p across all three regions of AS 241, in the tail that keeps the digits.
    @Test func normalQuantileInvertsTheCDF() {
        var p = 1e-300
        while p < 0.5 {
            let x = StandardNormal.quantile(p)
            // A relative error ε in x moves Φ by about x²·ε relatively.
            #expect(Self.close(StandardNormal.cdf(x), p, relative: 2e-15 * max(1, x * x)), "p=\(p)")
            // 1 − p rounds to a double, so the upper quantile only matches to that rounding.
            if p > 1e-9 { #expect(Self.close(StandardNormal.quantile(1 - p), -x, relative: 1e-7), "p=\(p)") }
            p *= 1.7
        }
    }

    @Test func normalDensityAndCDF() {
        #expect(Self.close(StandardNormal.density(0), 1 / (2 * Double.pi).squareRoot(), relative: 1e-15))
        #expect(Self.close(StandardNormal.density(1), exp(-0.5) / (2 * Double.pi).squareRoot(), relative: 1e-15))
        #expect(StandardNormal.cdf(0) == 0.5)
        #expect(Self.close(StandardNormal.cdf(1.959_963_984_540_054), 0.975, relative: 1e-15))
        #expect(Self.close(StandardNormal.cdf(-8), 6.220_960_574_271_74e-16, relative: 1e-12))
    }

    struct TPoint: Sendable, CustomTestStringConvertible {
        var nu: Double
        var p: Double
        var t: Double
        var testDescription: String { "ν=\(nu) p=\(p)" }
    }

    /// Upper quantiles of Student's t (the usual table's 3-decimal entries, here to full precision).
    @Test(arguments: [
        TPoint(nu: 5, p: 0.9, t: 1.475_884_048_824_481_5),
        TPoint(nu: 5, p: 0.95, t: 2.015_048_373_333_023_3),
        TPoint(nu: 5, p: 0.975, t: 2.570_581_835_636_314_6),
        TPoint(nu: 5, p: 0.99, t: 3.364_929_998_907_217_4),
        TPoint(nu: 5, p: 0.995, t: 4.032_142_983_555_228),
        TPoint(nu: 5, p: 0.999, t: 5.893_429_531_356_009),
        TPoint(nu: 3, p: 0.99, t: 4.540_702_858_568_132),
        TPoint(nu: 3, p: 0.999, t: 10.214_531_852_407_383),
        TPoint(nu: 10, p: 0.975, t: 2.228_138_851_986_274),
        TPoint(nu: 10, p: 0.99, t: 2.763_769_458_112_695_7),
        TPoint(nu: 30, p: 0.99, t: 2.457_261_542_400_591),
        TPoint(nu: 30, p: 0.995, t: 2.749_995_653_567_225_4),
    ])
    func studentTQuantileMatchesTables(point: TPoint) {
        let t = StudentT(degreesOfFreedom: point.nu)
        #expect(abs(t.quantile(point.p) - point.t) < 1e-10 * point.t, "\(t.quantile(point.p))")
        #expect(abs(t.quantile(1 - point.p) + point.t) < 1e-10 * point.t)
        #expect(abs(t.cdf(point.t) - point.p) < 1e-13)
    }

    /// ν = 3 has a closed form: F(t) = ½ + (1/π)·[u/(1 + u²) + atan u], u = t/√3.
    @Test(arguments: [-12.0, -2, -0.3, 0, 0.7, 1.5, 4, 40])
    func studentTCDFMatchesTheClosedFormForThreeDegrees(x: Double) {
        let u = x / 3.0.squareRoot()
        let exact = 0.5 + (u / (1 + u * u) + atan(u)) / Double.pi
        #expect(abs(StudentT(degreesOfFreedom: 3).cdf(x) - exact) < 1e-14)
    }

    @Test func studentTDensityAndLargeDegreesApproachTheNormal() {
        // ν = 1 is the Cauchy: f(0) = 1/π, F(1) = 3/4.
        let cauchy = StudentT(degreesOfFreedom: 1)
        #expect(Self.close(cauchy.density(0), 1 / Double.pi, relative: 1e-14))
        #expect(abs(cauchy.cdf(1) - 0.75) < 1e-14)
        #expect(abs(StudentT(degreesOfFreedom: 1e6).quantile(0.99) - StandardNormal.quantile(0.99)) < 1e-5)
        #expect(abs(StudentT(degreesOfFreedom: 5).cdf(1.5) - 0.903_048_159_878_763_4) < 1e-14)
        #expect(abs(StudentT(degreesOfFreedom: 7.5).cdf(0.3) - 0.613_838_670_715_610_9) < 1e-14)
    }

    @Test func chiSquareSurvival() {
        // The 5% and 1% critical values of χ²₁ from the tables.
        #expect(abs(ChiSquared.survivalOneDegree(3.841_458_820_694_124) - 0.05) < 1e-15)
        #expect(abs(ChiSquared.survivalOneDegree(6.634_896_601_021_214_5) - 0.01) < 1e-15)
        // χ²₁ = Z²: P(χ²₁ > 1) = 2·(1 − Φ(1)).
        #expect(abs(ChiSquared.survivalOneDegree(1) - 2 * StandardNormal.cdf(-1)) < 1e-15)
        #expect(Self.close(ChiSquared.survivalOneDegree(20), 7.744_216_431_044_088e-6, relative: 1e-12))
        #expect(ChiSquared.survivalOneDegree(0) == 1)
        #expect(ChiSquared.survivalTwoDegrees(0) == 1)
        // χ²₂ 5% critical value 5.991464547107979 = −2·log 0.05.
        #expect(abs(ChiSquared.survivalTwoDegrees(-2 * log(0.05)) - 0.05) < 1e-15)
    }

    /// P(X ≤ k) against the pmf summed term by term.
    @Test(arguments: [(10, 0.3), (250, 0.01), (250, 0.05), (1, 0.5), (40, 0.97)])
    func binomialCDFMatchesTheSummedPMF(n: Int, p: Double) {
        var pmf = pow(1 - p, Double(n))  // P(X = 0)
        var sum = 0.0
        for k in 0...n {
            sum += pmf
            #expect(abs(Binomial.cdf(k, trials: n, probability: p) - min(sum, 1)) < 1e-12, "k=\(k)")
            pmf *= Double(n - k) / Double(k + 1) * p / (1 - p)
        }
        #expect(Binomial.cdf(-1, trials: n, probability: p) == 0)
    }

    @Test func binomialEdges() {
        // B(250, 0.01): Basel's cumulative probabilities 89.22% (4) and 95.88% (5), 99.97% (9), 99.99% (10).
        #expect(abs(Binomial.cdf(4, trials: 250, probability: 0.01) - 0.892_187_626_903_625_1) < 1e-13)
        #expect(abs(Binomial.cdf(5, trials: 250, probability: 0.01) - 0.958_816_815_930_151_7) < 1e-13)
        #expect(abs(Binomial.cdf(10, trials: 250, probability: 0.01) - 0.999_946_101_370_953) < 1e-13)
        #expect(Binomial.cdf(0, trials: 5, probability: 0) == 1)
        #expect(Binomial.cdf(4, trials: 5, probability: 1) == 0)
        #expect(Binomial.cdf(5, trials: 5, probability: 1) == 1)
        #expect(Binomial.cdf(0, trials: 0, probability: 0.5) == 1)
    }
}
