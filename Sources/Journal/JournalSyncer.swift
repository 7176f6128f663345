#if canImport(Glibc)
    import Glibc
#endif

/// Runs `fdatasync` for the writer thread on a thread of its own (`records:N` and `ms:N`), so a slow
/// disk never stops the writer thread from emptying the queue: a sync of a busy shared disk can take
/// longer than the queue lasts under a flood.
///
/// Protocol: the writer thread asks for a sync of a descriptor up to a sequence number (`request`,
/// never waits; a newer request replaces one not yet started) and, before it closes that descriptor
/// (a segment roll, close), calls `drain`, which drops a request not yet started and waits for one in
/// progress. So the syncer never touches a closed descriptor.
final class JournalSyncer: @unchecked Sendable {
    // @unchecked: `pending`, `busy` and `closing` are only touched with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var pending: (fd: Int32, sequence: UInt64, path: String)?
    private var busy = false
    private var closing = false
    private var thread = pthread_t()
    private let operations: any JournalFileOperations
    /// Called on the syncer's thread after each sync: the sequence synced, 0 or the error number, the file.
    private let completed: @Sendable (UInt64, Int32, String) -> Void

    init(operations: any JournalFileOperations, completed: @escaping @Sendable (UInt64, Int32, String) -> Void) {
        self.operations = operations
        self.completed = completed
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        let retained = Unmanaged.passRetained(self)
        let rc = pthread_create(
            &thread, nil,
            { raw in
                Unmanaged<JournalSyncer>.fromOpaque(raw!).takeRetainedValue().run()
                return nil
            }, retained.toOpaque())
        precondition(rc == 0, "pthread_create failed with \(rc)")
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Asks for `fd` (the file at `path`) to be synced through record `sequence`. Never waits.
    func request(fd: Int32, through sequence: UInt64, path: String) {
        pthread_mutex_lock(mutex)
        pending = (fd, sequence, path)
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(condition)
    }

    /// Drops a request not yet started and waits for a sync in progress to finish.
    func drain() {
        pthread_mutex_lock(mutex)
        pending = nil
        while busy { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
    }

    /// Drains, stops the thread and joins it. Call once.
    func close() {
        pthread_mutex_lock(mutex)
        pending = nil
        closing = true
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(condition)
        pthread_join(thread, nil)
    }

    private func run() {
        while true {
            pthread_mutex_lock(mutex)
            while pending == nil && !closing { pthread_cond_wait(condition, mutex) }
            guard let job = pending, !closing else {
                pthread_mutex_unlock(mutex)
                return
            }
            pending = nil
            busy = true
            pthread_mutex_unlock(mutex)
            let code = operations.sync(job.fd)
            completed(job.sequence, code, job.path)
            pthread_mutex_lock(mutex)
            busy = false
            pthread_mutex_unlock(mutex)
            pthread_cond_broadcast(condition)
        }
    }
}
