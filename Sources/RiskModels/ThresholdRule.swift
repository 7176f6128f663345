public import MarketEvents

/// Turns a stream of values (a volatility, a VaR, a drawdown, …) into alert transitions that neither
/// flap nor flood.
///
/// Levels. The rule is clear, at `warning`, or at `critical`. A value `>= warning` (`>= critical`)
/// counts towards raising to that severity; the rule raises (or escalates) once `minimumConsecutive`
/// values in a row have reached the threshold, to the highest severity so reached.
///
/// Hysteresis. Leaving a level needs the value to fall clearly below its threshold: from `warning`,
/// clears when `value < warning · (1 − hysteresis)`; from `critical`, clears directly below that same
/// warning clear level, or de-escalates to `warning` when `value < critical · (1 − hysteresis)`. One
/// such value is enough to leave a level (the hysteresis band, not a count, stops flapping). Values that
/// oscillate inside the band change nothing.
///
/// Cooldown and dwell. Raising from clear needs `cooldown` nanoseconds since the previous transition
/// (a condition that flickers is not re-raised at once after it cleared); lowering a level (de-escalate
/// or clear) needs the level to have been held for `minimumDwell` nanoseconds and `cooldown` since the
/// previous transition. An escalation to critical is never held back: a crash is news at once. A
/// suppressed transition is not queued: the next value is evaluated afresh against the unchanged level,
/// so a condition that persists fires on the first value at or after the wait, and one that went away
/// in the meantime never fires. Timestamps should not go backwards; if they do, the elapsed time counts
/// as 0.
///
/// Values are assumed non-negative magnitudes; a NaN value is ignored (no change, `nil`).
///
/// - Complexity: O(1) per value, no allocation; a few words of state.
public struct ThresholdRule: Sendable, Hashable {
    /// What changed.
    public enum Change: Sendable, Hashable {
        /// Clear → `severity`.
        case raised
        /// Warning → critical.
        case escalated
        /// Critical → warning.
        case deescalated
        /// Warning or critical → clear; `severity` is the level that was cleared.
        case cleared
    }

    /// One transition, for the engine to map to an `Alert`.
    public struct Transition: Sendable, Hashable {
        public var change: Change
        /// The level after the change; for `.cleared`, the level that was left.
        public var severity: Alert.Severity
        /// The value that caused the transition.
        public var value: Double
        /// The threshold it crossed: the raise threshold for `.raised` and `.escalated`, the clear level
        /// (`threshold · (1 − hysteresis)`) for `.deescalated` and `.cleared`.
        public var threshold: Double
        /// When it happened (the `ts` passed to `update`).
        public var ts: Int64

        public init(change: Change, severity: Alert.Severity, value: Double, threshold: Double, ts: Int64) {
            self.change = change
            self.severity = severity
            self.value = value
            self.threshold = threshold
            self.ts = ts
        }

        /// The wire state: `.cleared` for `.cleared`, otherwise `.raised` (with the new `severity`).
        public var alertState: Alert.State { change == .cleared ? .cleared : .raised }
    }

    public let warning: Double
    public let critical: Double
    /// Fraction of a threshold below it that a value must fall to leave that level, in `[0, 1)`.
    public let hysteresis: Double
    /// Least time between two transitions, nanoseconds.
    public let cooldown: Int64
    /// Values in a row at or above a threshold needed to raise or escalate to it.
    public let minimumConsecutive: Int
    /// Least time a level is held before it is lowered, nanoseconds.
    public let minimumDwell: Int64

    /// The current level: `nil` when clear.
    public private(set) var level: Alert.Severity?
    private var aboveWarning = 0
    private var aboveCritical = 0
    private var lastTransition: Int64?

    /// - Precondition: `0 < warning < critical` (`critical` may be `.infinity` to disable it),
    ///   `0 <= hysteresis < 1`, `cooldown >= 0`, `minimumConsecutive >= 1`.
    public init(
        warning: Double, critical: Double, hysteresis: Double = 0.1, cooldown: Int64 = 0,
        minimumConsecutive: Int = 1, minimumDwell: Int64 = 0
    ) {
        precondition(warning > 0 && critical > warning, "ThresholdRule needs 0 < warning < critical")
        precondition(hysteresis >= 0 && hysteresis < 1, "ThresholdRule hysteresis must be in [0, 1)")
        precondition(
            cooldown >= 0 && minimumConsecutive >= 1 && minimumDwell >= 0, "ThresholdRule: bad cooldown, count or dwell")
        self.warning = warning
        self.critical = critical
        self.hysteresis = hysteresis
        self.cooldown = cooldown
        self.minimumConsecutive = minimumConsecutive
        self.minimumDwell = minimumDwell
    }

    /// Below this a warning (and a critical) clears.
    public var warningClearLevel: Double { warning * (1 - hysteresis) }
    /// Below this a critical de-escalates to warning.
    public var criticalClearLevel: Double { critical * (1 - hysteresis) }

    /// Feeds one value observed at `ts` (nanoseconds); returns the transition it causes, if any.
    /// - Complexity: O(1), no allocation.
    public mutating func update(value: Double, at ts: Int64) -> Transition? {
        if value.isNaN { return nil }
        aboveWarning = value >= warning ? aboveWarning + 1 : 0
        aboveCritical = value >= critical ? aboveCritical + 1 : 0
        let criticalReached = aboveCritical >= minimumConsecutive
        let warningReached = aboveWarning >= minimumConsecutive

        let transition: Transition?
        switch level {
        case nil:
            if criticalReached {
                transition = Transition(change: .raised, severity: .critical, value: value, threshold: critical, ts: ts)
            } else if warningReached {
                transition = Transition(change: .raised, severity: .warning, value: value, threshold: warning, ts: ts)
            } else {
                transition = nil
            }
        case .critical:
            if value < warningClearLevel {
                transition = Transition(
                    change: .cleared, severity: .critical, value: value, threshold: warningClearLevel, ts: ts)
            } else if value < criticalClearLevel {
                transition = Transition(
                    change: .deescalated, severity: .warning, value: value, threshold: criticalClearLevel, ts: ts)
            } else {
                transition = nil
            }
        default:
            if criticalReached {
                transition = Transition(
                    change: .escalated, severity: .critical, value: value, threshold: critical, ts: ts)
            } else if value < warningClearLevel {
                transition = Transition(
                    change: .cleared, severity: .warning, value: value, threshold: warningClearLevel, ts: ts)
            } else {
                transition = nil
            }
        }

        guard let transition else { return nil }
        if let last = lastTransition, transition.change != .escalated {
            let elapsed = ts > last ? ts - last : 0
            let lowering = transition.change == .cleared || transition.change == .deescalated
            if elapsed < cooldown || (lowering && elapsed < minimumDwell) { return nil }
        }
        lastTransition = ts
        level = transition.change == .cleared ? nil : transition.severity
        return transition
    }
}
