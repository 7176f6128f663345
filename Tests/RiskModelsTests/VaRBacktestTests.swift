import Glibc
import RiskModels
import Testing

@Suite struct VaRBacktestTests {
    static func close(_ a: Double, _ b: Double, _ relative: Double = 1e-12) -> Bool {
        abs(a - b) <= relative * abs(b)
    }

    /// 250 observations, breaches at 10, 11, 100, 150 and 200 (5 breaches, one pair in a row), at 99%.
    static let breachDays: Set<Int> = [10, 11, 100, 150, 200]
    static let sequence = (0..<250).map { breachDays.contains($0) }

    /// Kupiec, n = 250, x = 5, p = 0.01, p̂ = 0.02:
    ///   LR = −2·[245·log 0.99 + 5·log 0.01 − 245·log 0.98 − 5·log 0.02]
    ///      = −2·[245·log(0.99/0.98) + 5·log(0.01/0.02)]
    ///      = −2·[245·0.0101523714… − 5·0.6931471805…] = −2·[2.4873310087 − 3.4657359028] = 1.9568097882
    ///   p = P(χ²₁ > 1.9568097882) = 0.1618549172
    @Test func kupiecWorkedExample() {
        let test = VaRBacktest.kupiec(observations: 250, breaches: 5, confidence: 0.99)
        #expect(Self.close(test.statistic, 1.956_809_788_230_622))
        #expect(Self.close(test.pValue, 0.161_854_917_196_038_7, 1e-10))
    }

    /// The transitions of `sequence`: 9→10, 99→100, 149→150, 199→200 are 0→1 (n01 = 4); 10→11 is 1→1
    /// (n11 = 1); 11→12, 100→101, 150→151, 200→201 are 1→0 (n10 = 4); the other 249 − 9 = 240 are 0→0.
    ///   π = 5/249, π₀₁ = 4/244, π₁₁ = 1/5
    ///   log L₀ = 244·log(244/249) + 5·log(5/249)               = −24.4895346860
    ///   log L₁ = 240·log(240/244) + 4·log(4/244) + 4·log(4/5) + log(1/5) = −22.9125400427
    ///   LR_ind = −2·(log L₀ − log L₁) = 3.1539892867, p = P(χ²₁ > 3.1539892867) = 0.0757415817
    ///   LR_cc = 1.9568097882 + 3.1539892867 = 5.1107990749, p = exp(−5.1107990749/2) = 0.0776611973
    @Test func christoffersenWorkedExample() {
        let transitions = BreachTransitions(Self.sequence)
        #expect(transitions == BreachTransitions(n00: 240, n01: 4, n10: 4, n11: 1))
        let test = VaRBacktest.christoffersen(transitions)
        #expect(Self.close(test.statistic, 3.153_989_286_651_445, 1e-11))
        #expect(Self.close(test.pValue, 0.075_741_581_746_582_03, 1e-10))

        var backtest = VaRBacktest(confidence: 0.99)
        for b in Self.sequence { backtest.record(breach: b) }
        #expect(backtest.observations == 250 && backtest.breaches == 5)
        #expect(backtest.transitions == transitions)
        #expect(Self.close(backtest.expectedBreaches, 2.5))
        #expect(backtest.breachRate == 0.02)
        #expect(backtest.kupiec == VaRBacktest.kupiec(observations: 250, breaches: 5, confidence: 0.99))
        #expect(Self.close(backtest.conditionalCoverage.statistic, 5.110_799_074_882_067, 1e-11))
        #expect(Self.close(backtest.conditionalCoverage.pValue, 0.077_661_197_311_900_23, 1e-10))
        #expect(backtest.baselZone == .yellow)  // 5 breaches in 250
        #expect(backtest.recentBreaches == 5 && backtest.recentObservations == 250)
    }

    /// Without breaches the fitted term vanishes (0·log 0 = 0): LR = −2·250·log 0.99 = 5.0251679268,
    /// p = 0.0249815031. With every observation a breach: LR = −2·250·log 0.01 = 2302.585…, p = 0.
    /// Neither has a transition out of the other state, so Christoffersen's LR is 0 and p is 1.
    @Test func edgeCasesAreFinite() {
        var none = VaRBacktest(confidence: 0.99)
        var all = VaRBacktest(confidence: 0.99)
        for _ in 0..<250 {
            none.record(breach: false)
            all.record(breach: true)
        }
        #expect(Self.close(none.kupiec.statistic, 5.025_167_926_750_726))
        #expect(Self.close(none.kupiec.pValue, 0.024_981_503_053_449_73, 1e-10))
        #expect(Self.close(all.kupiec.statistic, 2_302.585_092_994_045_7))
        #expect(all.kupiec.pValue == 0)
        for backtest in [none, all] {
            #expect(backtest.christoffersen == LikelihoodRatioTest(statistic: 0, pValue: 1))
            #expect(backtest.conditionalCoverage.statistic.isFinite)
        }
        #expect(none.baselZone == .green)
        #expect(all.baselZone == .red)

        let empty = VaRBacktest(confidence: 0.99)
        #expect(empty.kupiec == LikelihoodRatioTest(statistic: 0, pValue: 1))
        #expect(empty.christoffersen == LikelihoodRatioTest(statistic: 0, pValue: 1))
        #expect(empty.breachRate == 0)
        #expect(empty.baselZone == .green)

        var one = VaRBacktest(confidence: 0.99)
        one.record(breach: true)
        #expect(one.transitions.total == 0)
        #expect(one.christoffersen.statistic == 0)
        // n = x = 1: LR = −2·log 0.01 = 9.2103403720, all finite.
        #expect(Self.close(one.kupiec.statistic, -2 * log(0.01)))
    }

    /// A rate exactly at 1 − c gives LR 0 (up to rounding, clamped), p 1.
    @Test func exactCoverageHasNoEvidenceAgainstIt() {
        let test = VaRBacktest.kupiec(observations: 1000, breaches: 10, confidence: 0.99)
        #expect(test.statistic < 1e-9)
        #expect(test.pValue > 0.9999)
    }

    /// Basel's table for 250 observations at 99%: green 0–4, yellow 5–9, red 10 or more.
    @Test func baselZonesAt99() {
        for k in 0...250 {
            let expected: BaselZone = k <= 4 ? .green : (k <= 9 ? .yellow : .red)
            #expect(BaselZone.zone(breaches: k, observations: 250, confidence: 0.99) == expected, "k=\(k)")
        }
    }

    /// At 97.5% (p = 0.025, 250 observations, mean 6.25) the binomial definition moves the bounds:
    /// P(X ≤ 10) = 0.94846 < 95% ≤ P(X ≤ 11) = 0.97530, so yellow starts at 11;
    /// P(X ≤ 16) = 0.999779 < 99.99% ≤ P(X ≤ 17) = 0.999928, so red starts at 17.
    @Test func baselZonesFollowTheBinomialAtOtherLevels() {
        let zones = (0...30).map { BaselZone.zone(breaches: $0, observations: 250, confidence: 0.975) }
        #expect(zones.firstIndex(of: .yellow) == 11)
        #expect(zones.firstIndex(of: .red) == 17)
    }

    /// The traffic light looks at the last 250 observations only.
    @Test func baselWindowSlides() {
        var backtest = VaRBacktest(confidence: 0.99)
        for _ in 0..<12 { backtest.record(breach: true) }
        #expect(backtest.baselZone == .red)
        for k in 0..<250 {
            backtest.record(breach: false)
            // 12 + k + 1 observations so far; the oldest 12 + k + 1 − 250 of them have left the window.
            #expect(backtest.recentBreaches == max(0, 12 - max(0, 12 + k + 1 - 250)), "k=\(k)")
        }
        #expect(backtest.recentBreaches == 0)
        #expect(backtest.baselZone == .green)
        #expect(backtest.breaches == 12 && backtest.observations == 262)
    }
}
