internal import Glibc

/// The unit a feed's `ts` was most likely written in. The wire contract says nanoseconds since the Unix
/// epoch; feeds written in a hurry send seconds (`time.time()`), milliseconds (`Date.now()` in
/// JavaScript, most exchange APIs) or microseconds.
public enum TimestampUnit: String, Sendable, Hashable, CaseIterable {
    case seconds, milliseconds, microseconds, nanoseconds

    /// Nanoseconds in one unit.
    public var nanoseconds: Int64 {
        switch self {
        case .seconds: 1_000_000_000
        case .milliseconds: 1_000_000
        case .microseconds: 1_000
        case .nanoseconds: 1
        }
    }

    /// The unit that reads `ts` as the time closest to `clock` (nanoseconds since the epoch), on a log
    /// scale: each unit is three decades from the next, so a time read in its right unit is within 1.5
    /// decades of the clock unless it is decades old or ahead. `nil` when `ts` is not positive or is no
    /// time since the epoch in any of the four units (more than 1.5 decades below a seconds reading).
    ///
    /// Examples against a clock of 2026: `1_733_338_000` is seconds, `1_733_338_000_123` milliseconds,
    /// `1_733_338_000_123_456` microseconds, `1_700_000_000_000_000_000` (2023) nanoseconds, and so is
    /// `1e17` (1973): old, but nanoseconds.
    /// - Precondition: `clock > 0`.
    /// - Complexity: O(1), two logarithms, no allocation.
    public static func likely(ts: Int64, clock: Int64) -> TimestampUnit? {
        guard ts > 0 else { return nil }
        let decades = log10(Double(clock)) - log10(Double(ts))
        switch (decades / 3).rounded() {
        case ...0: return .nanoseconds
        case 1: return .microseconds
        case 2: return .milliseconds
        case 3: return .seconds
        default: return nil
        }
    }
}
