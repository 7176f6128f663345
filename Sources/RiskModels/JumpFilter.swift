internal import Glibc

/// Tells a genuine market move from a bad print, one symbol at a time, by waiting for the prints after a
/// jump. Pure decision state: it holds no ticks (`SymbolState` holds them) and knows no other symbol
/// (`MarketMoveDetector` does).
///
/// Rule. Prices are the reference prices (`SymbolState.referencePrice(of:)`) of ticks with no
/// quarantining issue; the anchor is the last accepted one.
/// - With no jump pending, a price whose log return against the anchor is beyond `threshold` sigmas
///   (`max(sigma, sigmaFloor)`, only while the caller passes a warm `sigma`) opens a *suspect*: the old
///   level is the anchor, the new level is this price. Anything else is accepted and becomes the anchor.
/// - While a suspect is pending, each next price votes. Closer to the new level than to the old (in log
///   distance) it *holds*; otherwise it *reverts*. The first revert decides: the suspect (and any prints
///   that held with it) was a bad print, and the reverting price is judged afresh against the unchanged
///   anchor. `confirmTicks` holds, or a hold at least `confirmAfter` nanoseconds of event time after the
///   suspect, decide the other way: the jump is confirmed, the suspect and its holds are accepted in order,
///   and the anchor moves to the confirming price.
/// - `confirm()` decides for confirmation from outside, when many symbols jumped the same way together.
///
/// A confirmed jump keeps the return chain: the suspect's return is measured from the pre-jump price, so
/// the whole move reaches the volatility and the risk rules. A rejected one never entered it.
///
/// Cost and bound: a pending suspect delays the symbol's ticks by at most `confirmTicks` clean prints (or
/// until a print at least `confirmAfter` later), so the caller holds at most `confirmTicks` ticks.
///
/// - Complexity: O(1) per price (two logarithms), no allocation, a few words of state.
public struct JumpFilter: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// A log return beyond this many sigmas is a suspect jump.
        public var threshold: Double
        /// Least sigma (log-return units) a jump is measured against, so a flat history cannot make every
        /// later move a jump.
        public var sigmaFloor: Double
        /// Prints holding the new level that confirm a jump (`>= 1`); also the most ticks held.
        public var confirmTicks: Int
        /// Event time (nanoseconds) after the suspect from which a single holding print confirms it.
        public var confirmAfter: Int64

        public init(
            threshold: Double = 8, sigmaFloor: Double = 1e-4, confirmTicks: Int = 3,
            confirmAfter: Int64 = 1_000_000_000
        ) {
            self.threshold = threshold
            self.sigmaFloor = sigmaFloor
            self.confirmTicks = confirmTicks
            self.confirmAfter = confirmAfter
        }
    }

    /// A jump waiting for the prints after it.
    public struct Suspect: Sendable, Hashable {
        /// Event time of the suspect print.
        public var ts: Int64
        /// Log return from the old level (the anchor) to the new level.
        public var jumpReturn: Double
        /// `|jumpReturn|` in sigmas.
        public var sigmas: Double
        /// The old and the new level.
        public var oldLevel: Double
        public var newLevel: Double
        /// Prints that held the new level so far.
        public var holds = 0
    }

    /// What to do with a price, and with the ticks held before it.
    public enum Decision: Sendable, Hashable {
        /// Nothing pending: accept the tick.
        case accept
        /// The tick opens a suspect (now `pending`): hold it.
        case suspect
        /// The tick holds the pending suspect's level, undecided yet: hold it too.
        case hold
        /// The tick confirms the pending jump: accept the held ticks in order, then this one.
        case confirm
        /// The tick went back to the old level: the held ticks are bad prints (quarantine them); call
        /// `judge` again for this tick, against the old anchor.
        case revert
    }

    public let configuration: Configuration
    /// The last accepted price (the old level while a suspect is pending); `nil` before the first.
    public private(set) var anchor: Double?
    /// The jump waiting for its verdict, if any.
    public private(set) var pending: Suspect?

    public init(configuration: Configuration = Configuration()) {
        precondition(configuration.threshold > 0 && configuration.sigmaFloor >= 0)
        precondition(configuration.confirmTicks >= 1 && configuration.confirmAfter >= 0)
        self.configuration = configuration
    }

    /// Judges the reference price of a tick with no quarantining issue, at event time `ts`. `sigma` is
    /// the per-event volatility of log returns, or `nil` while it is not warm (no jump is suspected).
    /// - Complexity: O(1), no allocation.
    public mutating func judge(price: Double, ts: Int64, sigma: Double?) -> Decision {
        if var suspect = pending {
            let toNew = abs(log(price / suspect.newLevel))
            let toOld = abs(log(price / suspect.oldLevel))
            guard toNew < toOld else {
                pending = nil
                return .revert
            }
            suspect.holds += 1
            if suspect.holds >= configuration.confirmTicks || ts &- suspect.ts >= configuration.confirmAfter {
                pending = nil
                anchor = price
                return .confirm
            }
            pending = suspect
            return .hold
        }
        guard let sigma, let old = anchor else {
            anchor = price
            return .accept
        }
        let r = log(price / old)
        let sigmas = abs(r) / max(sigma, configuration.sigmaFloor)
        guard sigmas > configuration.threshold else {
            anchor = price
            return .accept
        }
        pending = Suspect(ts: ts, jumpReturn: r, sigmas: sigmas, oldLevel: old, newLevel: price)
        return .suspect
    }

    /// Confirms the pending jump from outside (a market-wide move): the held ticks are accepted, and the
    /// anchor moves to `lastHeldPrice`, the newest held tick's price.
    /// - Complexity: O(1).
    public mutating func confirm(lastHeldPrice: Double) {
        precondition(pending != nil, "no jump pending")
        pending = nil
        anchor = lastHeldPrice
    }
}
