public import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded single-producer / single-consumer ring: the hand-off from the ingest thread to the compute thread.
///
/// ## Threads
/// Exactly one thread at a time may act as the *producer* (``push(_:)``) and exactly one as the *consumer*
/// (``pop()``, ``drain(into:max:)``, ``waitForElements(timeout:)``). They may be different threads, and each role
/// may move between threads if the move itself is synchronised (a join, a lock). Everything else
/// (``capacity``, ``policy``, ``count``, ``dropped``, ``enqueued``, ``stopWaiting()``, ``wakeConsumer()``) is
/// safe from any thread.
///
/// ## Storage and indices
/// `capacity` slots of `Element` (a power of two) are allocated once, in `init`; nothing else ever allocates.
/// Two indices count up forever (wrapping on `Int` overflow, which never changes a slot because the capacity
/// divides 2⁶⁴): `head`, the next slot to write, is owned by the producer; `tail`, the next slot to read, by the
/// consumer. The slot of index `i` is `i & (capacity - 1)`; the ring holds `head - tail` elements, in
/// `0...capacity`. A slot in `[tail, head)` holds an initialised element; every other slot is uninitialised.
/// Each side keeps its last sight of the other side's index in a plain field (`producerTailCache`,
/// `consumerHeadCache`) and reloads the atomic only when that stale view says "full" (producer) or "not enough"
/// (consumer), so a burst costs one cross-core load, not one per element. The two indices live on different
/// cache lines (see `CacheLinePad`).
///
/// ## Memory ordering (Swift orderings with their C++ names)
/// - The producer initialises slot `head & mask`, then stores `head + 1` with `.sequentiallyConsistent`
///   (`memory_order_seq_cst`, which includes `memory_order_release`). The consumer loads `head` with
///   `.acquiring` (`memory_order_acquire`) before it moves anything out. Release → acquire: every slot below the
///   head it saw is fully written before it reads it.
/// - The consumer moves slots out, then stores `tail` with `.releasing` (`memory_order_release`). The producer
///   loads `tail` with `.acquiring` before it reuses a slot. Release → acquire: the consumer has finished with a
///   slot (its element moved out) before the producer writes a new element there.
/// - The producer loads its own index with `.relaxed` (`memory_order_relaxed`): only it writes `head`. The consumer
///   loads `tail` with `.acquiring`: in `.dropOldest` the producer may have advanced it (see below), and the
///   acquire pairs with that release store.
/// - The head store is sequentially consistent only for the sleep protocol (``waitForElements(timeout:)``): it
///   must be ordered before the producer's load of `parked`. On x86-64 it is one `xchg`, the same price as the
///   `exchange` on `parked` an eventcount usually puts there, and it keeps the argument inside the C++ model.
///
/// ## Overflow
/// In `.block` and `.dropNewest` no lock is ever taken: the producer only writes slots the consumer has
/// released and the head; the consumer only reads slots the producer has published and writes the tail.
///
/// `.dropOldest` needs the producer to destroy the element at `tail` and advance `tail`, the consumer's index;
/// done lock-free that would race with a consumer moving the same element out (elements are not trivially
/// copyable, so a seqlock-style "copy, then check" cannot work). So in `.dropOldest`, and only there, a `Mutex`
/// guards `tail` and the slots in `[tail, head)`: the consumer holds it for a whole batch (once per
/// ``drain(into:max:)`` or ``pop()``, not per element); the producer takes it only when it finds the ring full,
/// drops the element at `tail`, advances `tail`, and releases it. It then writes its new element at `head`
/// *without* the lock. That write cannot race with the consumer: slot `head & mask` is also the slot of index
/// `head - capacity`, and the producer writes it only after it has seen `tail > head - capacity` (through the
/// lock, through an acquiring load of a tail the consumer released after moving that element out, or because it
/// advanced `tail` itself after destroying that element under the lock); the consumer, under the lock, only
/// touches indices in `[tail, head_seen)` with `tail > head - capacity` and `head_seen <= head`.
///
/// The lock provides mutual exclusion (never both sides moving the element at `tail`); the happens-before edges
/// between slot accesses are carried by the atomics as in the other modes: whoever advances `tail` under the lock
/// stores it with release, and whoever next takes the lock loads it with acquire. That matters for checking, too:
/// on Linux `Synchronization.Mutex` hands over contended ownership inside the kernel (priority-inheritance
/// futexes), which the thread sanitizer cannot see; with the edges on `tail` it sees every one.
public final class SPSCRing<Element>: @unchecked Sendable {
    // @unchecked: the producer and the consumer each own one index and one cache field; slots pass from one to
    // the other through acquire/release on those indices (and, in .dropOldest, through `evictionLock`).

    // Written once in init; read by both sides.
    @usableFromInline let storage: UnsafeMutablePointer<Element>
    @usableFromInline let mask: Int
    /// The number of slots: the requested capacity rounded up to a power of two.
    public let capacity: Int
    /// What `push` does when the ring is full.
    public let policy: OverflowPolicy
    @usableFromInline let startIndex: Int
    @usableFromInline let wakeup = Wakeup()
    @usableFromInline let evictionLock = Mutex(())
    /// The consumer is asleep (or about to be) in `waitForElements`. Written by the consumer when it parks, read
    /// by the producer after each push: mostly read-only, so it shares the read-mostly line.
    @usableFromInline let parked = Atomic<Bool>(false)
    @usableFromInline let waitingStopped = Atomic<Bool>(false)
    private let padAfterShared = CacheLinePad()

    // Producer's cache line.
    @usableFromInline let head: Atomic<Int>
    @usableFromInline @exclusivity(unchecked) var producerTailCache: Int
    /// Written only by the producer (every loss happens on the producer's side), read by anyone.
    @usableFromInline let droppedCount = Atomic<UInt64>(0)
    private let padAfterProducer = CacheLinePad()

    // Consumer's cache line.
    @usableFromInline let tail: Atomic<Int>
    @usableFromInline @exclusivity(unchecked) var consumerHeadCache: Int
    private let padAfterConsumer = CacheLinePad()

    /// Creates an empty ring.
    ///
    /// - Parameters:
    ///   - capacity: at least 1; rounded up to the next power of two (`capacity` says what was chosen). A capacity
    ///     of 1 is allowed: every push then waits for, or drops, the previous element.
    ///   - policy: what `push` does when the ring is full.
    /// - Complexity: O(1); allocates the `capacity` slots once (left uninitialised).
    public convenience init(capacity: Int, policy: OverflowPolicy) {
        self.init(capacity: capacity, policy: policy, startIndex: 0)
    }

    /// Creates an empty ring whose indices start at `startIndex` instead of 0, so tests can reach every slot
    /// offset and the `Int` wrap-around of the indices without pushing 2⁶³ elements.
    package init(capacity: Int, policy: OverflowPolicy, startIndex: Int) {
        precondition(capacity >= 1, "SPSCRing capacity must be at least 1, got \(capacity)")
        precondition(capacity <= 1 << (Int.bitWidth - 2), "SPSCRing capacity \(capacity) is too large")
        let rounded = 1 << (Int.bitWidth - (capacity - 1).leadingZeroBitCount)
        self.capacity = rounded
        self.mask = self.capacity - 1
        self.policy = policy
        self.storage = .allocate(capacity: self.capacity)
        self.startIndex = startIndex
        self.head = Atomic(startIndex)
        self.tail = Atomic(startIndex)
        self.producerTailCache = startIndex
        self.consumerHeadCache = startIndex
    }

    /// Destroys the elements still in the ring and frees the slots.
    deinit {
        // The last reference is gone, so neither side is running: relaxed loads see their final indices.
        let tail = self.tail.load(ordering: .relaxed)
        let head = self.head.load(ordering: .relaxed)
        var index = tail
        while index != head {
            (storage + (index & mask)).deinitialize(count: 1)
            index &+= 1
        }
        storage.deallocate()
    }

    // MARK: - Any thread

    /// Elements lost to the overflow policy so far: dropped newest, dropped oldest, or abandoned in `.block` after
    /// ``stopWaiting()``. Any thread; a `.relaxed` load (`memory_order_relaxed`): exact once the producer has
    /// stopped, otherwise a value it held recently.
    public var dropped: UInt64 { droppedCount.load(ordering: .relaxed) }

    /// Elements stored by `push` so far (including those later dropped by `.dropOldest`, not those dropped by
    /// `.dropNewest` or abandoned). Any thread; approximate while the producer runs, like ``dropped``.
    public var enqueued: UInt64 { UInt64(truncatingIfNeeded: head.load(ordering: .relaxed) &- startIndex) }

    /// Elements in the ring, in `0...capacity`. Any thread; only a snapshot: exact for the consumer's lower bound
    /// and the producer's upper bound, approximate for everyone else.
    public var count: Int {
        let tail = self.tail.load(ordering: .relaxed)
        let head = self.head.load(ordering: .relaxed)
        return Swift.min(Swift.max(head &- tail, 0), capacity)
    }

    /// Makes `push` in `.block` give up instead of waiting when the ring is full, from now on: the push returns
    /// ``PushOutcome/abandoned`` and counts the element in ``dropped``. Call it at shutdown, before stopping the
    /// consumer, so the producer cannot hang on a ring nobody drains. Any thread; cannot be undone.
    public func stopWaiting() {
        waitingStopped.store(true, ordering: .releasing)
    }

    /// Wakes the consumer out of ``waitForElements(timeout:)`` (or makes its next call return at once), for
    /// example after setting a stop flag. Any thread.
    /// - Complexity: one mutex lock/unlock and a `futex` wake if the consumer sleeps.
    public func wakeConsumer() {
        parked.store(false, ordering: .relaxed)
        wakeup.signal()
    }

    // MARK: - Producer

    /// Stores `element` at the head, or applies the overflow policy if the ring is full. Producer only.
    ///
    /// - `.block`: waits for room (a short spin, then `sched_yield`, then 20 µs sleeps), unless
    ///   ``stopWaiting()`` has been called.
    /// - `.dropNewest`: drops `element`. `.dropOldest`: drops the oldest element, then stores `element`.
    ///
    /// - Returns: what happened; every loss is counted in ``dropped``.
    /// - Complexity: O(1) and allocation-free: one `xchg` (the head store) and one plain load (`parked`);
    ///   one acquiring load of `tail` only when the cached view says the ring is full; a mutex lock only when
    ///   the ring is full in `.dropOldest`; a `futex` wake only when the consumer is asleep.
    @inlinable
    @discardableResult
    public func push(_ element: consuming Element) -> PushOutcome {
        let head = self.head.load(ordering: .relaxed)
        var outcome = PushOutcome.enqueued
        if head &- producerTailCache >= capacity {
            producerTailCache = tail.load(ordering: .acquiring)
            if head &- producerTailCache >= capacity {
                switch policy {
                case .dropNewest:
                    countDrop()
                    return .droppedNewest
                case .dropOldest:
                    if evictOldest(head: head) { outcome = .droppedOldest }
                case .block:
                    if !waitForSpace(head: head) {
                        countDrop()
                        return .abandoned
                    }
                }
            }
        }
        (storage + (head & mask)).initialize(to: element)
        // seq_cst, not just release: orders this store before the load of `parked` below (see the type's docs).
        self.head.store(head &+ 1, ordering: .sequentiallyConsistent)
        if parked.load(ordering: .sequentiallyConsistent) {
            wakeParkedConsumer()
        }
        return outcome
    }

    @inlinable
    func countDrop() {
        // Only the producer writes droppedCount, so a load and a store need no read-modify-write.
        droppedCount.store(droppedCount.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// `.dropOldest` with a full ring: under the lock, drops the element at `tail` and advances `tail`, unless the
    /// consumer made room meanwhile. Returns whether it dropped one.
    @usableFromInline
    func evictOldest(head: Int) -> Bool {
        let victim: Element? = evictionLock.withLock { _ in
            // Under the lock this sees the consumer's latest tail. Acquire pairs with the release store that ended
            // its last batch, so its moves out of the slots happen-before our reuse through the atomics themselves,
            // not only through the lock (see "Overflow" in the type's docs).
            let tail = self.tail.load(ordering: .acquiring)
            guard head &- tail >= capacity else {
                producerTailCache = tail
                return nil
            }
            let victim = (storage + (tail & mask)).move()
            self.tail.store(tail &+ 1, ordering: .releasing)
            producerTailCache = tail &+ 1
            return victim
        }
        guard victim != nil else { return false }
        countDrop()
        return true  // `victim` is destroyed here, outside the lock.
    }

    /// `.block` with a full ring: waits until the consumer frees a slot (`true`) or `stopWaiting()` is called
    /// (`false`).
    @usableFromInline
    func waitForSpace(head: Int) -> Bool {
        var attempts = 0
        while true {
            producerTailCache = tail.load(ordering: .acquiring)
            if head &- producerTailCache < capacity { return true }
            if waitingStopped.load(ordering: .acquiring) { return false }
            attempts += 1
            if attempts < 64 {
                continue
            } else if attempts < 128 {
                sched_yield()
            } else {
                var pause = timespec(tv_sec: 0, tv_nsec: 20_000)
                nanosleep(&pause, nil)
            }
        }
    }

    @usableFromInline
    func wakeParkedConsumer() {
        // Only the side that flips `parked` from true to false signals, so one sleep costs at most one signal.
        if parked.exchange(false, ordering: .acquiringAndReleasing) {
            wakeup.signal()
        }
    }

    // MARK: - Consumer

    /// Removes and returns the oldest element, or `nil` if the ring is empty. Consumer only.
    /// - Complexity: O(1), allocation-free; an acquiring load of `head` only when the cached head says empty;
    ///   in `.dropOldest` one uncontended mutex lock.
    @inlinable
    public func pop() -> Element? {
        if policy == .dropOldest {
            return evictionLock.withLock { _ in popElement() }
        }
        return popElement()
    }

    @inlinable
    func popElement() -> Element? {
        // Acquire, not relaxed, for `.dropOldest`, where the producer may have advanced `tail` (a plain load on x86).
        let tail = self.tail.load(ordering: .acquiring)
        if consumerHeadCache &- tail <= 0 {
            consumerHeadCache = head.load(ordering: .acquiring)
            if consumerHeadCache &- tail <= 0 { return nil }
        }
        let element = (storage + (tail & mask)).move()
        self.tail.store(tail &+ 1, ordering: .releasing)
        return element
    }

    /// Moves up to `max` of the oldest elements to the end of `buffer`, in order, and returns how many. Consumer
    /// only.
    ///
    /// Frees their slots to the producer with a single store of `tail` at the end of the batch.
    /// - Complexity: O(n) for n elements moved (no copies, no retain/release); allocates only if `buffer` lacks
    ///   capacity for them. One acquiring load of `head` at most; in `.dropOldest` one mutex lock for the batch.
    @inlinable
    @discardableResult
    public func drain(into buffer: inout [Element], max: Int = .max) -> Int {
        if policy == .dropOldest {
            return evictionLock.withLock { _ in drainElements(into: &buffer, max: max) }
        }
        return drainElements(into: &buffer, max: max)
    }

    @inlinable
    func drainElements(into buffer: inout [Element], max limit: Int) -> Int {
        guard limit > 0 else { return 0 }
        // Acquire, not relaxed, for `.dropOldest`, where the producer may have advanced `tail` (a plain load on x86).
        let tail = self.tail.load(ordering: .acquiring)
        var available = consumerHeadCache &- tail
        if available < limit {
            consumerHeadCache = head.load(ordering: .acquiring)
            available = consumerHeadCache &- tail
        }
        let n = Swift.min(available, limit)
        guard n > 0 else { return 0 }
        buffer.reserveCapacity(buffer.count + n)
        for offset in 0..<n {
            buffer.append((storage + ((tail &+ offset) & mask)).move())
        }
        self.tail.store(tail &+ n, ordering: .releasing)
        return n
    }

    /// Sleeps until the ring is not empty, ``wakeConsumer()`` is called, or `timeout` passes. Consumer only.
    ///
    /// Returns at once, without a syscall, if the ring already holds elements. Otherwise an eventcount:
    /// 1. store `parked = true` (`.sequentiallyConsistent`, `memory_order_seq_cst`);
    /// 2. re-load `head` (`seq_cst`); if the ring is no longer empty, un-park and return;
    /// 3. sleep on a ``Wakeup`` with the timeout.
    ///
    /// The producer, after its `seq_cst` store of `head`, loads `parked` (`seq_cst`); if it is set it exchanges
    /// it back to `false` and, if that exchange found `true`, signals. No wake-up is lost: all four accesses are
    /// in the single seq_cst order, so either the consumer's re-load in step 2 comes after the producer's head
    /// store (and sees the element), or the producer's load of `parked` comes after step 1 (and it signals). The
    /// `Wakeup` remembers a signal sent before step 3 begins, so the sleep then returns at once.
    ///
    /// A wake-up may come early: a signal meant for an earlier sleep (the producer saw `parked` just as the consumer
    /// found an element and un-parked itself) is remembered by the `Wakeup` and ends the next sleep at once. The
    /// consumer's loop (drain; if nothing, check its stop flag, then wait) absorbs that as one extra turn.
    ///
    /// - Returns: whether the ring held elements when it returned: `false` after a timeout, a bare
    ///   ``wakeConsumer()`` or an early wake-up. A hint either way; the next `drain` is the truth.
    /// - Complexity: allocation-free; when the ring is empty, one `xchg` (the `parked` store) and a `futex` sleep.
    public func waitForElements(timeout: Duration) -> Bool {
        if head.load(ordering: .acquiring) &- tail.load(ordering: .relaxed) > 0 { return true }
        parked.store(true, ordering: .sequentiallyConsistent)
        if head.load(ordering: .sequentiallyConsistent) &- tail.load(ordering: .relaxed) > 0 {
            parked.store(false, ordering: .relaxed)
            return true
        }
        wakeup.wait(timeout: timeout)
        parked.store(false, ordering: .relaxed)
        return head.load(ordering: .acquiring) &- tail.load(ordering: .relaxed) > 0
    }
}

/// 64 bytes of padding: one x86-64 cache line between the fields of `SPSCRing` written by different threads, so
/// the producer's stores of `head` do not evict the consumer's `tail` line and vice versa.
@usableFromInline
struct CacheLinePad {
    private let bytes: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline init() {}
}
