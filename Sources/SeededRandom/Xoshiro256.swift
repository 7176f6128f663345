/// A seeded, deterministic pseudo-random generator: xoshiro256** (Blackman and Vigna), seeded through
/// SplitMix64 so that any 64-bit seed, including 0, gives a well-mixed state.
///
/// The same seed gives the same sequence on every platform and every run; this is what makes the
/// simulator, the online models and replay reproducible bit for bit. Not cryptographically secure.
///
/// - Complexity: O(1) per value, no allocation.
public struct Xoshiro256: RandomNumberGenerator, Sendable, Hashable {
    /// The generator's whole state; saving and restoring it resumes the sequence exactly.
    public var state: (UInt64, UInt64, UInt64, UInt64) { s }

    @usableFromInline var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var mixer = SplitMix64(seed: seed)
        s = (mixer.next(), mixer.next(), mixer.next(), mixer.next())
    }

    /// Restores a generator from a state previously read from `state`.
    /// - Precondition: the state is not all zeros.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zeros")
        s = state
    }

    @inlinable
    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    /// A child generator with an independent stream, derived deterministically from this one.
    /// Advances this generator by one value.
    public mutating func split() -> Xoshiro256 {
        Xoshiro256(seed: next())
    }

    public static func == (lhs: Xoshiro256, rhs: Xoshiro256) -> Bool {
        lhs.state == rhs.state
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(state.0)
        hasher.combine(state.1)
        hasher.combine(state.2)
        hasher.combine(state.3)
    }
}

@inlinable
@inline(__always)
func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// SplitMix64 (Steele, Lea and Flood): a tiny generator used to expand one seed into a full state.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
