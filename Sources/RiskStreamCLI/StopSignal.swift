import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT or SIGTERM; long-running commands poll it at least every 100 ms and stop cleanly.
let stopRequested = Atomic<Bool>(false)

/// Installs the handlers that set `stopRequested`: SIGINT, SIGTERM and SIGHUP (a closed terminal) stop
/// the command cleanly, with its summary. The handler only stores an atomic, which is async-signal-safe.
/// The signals are also unblocked: a parent (a test runner, a supervisor) may have started us with them
/// blocked, and then they would never arrive. SIGPIPE is ignored: a reader that went away (`| head -1`)
/// makes a write fail with EPIPE instead of killing the engine before its summary; so are SIGUSR1,
/// SIGUSR2 and SIGALRM.
func installStopHandlers() {
    var signals = sigset_t()
    sigemptyset(&signals)
    for s in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, s) }
    pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
    signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
    signal(SIGHUP) { _ in stopRequested.store(true, ordering: .relaxed) }
    signal(SIGPIPE, SIG_IGN)
    // Stray user signals are not a reason to die without a summary.
    for s in [SIGUSR1, SIGUSR2, SIGALRM] { signal(s, SIG_IGN) }
}

/// Why a `--duration` cannot be used, or `nil`: it must be a finite number of seconds above 0 and at
/// most a year (an infinite or astronomic one would overflow the nanosecond deadline).
func durationProblem(_ seconds: Double) -> String? {
    guard seconds > 0, seconds.isFinite, seconds <= 31_536_000 else {
        return "--duration must be a number of seconds above 0 and at most 31536000 (a year), got \(seconds)"
    }
    return nil
}

var shouldStop: Bool { stopRequested.load(ordering: .relaxed) }

/// A stop flag another thread can share (an `Atomic` cannot be captured by an escaping closure).
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
