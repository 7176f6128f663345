#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// Deterministic samplers over any RandomNumberGenerator. Each documents how many draws it consumes,
// because a saved generator state must line up with the samples taken after a restore.

extension RandomNumberGenerator {
    /// A uniform double in `[0, 1)` with 53 random bits. One draw.
    @inlinable
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform double in `(0, 1]`, safe to pass to `log`. One draw.
    @inlinable
    public mutating func nextOpenUnitDouble() -> Double {
        (Double(next() >> 11) + 1) * 0x1.0p-53
    }

    /// A standard normal sample by the Box–Muller transform. Exactly two draws per call (the second
    /// variate is discarded so the number of draws never depends on history).
    @inlinable
    public mutating func nextGaussian() -> Double {
        let u1 = nextOpenUnitDouble()
        let u2 = nextUnitDouble()
        return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
    }

    /// An exponential sample with the given rate (mean `1 / rate`). One draw.
    @inlinable
    public mutating func nextExponential(rate: Double) -> Double {
        -_log(nextOpenUnitDouble()) / rate
    }

    /// A Poisson sample with mean `lambda` by Knuth's multiplication method: `k + 1` draws for result
    /// `k`. Intended for small `lambda` (online bagging uses 1 or 6).
    /// - Precondition: `0 <= lambda <= 30`.
    @inlinable
    public mutating func nextPoisson(lambda: Double) -> Int {
        precondition(lambda >= 0 && lambda <= 30, "nextPoisson is for small lambda")
        let limit = _exp(-lambda)
        var k = 0
        var p = nextUnitDouble()
        while p > limit {
            k += 1
            p *= nextUnitDouble()
        }
        return k
    }
}


@usableFromInline func _log(_ x: Double) -> Double { log(x) }
@usableFromInline func _cos(_ x: Double) -> Double { cos(x) }
@usableFromInline func _exp(_ x: Double) -> Double { exp(x) }
