import MarketEvents
import RiskModels
import Testing

@Suite struct ThresholdRuleTests {
    typealias Transition = ThresholdRule.Transition

    /// Feeds `values` one second apart from t = 0 and collects the transitions with their index.
    static func run(_ rule: inout ThresholdRule, _ values: [Double], spacing: Int64 = 1) -> [Int: Transition] {
        var out: [Int: Transition] = [:]
        for (i, v) in values.enumerated() {
            if let t = rule.update(value: v, at: Int64(i) * spacing) { out[i] = t }
        }
        return out
    }

    @Test func raisesEscalatesDeescalatesAndClearsThroughTheHysteresisBand() {
        var rule = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1)
        #expect(rule.warningClearLevel == 0.9 && rule.criticalClearLevel == 1.8)
        let values = [0.5, 1.0, 1.5, 2.0, 1.9, 1.81, 1.7, 0.95, 0.91, 0.85, 0.5]
        let got = Self.run(&rule, values)
        #expect(got.keys.sorted() == [1, 3, 6, 9])
        #expect(got[1] == Transition(change: .raised, severity: .warning, value: 1.0, threshold: 1, ts: 1))
        #expect(got[3] == Transition(change: .escalated, severity: .critical, value: 2.0, threshold: 2, ts: 3))
        #expect(got[6] == Transition(change: .deescalated, severity: .warning, value: 1.7, threshold: 1.8, ts: 6))
        #expect(got[9] == Transition(change: .cleared, severity: .warning, value: 0.85, threshold: 0.9, ts: 9))
        #expect(rule.level == nil)
        #expect(got[1]?.alertState == .raised && got[6]?.alertState == .raised && got[9]?.alertState == .cleared)
    }

    @Test func criticalRaisesDirectlyAndClearsDirectly() {
        var rule = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1)
        let got = Self.run(&rule, [2.5, 1.85, 0.3])
        #expect(got.keys.sorted() == [0, 2])
        #expect(got[0]?.change == .raised && got[0]?.severity == .critical && got[0]?.threshold == 2)
        #expect(got[2] == Transition(change: .cleared, severity: .critical, value: 0.3, threshold: 0.9, ts: 2))
    }

    /// A value oscillating across the warning threshold but inside the hysteresis band raises once and
    /// never flaps; the same series with no hysteresis flips on every value, which shows the series
    /// really does cross the threshold.
    @Test(arguments: [(0.1, 1), (0.0, 1_000)])
    func oscillationAroundTheThresholdDoesNotFlap(hysteresis: Double, expectedTransitions: Int) {
        var rule = ThresholdRule(warning: 1, critical: 2, hysteresis: hysteresis)
        let values = (0..<1_000).map { $0 % 2 == 0 ? 1.05 : 0.95 }
        #expect(Self.run(&rule, values).count == expectedTransitions)
    }

    /// With a flapping input and no hysteresis, the cooldown alone bounds the messages: one per cooldown
    /// at most, alternating raised and cleared, each at the first value after the cooldown that still
    /// calls for it.
    @Test func cooldownBoundsTheNumberOfMessages() {
        var rule = ThresholdRule(warning: 1, critical: 2, hysteresis: 0, cooldown: 10)
        let values = (0..<100).map { $0 % 2 == 0 ? 1.5 : 0.5 }
        let got = Self.run(&rule, values)
        #expect(got.keys.sorted() == [0, 11, 22, 33, 44, 55, 66, 77, 88, 99])
        for (i, t) in got { #expect(t.change == (i % 2 == 0 ? .raised : .cleared)) }
        let times = got.values.map(\.ts).sorted()
        for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= 10) }
    }

    /// A transition suppressed by the cooldown is not queued: it fires on the first value at the end of
    /// the cooldown if the condition persists, and never if it went away.
    @Test func suppressedTransitionIsReevaluatedNotQueued() {
        var persisting = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1, cooldown: 10)
        let a = Self.run(&persisting, [1.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
        #expect(a.keys.sorted() == [0, 10])
        #expect(a[10]?.change == .cleared)

        var vanishing = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1, cooldown: 10)
        let b = Self.run(&vanishing, [1.5, 0.5, 0.5, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2])
        #expect(b.keys.sorted() == [0])
        #expect(vanishing.level == .warning)
    }

    /// A crash is news at once: escalating to critical does not wait for the cooldown (lowering does).
    @Test func escalationDoesNotWaitForTheCooldown() {
        var rule = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1, cooldown: 5)
        let got = Self.run(&rule, [1.5, 3, 3, 1.5, 1.5, 1.5, 1.5, 1.5])
        #expect(got.keys.sorted() == [0, 1, 6])
        #expect(got[1]?.change == .escalated)
        #expect(got[6]?.change == .deescalated)
    }

    /// A level is held for the minimum dwell before it is lowered, so a severity does not flap on a value
    /// that crosses back and forth; without the dwell the same input flips at every crossing.
    @Test func minimumDwellStopsSeverityFlapping() {
        let input: [Double] = [2.5, 1.5, 2.5, 1.5, 2.5, 1.5, 2.5, 1.5, 2.5, 1.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
        var held = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1, minimumDwell: 10)
        let got = Self.run(&held, input)
        #expect(got.keys.sorted() == [0, 10], "\(got.keys.sorted())")
        #expect(got[0]?.severity == .critical && got[10]?.change == .cleared)
        var flapping = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1)
        #expect(Self.run(&flapping, input).count >= 10)
    }

    @Test func minimumConsecutiveObservationsBeforeRaisingOrEscalating() {
        var rule = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1, minimumConsecutive: 3)
        // Two highs, a dip, then highs: raises on the third high in a row. Then two criticals in a row
        // are not enough; the third escalates. From clear, three criticals raise critical directly.
        let got = Self.run(&rule, [1.2, 1.2, 0.95, 1.2, 1.2, 1.5, 2.5, 2.5, 1.5, 2.5, 2.5, 2.5])
        #expect(got.keys.sorted() == [5, 11])
        #expect(got[5]?.change == .raised && got[5]?.severity == .warning)
        #expect(got[11]?.change == .escalated)

        var fromClear = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1, minimumConsecutive: 3)
        let direct = Self.run(&fromClear, [1.5, 2.5, 2.5, 2.5])
        #expect(direct.keys.sorted() == [2, 3])
        #expect(direct[2]?.severity == .warning && direct[3]?.change == .escalated)
        var allCritical = ThresholdRule(warning: 1, critical: 2, hysteresis: 0.1, minimumConsecutive: 3)
        let straight = Self.run(&allCritical, [2.5, 2.5, 2.5])
        #expect(straight.keys.sorted() == [2] && straight[2]?.severity == .critical)
    }

    @Test func nanIsIgnored() {
        var rule = ThresholdRule(warning: 1, critical: 2)
        #expect(rule.update(value: 1.5, at: 0)?.change == .raised)
        #expect(rule.update(value: .nan, at: 1) == nil)
        #expect(rule.level == .warning)
    }
}
