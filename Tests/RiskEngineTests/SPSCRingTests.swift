import RiskEngine
import Synchronization
import Testing

/// An element with a live-instance count, so a test sees a leak (count too high) or a double destroy (count too
/// low, or a crash) the moment it happens.
final class Tracked: Sendable {
    let value: Int
    let live: LiveCount
    init(_ value: Int, _ live: LiveCount) {
        self.value = value
        self.live = live
        live.count.add(1, ordering: .relaxed)
    }
    deinit { live.count.subtract(1, ordering: .relaxed) }
}

/// One per test, so tests running in parallel do not see each other's instances.
final class LiveCount: Sendable {
    let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
}

/// The ring's contract, written the obvious way: an array and a counter.
struct RingModel {
    let capacity: Int
    let policy: OverflowPolicy
    var contents: [Int] = []
    var dropped: UInt64 = 0
    var enqueued: UInt64 = 0

    var isFull: Bool { contents.count == capacity }

    mutating func push(_ value: Int) -> PushOutcome {
        guard isFull else {
            contents.append(value)
            enqueued += 1
            return .enqueued
        }
        dropped += 1
        switch policy {
        case .dropNewest:
            return .droppedNewest
        case .dropOldest:
            contents.removeFirst()
            contents.append(value)
            enqueued += 1
            return .droppedOldest
        case .block:
            return .abandoned  // only reached after stopWaiting()
        }
    }

    mutating func drain(max: Int) -> [Int] {
        let taken = Array(contents.prefix(max))
        contents.removeFirst(taken.count)
        return taken
    }
}

@Suite("SPSCRing, one thread")
struct SPSCRingTests {
    @Test("capacity is rounded up to a power of two; 1 is allowed", arguments: [
        (1, 1), (2, 2), (3, 4), (4, 4), (5, 8), (8, 8), (9, 16), (1000, 1024), (1024, 1024),
    ])
    func capacityRounding(requested: Int, expected: Int) {
        let ring = SPSCRing<Int>(capacity: requested, policy: .dropNewest)
        #expect(ring.capacity == expected)
        for value in 0..<(expected + 1) { ring.push(value) }
        #expect(ring.count == expected)
        #expect(ring.dropped == 1)
    }

    @Test("overflow policies parse from their pipeline spellings")
    func policyNames() {
        #expect(OverflowPolicy(rawValue: "block") == .block)
        #expect(OverflowPolicy(rawValue: "drop_oldest") == .dropOldest)
        #expect(OverflowPolicy(rawValue: "drop_newest") == .dropNewest)
        #expect(OverflowPolicy.allCases.count == 3)
    }

    /// Start positions: every slot offset in the first two laps from index 0, and the same offsets just before the
    /// `Int` indices overflow, so the scripts below also run across `Int.max` → `Int.min`.
    static func starts(capacity: Int) -> [Int] {
        (0..<(2 * capacity)).flatMap { [$0, Int.max &- capacity &+ $0] }
    }

    @Test(
        "every wrap-around position: pushes, pops, partial batches, full and empty, against the model",
        arguments: [1, 2, 4, 8, 16], OverflowPolicy.allCases)
    func everyWrapAroundPosition(capacity: Int, policy: OverflowPolicy) {
        for start in Self.starts(capacity: capacity) {
            runScript(capacity: capacity, policy: policy, start: start)
        }
    }

    private func runScript(capacity: Int, policy: OverflowPolicy, start: Int) {
        let live = LiveCount()
        do {
            let ring = SPSCRing<Tracked>(capacity: capacity, policy: policy, startIndex: start)
            var model = RingModel(capacity: capacity, policy: policy)
            var next = 0
            var buffer: [Tracked] = []
            buffer.reserveCapacity(4 * capacity)
            let context = "capacity \(capacity), \(policy), start \(start)"

            func check(_ step: String) {
                #expect(ring.count == model.contents.count, "\(context), \(step): count")
                #expect(ring.dropped == model.dropped, "\(context), \(step): dropped")
                #expect(ring.enqueued == model.enqueued, "\(context), \(step): enqueued")
                #expect(live.value == model.contents.count, "\(context), \(step): live elements")
            }
            /// Pushes `n` values; `.block` cannot wait on one thread, so it pushes only as many as fit.
            func push(_ n: Int) {
                let n = policy == .block ? min(n, capacity - model.contents.count) : n
                for _ in 0..<n {
                    let outcome = ring.push(Tracked(next, live))
                    #expect(outcome == model.push(next), "\(context): push \(next)")
                    next += 1
                }
                check("after push \(n)")
            }
            func drain(max: Int) {
                do {
                    let sentinel = Tracked(-1, live)
                    buffer.append(sentinel)
                    let moved = ring.drain(into: &buffer, max: max)
                    let expected = model.drain(max: max)
                    #expect(moved == expected.count, "\(context): drain(max: \(max)) count")
                    #expect(buffer.first === sentinel, "\(context): drain must append, not replace")
                    #expect(buffer.dropFirst().map(\.value) == expected, "\(context): drain(max: \(max)) values")
                    buffer.removeAll(keepingCapacity: true)
                }
                check("after drain(max: \(max))")
            }
            func pop() {
                let popped = ring.pop()?.value
                #expect(popped == model.drain(max: 1).first, "\(context): pop")
                check("after pop")
            }

            // Walk the start position forward by real push/pop pairs too, so every offset is also reached with
            // the cached indices in play.
            for _ in 0..<(start & (capacity - 1)) {
                push(1)
                pop()
            }
            pop()  // empty
            drain(max: 3)  // empty
            push(capacity + 2)  // past full
            drain(max: 0)
            drain(max: 1)
            push(1)  // exactly full again
            drain(max: max(1, capacity / 2))  // partial batch
            pop()
            push(2 * capacity + 1)  // several laps of overflow
            drain(max: .max)  // everything, crossing the wrap point
            pop()  // empty again
            push(capacity)
            drain(max: capacity)  // full → empty in one batch
            for _ in 0..<(capacity + 1) {  // one element at a time around a whole lap
                push(1)
                pop()
            }
            push(capacity - 1)
            push(2)
            if policy == .block {
                // Full: after stopWaiting() a push gives up at once instead of waiting, and counts the loss.
                ring.stopWaiting()
                let outcome = ring.push(Tracked(next, live))
                #expect(outcome == model.push(next), "\(context): abandoned push")
                check("after abandoned push")
            }
            // The ring is deinitialised with elements still in it (all policies).
            #expect(live.value == model.contents.count && !model.contents.isEmpty, "\(context): non-empty at end")
        }
        #expect(live.value == 0, "capacity \(capacity), \(policy), start \(start): leak after deinit")
    }

    @Test("drop_newest keeps the oldest elements, drop_oldest the newest, and both count every loss")
    func whichElementsSurvive() {
        let newest = SPSCRing<Int>(capacity: 4, policy: .dropNewest)
        let oldest = SPSCRing<Int>(capacity: 4, policy: .dropOldest)
        for value in 0..<10 {
            newest.push(value)
            oldest.push(value)
        }
        var kept: [Int] = []
        newest.drain(into: &kept)
        #expect(kept == [0, 1, 2, 3])
        #expect(newest.dropped == 6)
        kept.removeAll()
        oldest.drain(into: &kept)
        #expect(kept == [6, 7, 8, 9])
        #expect(oldest.dropped == 6)
    }

    @Test("drain appends without allocating when the buffer already has room")
    func drainKeepsBufferStorage() {
        let ring = SPSCRing<Int>(capacity: 64, policy: .block)
        var buffer: [Int] = []
        buffer.reserveCapacity(64)
        let storage = buffer.withUnsafeBufferPointer { $0.baseAddress }
        for lap in 0..<10 {
            for value in 0..<40 { ring.push(lap * 100 + value) }
            #expect(ring.drain(into: &buffer, max: 64) == 40)
            #expect(buffer.withUnsafeBufferPointer { $0.baseAddress } == storage)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
