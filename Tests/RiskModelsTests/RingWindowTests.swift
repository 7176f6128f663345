import RiskModels
import Testing

@Suite struct RingWindowTests {
    /// After every number of appends from 0 to three laps plus one, the window must hold exactly the
    /// last `capacity` values of the stream, in order, whichever storage slot the oldest sits in.
    @Test(arguments: [1, 2, 3, 5, 10])
    func holdsTheNewestElementsAtEveryWrapPosition(capacity: Int) {
        var window = RingWindow<Int>(capacity: capacity)
        var stream: [Int] = []
        for n in 0...(3 * capacity + 1) {
            let expected = Array(stream.suffix(capacity))
            #expect(window.count == expected.count)
            #expect(window.capacity == capacity)
            #expect(window.isFull == (expected.count == capacity))
            #expect(window.isEmpty == expected.isEmpty)
            #expect(Array(window) == expected, "oldest-first after \(n) appends")
            #expect(Array(window.reversed()) == expected.reversed(), "newest-first after \(n) appends")
            for age in 0..<expected.count {
                #expect(window[newest: age] == expected[expected.count - 1 - age])
                #expect(window[age] == expected[age])
            }
            #expect(window.first == expected.first)
            #expect(window.last == expected.last)

            let value = 100 + n
            let evicted = window.append(value)
            #expect(evicted == (stream.count >= capacity ? stream[stream.count - capacity] : nil))
            stream.append(value)
        }
    }

    @Test(arguments: [1, 3, 4])
    func removeAllEmptiesAndTheWindowRefillsInOrder(capacity: Int) {
        var window = RingWindow<Int>(capacity: capacity)
        for i in 0..<(capacity + 2) { window.append(i) }
        window.removeAll()
        #expect(window.isEmpty && window.count == 0 && window.last == nil)
        for i in 0..<(capacity + 1) { window.append(10 + i) }
        #expect(Array(window) == Array((10..<(11 + capacity)).suffix(capacity)))
    }

    @Test func equalityComparesContentsNotStorageLayout() {
        var a = RingWindow<Int>(capacity: 3)
        var b = RingWindow<Int>(capacity: 3)
        for i in 0..<5 { a.append(i) }  // wrapped: oldest in the middle of storage
        b.removeAll()
        for i in 2..<5 { b.append(i) }  // not wrapped
        #expect(a == b)
        b.append(9)
        #expect(a != b)
        #expect(RingWindow<Int>(capacity: 2) != RingWindow<Int>(capacity: 3))
    }

    @Test func copiesAreIndependentValues() {
        var a = RingWindow<Int>(capacity: 2)
        a.append(1)
        var b = a
        b.append(2)
        b.append(3)
        #expect(Array(a) == [1])
        #expect(Array(b) == [2, 3])
    }
}
