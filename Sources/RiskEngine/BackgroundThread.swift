#if canImport(Glibc)
import Glibc
#endif

/// A dedicated OS thread for a hot loop (ingest, compute, a feed), outside Swift's cooperative pool, so a
/// blocking libzmq call never starves async tasks. Joined exactly once.
public final class BackgroundThread: @unchecked Sendable {
    // @unchecked: `handle` is written once in init, before any other thread can see the object, and only
    // read by `join`, which the owner calls once.
    private var handle = pthread_t()
    private var joined = false
    private let body: @Sendable () -> Void
    public let name: String

    /// Starts `body` on a new thread; `name` identifies it in logs and in the debugger's view of the object.
    public init(name: String, _ body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
        let retained = Unmanaged.passRetained(self)
        let rc = pthread_create(&handle, nil, { raw in
            let thread = Unmanaged<BackgroundThread>.fromOpaque(raw!).takeRetainedValue()
            thread.body()
            return nil
        }, retained.toOpaque())
        precondition(rc == 0, "pthread_create failed with \(rc)")
    }

    /// Waits for the thread to finish. Call once, from the owner.
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(handle, nil)
    }
}
