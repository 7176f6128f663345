import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT or SIGTERM; long-running commands poll it at least every 100 ms and stop cleanly.
let stopRequested = Atomic<Bool>(false)

/// Installs the SIGINT/SIGTERM handlers that set `stopRequested`. The handler only stores an atomic,
/// which is async-signal-safe. Both signals are also unblocked: a parent (a test runner, a supervisor)
/// may have started us with them blocked, and then they would never arrive.
func installStopHandlers() {
    var signals = sigset_t()
    sigemptyset(&signals)
    sigaddset(&signals, SIGINT)
    sigaddset(&signals, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
    signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
}

var shouldStop: Bool { stopRequested.load(ordering: .relaxed) }

/// Nanoseconds on the monotonic clock.
func monotonicNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Nanoseconds since the Unix epoch on the wall clock.
func wallClockNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Sleeps for `nanoseconds` (no-op when not positive).
func sleepNanoseconds(_ nanoseconds: Int64) {
    guard nanoseconds > 0 else { return }
    var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    nanosleep(&ts, nil)
}
