#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real OS thread for tests that need a producer and a consumer running at once (the cooperative pool must not
/// host spinning or sleeping loops). Joined with `pthread_join`, which the thread sanitizer understands as a
/// happens-before edge.
final class TestThread {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    #if os(Linux)
    private var thread = pthread_t()
    #else
    private var thread: pthread_t?
    #endif

    init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        let status = pthread_create(
            &thread, nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            }, context)
        precondition(status == 0, "pthread_create failed: \(status)")
    }

    /// Waits for the thread to finish. Call exactly once.
    func join() {
        #if os(Linux)
        pthread_join(thread, nil)
        #else
        pthread_join(thread!, nil)
        #endif
    }
}

/// A value a worker thread fills in before it is joined and the test reads after the join.
final class Handoff<Value>: @unchecked Sendable {
    // @unchecked: written only by the worker before `TestThread.join()`, read only after it (join orders them).
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// Sleeps the calling thread (tests run these on their own threads, never on the cooperative pool's hot path).
func sleep(microseconds: Int) {
    var pause = timespec(tv_sec: microseconds / 1_000_000, tv_nsec: (microseconds % 1_000_000) * 1000)
    nanosleep(&pause, nil)
}
