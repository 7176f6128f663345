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

/// A stop flag another thread can share (an `Atomic` cannot be captured by an escaping closure).
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .relaxed) }
    var isSet: Bool { flag.load(ordering: .relaxed) }
}
