import RiskEngine
import Synchronization
import Testing

@Suite("Consumer wake-up", .timeLimit(.minutes(1)))
struct WakeupTests {
    @Test("a consumer parked with a long timeout is woken promptly by a push")
    func pushWakesParkedConsumer() {
        let ring = SPSCRing<Int>(capacity: 8, policy: .block)
        let outcome = Handoff((woke: false, after: Duration.zero))
        let consumer = TestThread {
            let clock = ContinuousClock()
            let start = clock.now
            let woke = ring.waitForElements(timeout: .seconds(10))
            outcome.value = (woke, clock.now - start)
        }
        sleep(microseconds: 100_000)  // let it park
        ring.push(42)
        consumer.join()
        #expect(outcome.value.woke)
        #expect(outcome.value.after >= .milliseconds(50), "the consumer must have slept until the push")
        #expect(outcome.value.after < .seconds(2), "woken by the push, not by the 10 s timeout")
        #expect(ring.pop() == 42)
    }

    @Test("a wait with nothing pushed returns after about its timeout")
    func emptyWaitTimesOut() {
        let ring = SPSCRing<Int>(capacity: 8, policy: .dropNewest)
        let clock = ContinuousClock()
        let start = clock.now
        let woke = ring.waitForElements(timeout: .milliseconds(150))
        let elapsed = clock.now - start
        #expect(!woke)
        #expect(elapsed >= .milliseconds(150))
        #expect(elapsed < .seconds(2))
    }

    @Test("a wait on a non-empty ring returns at once")
    func nonEmptyReturnsAtOnce() {
        let ring = SPSCRing<Int>(capacity: 8, policy: .block)
        ring.push(1)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(ring.waitForElements(timeout: .seconds(10)))
        #expect(clock.now - start < .seconds(1))
    }

    @Test("wakeConsumer() wakes a parked consumer with nothing pushed")
    func wakeConsumerWakes() {
        let ring = SPSCRing<Int>(capacity: 8, policy: .dropOldest)
        let outcome = Handoff((hasElements: true, after: Duration.zero))
        let consumer = TestThread {
            let clock = ContinuousClock()
            let start = clock.now
            let hasElements = ring.waitForElements(timeout: .seconds(10))
            outcome.value = (hasElements, clock.now - start)
        }
        sleep(microseconds: 50_000)
        ring.wakeConsumer()
        consumer.join()
        #expect(!outcome.value.hasElements)
        #expect(outcome.value.after < .seconds(2))
    }

    @Test("Wakeup remembers a signal sent before the wait, once")
    func signalIsSticky() {
        let wakeup = Wakeup()
        wakeup.signal()
        wakeup.signal()
        #expect(wakeup.wait(timeout: .seconds(10)))
        #expect(!wakeup.wait(timeout: .milliseconds(20)), "signals do not accumulate")
    }

    /// A lost wake-up shows as a wait that runs to its timeout although elements were pushed. The producer
    /// pauses often, so the consumer parks thousands of times and races the producer's check of `parked`.
    @Test("no lost wake-ups: a consumer that parks whenever the ring is empty never waits out a timeout", arguments: [
        OverflowPolicy.block, .dropNewest, .dropOldest,
    ])
    func noLostWakeups(policy: OverflowPolicy) {
        let count = 20_000
        let ring = SPSCRing<Int>(capacity: 16, policy: policy)
        let producerDone = Atomic<Bool>(false)
        let stats = Handoff((received: 0, longWaits: 0, parks: 0))
        let consumer = TestThread {
            let clock = ContinuousClock()
            var buffer: [Int] = []
            buffer.reserveCapacity(16)
            var received = 0
            var longWaits = 0
            var parks = 0
            while true {
                let done = producerDone.load(ordering: .acquiring)
                let moved = ring.drain(into: &buffer, max: 16)
                buffer.removeAll(keepingCapacity: true)
                received += moved
                if moved > 0 { continue }
                if done { break }
                parks += 1
                let start = clock.now
                _ = ring.waitForElements(timeout: .milliseconds(500))
                if clock.now - start > .milliseconds(400) {
                    longWaits += 1
                    if longWaits == 3 { break }  // broken wake-ups: fail now rather than wait out every park
                }
            }
            ring.stopWaiting()  // a `.block` producer must not hang on a consumer that gave up
            stats.value = (received, longWaits, parks)
        }
        let producer = TestThread {
            for value in 0..<count {
                ring.push(value)
                if value % 4 == 0 { sleep(microseconds: 1) }
            }
            producerDone.store(true, ordering: .releasing)
            ring.wakeConsumer()
        }
        producer.join()
        consumer.join()
        #expect(stats.value.longWaits == 0, "a push did not wake the parked consumer")
        #expect(stats.value.parks > 100, "the test must make the consumer park often")
        #expect(stats.value.received + Int(ring.dropped) == count)
    }
}
