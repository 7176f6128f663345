/// A fixed-capacity window over the most recent elements of a stream: appending to a full window
/// overwrites the oldest element.
///
/// Storage is reserved once, at `init`, for exactly `capacity` elements; appends never grow it, so a
/// window allocates nothing per element after construction (as long as it is mutated in place and not
/// shared: it is a copy-on-write value type like `Array`).
///
/// As a `RandomAccessCollection` it is indexed oldest-first: `self[0]` is the oldest element, `first`
/// the oldest, `last` the newest, and `for x in window` iterates oldest to newest. `self[newest: 0]` is
/// the newest element and `reversed()` iterates newest to oldest without copying.
///
/// - Complexity: O(1) append, O(1) indexed access, memory O(capacity).
public struct RingWindow<Element> {
    /// The elements in storage order. While the window is not full, `storage[i]` is the i-th oldest and
    /// `head == 0`; once full, the oldest element is at `head` and the storage never changes size.
    @usableFromInline var storage: ContiguousArray<Element>
    /// Storage position of the oldest element.
    @usableFromInline var head: Int

    /// The most elements the window keeps.
    public let capacity: Int

    /// Creates an empty window that keeps the `capacity` most recent elements.
    /// - Precondition: `capacity >= 1`.
    /// - Complexity: O(capacity); the only allocation the window ever makes.
    public init(capacity: Int) {
        precondition(capacity >= 1, "a RingWindow needs a capacity of at least 1")
        self.capacity = capacity
        storage = []
        storage.reserveCapacity(capacity)
        head = 0
    }

    /// How many elements the window holds, at most `capacity`.
    @inlinable
    public var count: Int { storage.count }

    /// Whether the window holds `capacity` elements, so the next append evicts the oldest.
    @inlinable
    public var isFull: Bool { storage.count == capacity }

    /// Appends `element` as the newest; when the window is full, evicts and returns the oldest.
    /// - Complexity: O(1), no allocation.
    @inlinable
    @discardableResult
    public mutating func append(_ element: Element) -> Element? {
        if storage.count < capacity {
            storage.append(element)
            return nil
        }
        let evicted = storage[head]
        storage[head] = element
        head += 1
        if head == capacity { head = 0 }
        return evicted
    }

    /// The element `age` steps back from the newest: `self[newest: 0]` is the newest and
    /// `self[newest: count - 1]` the oldest.
    /// - Precondition: `0 <= age < count`.
    /// - Complexity: O(1).
    @inlinable
    public subscript(newest age: Int) -> Element {
        precondition(age >= 0 && age < storage.count, "RingWindow age out of range")
        return self[storage.count - 1 - age]
    }

    /// Empties the window, keeping its storage.
    /// - Complexity: O(count), no allocation.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        head = 0
    }
}

extension RingWindow: RandomAccessCollection {
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @inlinable
    public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int { storage.count }

    /// The element at `position`, counted from the oldest (0) to the newest (`count - 1`).
    /// - Complexity: O(1).
    @inlinable
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < storage.count, "RingWindow index out of range")
        var physical = head + position
        if physical >= capacity { physical -= capacity }
        return storage[physical]
    }

    @inlinable
    public var isEmpty: Bool { storage.isEmpty }
}

extension RingWindow: Sendable where Element: Sendable {}

extension RingWindow: Equatable where Element: Equatable {
    /// Equal when both have the same capacity and the same elements in the same order, wherever those
    /// elements sit in storage.
    public static func == (lhs: RingWindow, rhs: RingWindow) -> Bool {
        lhs.capacity == rhs.capacity && lhs.elementsEqual(rhs)
    }
}
