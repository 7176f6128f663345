#if canImport(Glibc)
import Glibc
#endif

/// The engine's clocks, in integer nanoseconds.
public enum EngineClock {
    /// Wall clock, nanoseconds since the Unix epoch: outbound `ts`, `lag_ns`, staleness.
    /// - Complexity: one vDSO call (~20 ns), no allocation.
    @inline(__always)
    public static func wallNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Monotonic clock: timers and durations (never jumps with NTP).
    @inline(__always)
    public static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) &* 1_000_000_000 &+ Int64(ts.tv_nsec)
    }

    /// Sleeps for `nanoseconds` (no-op when not positive).
    public static func sleep(nanoseconds: Int64) {
        guard nanoseconds > 0 else { return }
        var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        nanosleep(&ts, nil)
    }
}
