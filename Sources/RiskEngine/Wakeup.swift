#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-slot, sticky wake-up signal between threads: one thread sleeps in `wait(timeout:)`, any thread calls
/// `signal()`.
///
/// The signal is remembered: a `signal()` that arrives before (or while no one is in) `wait(timeout:)` makes the
/// next `wait` return `true` at once, so a waker can never be lost between a sleeper's last check and its call to
/// `wait`. Signals do not accumulate: many signals before one `wait` wake it once. A `wait` may therefore return
/// `true` for a signal that was meant for an earlier sleep; callers re-check their condition (as
/// ``SPSCRing/waitForElements(timeout:)`` does).
///
/// Built on a `pthread_mutex_t` + `pthread_cond_t` pair whose timeouts use `CLOCK_MONOTONIC` (immune to wall-clock
/// steps) where the platform allows it. Both live in heap memory of their own, never moved.
///
/// - Complexity: `signal()` is one uncontended mutex lock/unlock and one `pthread_cond_signal` (a `futex` wake
///   syscall only when a thread is actually sleeping); `wait` is a `futex` sleep. Neither allocates.
public final class Wakeup: @unchecked Sendable {
    // @unchecked: `pending` is only read and written with `mutex` held; the pthread objects are thread-safe.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var pending = false
    #if os(Linux)
    private static let clock = CLOCK_MONOTONIC
    #else
    private static let clock = CLOCK_REALTIME
    #endif

    public init() {
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if os(Linux)
        pthread_condattr_setclock(&attributes, Wakeup.clock)
        #endif
        precondition(pthread_cond_init(condition, &attributes) == 0, "pthread_cond_init failed")
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Wakes the thread sleeping in `wait(timeout:)`, or makes the next `wait` return at once. Any thread.
    public func signal() {
        pthread_mutex_lock(mutex)
        pending = true
        pthread_mutex_unlock(mutex)
        pthread_cond_signal(condition)
    }

    /// Sleeps until `signal()` is called or `timeout` has passed, then clears the signal. One thread at a time.
    ///
    /// - Returns: `true` if woken by a signal (possibly one sent before the call), `false` on timeout.
    /// - Complexity: one `clock_gettime`, then a sleep of at most `timeout` (plus the scheduler's slack).
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        var deadline = timespec()
        clock_gettime(Wakeup.clock, &deadline)
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = Int(deadline.tv_nsec) + Int(attoseconds / 1_000_000_000)
        deadline.tv_sec += Int(seconds) + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000

        pthread_mutex_lock(mutex)
        while !pending {
            if pthread_cond_timedwait(condition, mutex, &deadline) == ETIMEDOUT { break }
        }
        let signalled = pending
        pending = false
        pthread_mutex_unlock(mutex)
        return signalled
    }
}
