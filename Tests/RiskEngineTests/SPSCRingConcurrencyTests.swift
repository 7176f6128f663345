import MarketEvents
import RiskEngine
import Synchronization
import Testing

/// Run these under the thread sanitizer in release too:
/// `swift test -c release --sanitize=thread --filter RiskEngineTests`. At `-Onone` the ring's generic code is not
/// specialised, so every element moved in or out of a slot goes through value-witness functions in the Swift runtime,
/// which is not instrumented: a debug TSan run cannot see a race on slot contents (checked by weakening the head
/// store to relaxed: debug TSan stays silent, release TSan reports the race). In release the `@inlinable` push and
/// drain are specialised into this module and every slot access is instrumented.
@Suite("SPSCRing, producer and consumer threads", .timeLimit(.minutes(2)))
struct SPSCRingConcurrencyTests {
    static let count = 1_000_000

    /// What the consumer saw.
    struct Received {
        var values: Int = 0
        var last: Int = -1
        var inOrder = true
        var batches = 0
    }

    @Test("block: a fast producer and a batch-draining consumer, all 1,000,000 elements arrive in order")
    func blockLosesNothing() {
        let ring = SPSCRing<Int>(capacity: 1024, policy: .block)
        let received = Handoff(Received())
        let consumer = TestThread {
            var buffer: [Int] = []
            buffer.reserveCapacity(256)
            var seen = Received()
            while seen.values < Self.count {
                if ring.drain(into: &buffer, max: 256) == 0 {
                    _ = ring.waitForElements(timeout: .milliseconds(100))
                    continue
                }
                seen.batches += 1
                for value in buffer {
                    if value != seen.last + 1 { seen.inOrder = false }
                    seen.last = value
                }
                seen.values += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
            received.value = seen
        }
        let notEnqueued = Handoff(0)
        let producer = TestThread {
            var misses = 0
            for value in 0..<Self.count where ring.push(value) != .enqueued {
                misses += 1
            }
            notEnqueued.value = misses
        }
        producer.join()
        consumer.join()
        #expect(notEnqueued.value == 0)
        #expect(received.value.values == Self.count)
        #expect(received.value.inOrder)
        #expect(received.value.last == Self.count - 1)
        #expect(ring.dropped == 0)
        #expect(ring.enqueued == UInt64(Self.count))
        #expect(ring.count == 0)
    }

    @Test(
        "drop modes: a producer much faster than the consumer; arrivals strictly increase, received + dropped == N",
        arguments: [OverflowPolicy.dropNewest, .dropOldest])
    func dropModesCountEveryLoss(policy: OverflowPolicy) {
        let ring = SPSCRing<Int>(capacity: 256, policy: policy)
        let pushed = Atomic<Int>(0)
        let producerDone = Atomic<Bool>(false)
        let received = Handoff(Received())
        let consumer = TestThread {
            // Let the producer overrun the ring before the first drain, so losses are certain, not likely.
            while pushed.load(ordering: .acquiring) < 4 * ring.capacity {}
            var buffer: [Int] = []
            buffer.reserveCapacity(16)
            var seen = Received()
            while true {
                let done = producerDone.load(ordering: .acquiring)
                let moved = ring.drain(into: &buffer, max: 16)
                if moved == 0 {
                    if done { break }  // the producer finished before this drain found the ring empty
                    continue
                }
                seen.batches += 1
                for value in buffer {
                    if value <= seen.last { seen.inOrder = false }
                    seen.last = value
                }
                seen.values += moved
                buffer.removeAll(keepingCapacity: true)
                sleep(microseconds: 20)  // the slow consumer
            }
            received.value = seen
        }
        let producer = TestThread {
            for value in 0..<Self.count {
                ring.push(value)
                pushed.store(value + 1, ordering: .releasing)
            }
            producerDone.store(true, ordering: .releasing)
        }
        producer.join()
        consumer.join()
        let seen = received.value
        #expect(seen.inOrder, "received values must strictly increase")
        #expect(ring.dropped > 0)
        #expect(UInt64(seen.values) + ring.dropped == UInt64(Self.count), "every element is received or counted")
        if policy == .dropOldest {
            #expect(seen.last == Self.count - 1, "drop_oldest always delivers the newest element")
        }
    }

    @Test("block with strings: WireEvent ticks cross threads intact, in order")
    func wireEventsCrossIntact() {
        let count = 100_000
        let ring = SPSCRing<WireEvent>(capacity: 64, policy: .block)
        let mismatches = Handoff(0)
        let consumer = TestThread {
            var buffer: [WireEvent] = []
            buffer.reserveCapacity(32)
            var next = 0
            var bad = 0
            while next < count {
                if ring.drain(into: &buffer, max: 32) == 0 {
                    _ = ring.waitForElements(timeout: .milliseconds(100))
                    continue
                }
                for event in buffer {
                    guard case .tick(let tick) = event, tick.seq == UInt64(next),
                        tick.symbol == "SYMBOL-WITH-A-HEAP-STRING-\(next % 7)"
                    else {
                        bad += 1
                        next += 1
                        continue
                    }
                    next += 1
                }
                buffer.removeAll(keepingCapacity: true)
            }
            mismatches.value = bad
        }
        let producer = TestThread {
            for i in 0..<count {
                let tick = Tick(
                    symbol: "SYMBOL-WITH-A-HEAP-STRING-\(i % 7)", ts: Int64(i), price: 100 + Double(i % 10),
                    seq: UInt64(i))
                ring.push(.tick(tick))
            }
        }
        producer.join()
        consumer.join()
        #expect(mismatches.value == 0)
        #expect(ring.dropped == 0)
    }

    @Test("drop_oldest: element lifetimes stay exact while the producer evicts under a draining consumer")
    func dropOldestLifetimesUnderContention() {
        let live = LiveCount()
        let count = 200_000
        let received = Handoff(0)
        do {
            let ring = SPSCRing<Tracked>(capacity: 8, policy: .dropOldest)
            let done = Atomic<Bool>(false)
            let consumer = TestThread {
                var buffer: [Tracked] = []
                buffer.reserveCapacity(4)
                var total = 0
                while true {
                    let finished = done.load(ordering: .acquiring)
                    total += ring.drain(into: &buffer, max: 4)
                    buffer.removeAll(keepingCapacity: true)
                    if let one = ring.pop() {
                        _ = one
                        total += 1
                    } else if finished {
                        break
                    }
                }
                received.value = total
            }
            let producer = TestThread {
                for i in 0..<count { ring.push(Tracked(i, live)) }
                done.store(true, ordering: .releasing)
            }
            producer.join()
            consumer.join()
            #expect(UInt64(received.value) + ring.dropped == UInt64(count))
            #expect(live.value == 0)
        }
        #expect(live.value == 0)
    }

    @Test("block: stopWaiting() releases a producer stuck on a full ring, and the element is counted")
    func stopWaitingReleasesProducer() {
        let ring = SPSCRing<Int>(capacity: 2, policy: .block)
        ring.push(1)
        ring.push(2)
        let outcome = Handoff(PushOutcome.enqueued)
        let producer = TestThread { outcome.value = ring.push(3) }
        sleep(microseconds: 50_000)
        #expect(ring.count == 2)
        ring.stopWaiting()
        producer.join()
        #expect(outcome.value == .abandoned)
        #expect(ring.dropped == 1)
        #expect(ring.pop() == 1)
        #expect(ring.push(4) == .enqueued, "a push that finds room still succeeds after stopWaiting()")
    }
}
