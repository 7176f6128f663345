/// Signed feature hashing ("the hashing trick") of tokens and categorical values into 2^b buckets.
///
/// The hash is fixed, seeded and platform-independent (unlike Swift's `Hasher`, seeded per process):
/// 64-bit FNV-1a over the UTF-8 bytes, starting from the FNV offset basis XOR seed·0x9E3779B97F4A7C15,
/// then MurmurHash3's 64-bit finalizer (fmix64) to spread the bits. The bucket is the low b bits; the
/// sign is −1 when bit 63 is set, +1 otherwise, so collisions cancel in expectation.
///
/// Cost: O(bytes) per token, no allocation. A `HashedFeatures` buffer is reused across rows.
public struct FeatureHasher: Sendable, Hashable, Checkpointable {
    /// log₂ of the number of buckets, 1...30.
    public let bits: Int
    public let seed: UInt64

    /// - Precondition: `1 ≤ bits ≤ 30`.
    public init(bits: Int = 18, seed: UInt64 = 0) {
        precondition(bits >= 1 && bits <= 30, "bits must be in 1...30")
        self.bits = bits
        self.seed = seed
    }

    /// Bytes of state: the hasher holds only its bits and seed.
    public var memoryBound: Int { 16 }

    /// 2^bits: the width of the feature vectors produced (and of the model that consumes them).
    public var bucketCount: Int { 1 << bits }

    /// The 64-bit digest of a token's UTF-8 bytes.
    public func digest(_ token: some StringProtocol) -> UInt64 {
        Self.finalize(Self.mix(start, token))
    }

    /// The digest of `field`, a 0x1F separator, then `value`: a categorical value namespaced by its field,
    /// without building the concatenated string.
    public func digest(field: some StringProtocol, value: some StringProtocol) -> UInt64 {
        let h = (Self.mix(start, field) ^ 0x1F) &* Self.prime
        return Self.finalize(Self.mix(h, value))
    }

    /// The bucket and sign for a digest.
    public func bucket(of digest: UInt64) -> (index: Int, sign: Double) {
        (Int(truncatingIfNeeded: digest & UInt64(bucketCount - 1)), digest >> 63 == 0 ? 1 : -1)
    }

    /// Adds sign·value at the token's bucket.
    public func add(token: some StringProtocol, value: Double = 1, to features: inout HashedFeatures) {
        let (index, sign) = bucket(of: digest(token))
        features.append(index: index, value: sign * value)
    }

    /// Adds sign·value at the bucket of `field`=`value` (one-hot encoding of a categorical value).
    public func add(
        field: some StringProtocol, category: some StringProtocol, value: Double = 1,
        to features: inout HashedFeatures
    ) {
        let (index, sign) = bucket(of: digest(field: field, value: category))
        features.append(index: index, value: sign * value)
    }

    /// Clears `features`, hashes every token (count 1 each) and consolidates: the result has distinct,
    /// increasing indices, as `SGDRegressor.learn(indices:values:_:weight:)` requires.
    public func transform(tokens: some Sequence<some StringProtocol>, into features: inout HashedFeatures) {
        features.removeAll()
        for token in tokens { add(token: token, to: &features) }
        features.consolidate()
    }

    // Concrete `String` paths: the generic ones above are not specialized across modules, and their
    // per-token generic dispatch costs more than the hashing itself.

    /// The 64-bit digest of a token's UTF-8 bytes (same value as the generic overload).
    public func digest(_ token: String) -> UInt64 {
        Self.finalize(Self.mix(start, token))
    }

    /// Adds sign·value at the token's bucket.
    public func add(token: String, value: Double = 1, to features: inout HashedFeatures) {
        let (index, sign) = bucket(of: digest(token))
        features.append(index: index, value: sign * value)
    }

    /// `transform(tokens:into:)` for an array of strings, without generic dispatch.
    public func transform(tokens: [String], into features: inout HashedFeatures) {
        features.removeAll()
        for token in tokens { add(token: token, to: &features) }
        features.consolidate()
    }

    private static func mix(_ state: UInt64, _ text: String) -> UInt64 {
        if let h = text.utf8.withContiguousStorageIfAvailable({ mix(state, $0) }) { return h }
        var h = state
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* prime }
        return h
    }

    private var start: UInt64 { Self.offsetBasis ^ (seed &* 0x9E37_79B9_7F4A_7C15) }
    private static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a over the UTF-8 bytes, through contiguous storage when the string has it (native strings
    /// do): one generic call per token instead of one per byte.
    private static func mix(_ state: UInt64, _ text: some StringProtocol) -> UInt64 {
        if let h = text.utf8.withContiguousStorageIfAvailable({ mix(state, $0) }) { return h }
        var h = state
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* prime }
        return h
    }

    private static func mix(_ state: UInt64, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = state
        for byte in bytes { h = (h ^ UInt64(byte)) &* prime }
        return h
    }

    private static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    public static var stateTag: String { "hasher" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(bits)
        writer.write(seed)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let bits = try reader.readInt()
        guard bits >= 1 && bits <= 30 else { throw ModelStateError(offset: at, reason: "hash bits \(bits)") }
        self.init(bits: bits, seed: try reader.readUInt64())
    }
}

/// A sparse feature vector (parallel indices and values), reused across rows: `removeAll` keeps the
/// capacity, so after warm-up no call allocates. Memory: 16 bytes per stored entry, at most the largest
/// row seen.
public struct HashedFeatures: Sendable, Hashable {
    public private(set) var indices: [Int] = []
    public private(set) var values: [Double] = []

    public init(capacity: Int = 0) {
        indices.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    public var count: Int { indices.count }

    public mutating func removeAll() {
        indices.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    public mutating func append(index: Int, value: Double) {
        indices.append(index)
        values.append(value)
    }

    /// Sorts by index in place, sums the values of equal indices and drops entries that sum to 0.
    /// - Complexity: O(n log n) (insertion sort up to 16 entries, heapsort beyond); no allocation.
    public mutating func consolidate() {
        let n = indices.count
        if n < 2 { return }
        let out = indices.withUnsafeMutableBufferPointer { idx in
            values.withUnsafeMutableBufferPointer { val in
                Self.sort(idx, val)
                var out = 0
                var k = 0
                while k < n {
                    let index = idx[k]
                    var sum = val[k]
                    k += 1
                    while k < n && idx[k] == index {
                        sum += val[k]
                        k += 1
                    }
                    if sum != 0 {
                        idx[out] = index
                        val[out] = sum
                        out += 1
                    }
                }
                return out
            }
        }
        indices.removeLast(n - out)
        values.removeLast(n - out)
    }

    private static func sort(_ idx: UnsafeMutableBufferPointer<Int>, _ val: UnsafeMutableBufferPointer<Double>) {
        let n = idx.count
        func swapAt(_ a: Int, _ b: Int) {
            idx.swapAt(a, b)
            val.swapAt(a, b)
        }
        if n <= 16 {
            for i in 1..<n {
                var j = i
                while j > 0 && idx[j - 1] > idx[j] {
                    swapAt(j - 1, j)
                    j -= 1
                }
            }
            return
        }
        func siftDown(_ start: Int, _ end: Int) {
            var root = start
            while 2 * root + 1 < end {
                var child = 2 * root + 1
                if child + 1 < end && idx[child] < idx[child + 1] { child += 1 }
                if idx[root] >= idx[child] { return }
                swapAt(root, child)
                root = child
            }
        }
        for start in stride(from: n / 2 - 1, through: 0, by: -1) { siftDown(start, n) }
        for end in stride(from: n - 1, to: 0, by: -1) {
            swapAt(0, end)
            siftDown(0, end)
        }
    }
}

extension SGDRegressor {
    /// w·x + b for hashed features. - Complexity: O(nnz), no allocation.
    public func predict(_ features: HashedFeatures) -> Double {
        predict(indices: features.indices, values: features.values)
    }

    /// One update on hashed features (consolidated by `FeatureHasher.transform`). O(nnz), no allocation.
    public mutating func learn(_ features: HashedFeatures, _ y: Double, weight: Double = 1) {
        learn(indices: features.indices, values: features.values, y, weight: weight)
    }
}
