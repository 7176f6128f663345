import Glibc

// JSON numbers: the RFC 8259 grammar, exact integers (never through Double: a nanosecond timestamp
// exceeds 2^53), and correctly rounded doubles.

/// 10^0 ... 10^22, every one exactly representable as a Double.
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
]

/// Explicit exponents are clamped to this magnitude; far beyond anything that is not 0 or infinity.
private let exponentClamp = 100_000_000

@inline(__always)
private func isDigit(_ byte: UInt8) -> Bool {
    byte &- UInt8(ascii: "0") < 10
}

extension JSONReader {
    /// Scans the number token at `pos` (a `-` or digit). `-Infinity` is `nonFinite`; a leading zero,
    /// a missing digit, or a bare `.`/`e` is `invalidJSON`.
    mutating func scanNumber() throws(WireError) -> NumberToken {
        let start = pos
        if base[pos] == UInt8(ascii: "-") {
            if pos + 1 < end && base[pos + 1] == UInt8(ascii: "I") { try rejectNonFiniteLiteral() }
            pos += 1
        }
        guard pos < end, isDigit(base[pos]) else { throw unexpected("a digit") }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < end && isDigit(base[pos]) {
                throw error(.invalidJSON, "leading zeros are not allowed in JSON numbers", at: start)
            }
        } else {
            while pos < end && isDigit(base[pos]) { pos += 1 }
        }
        var isInteger = true
        if pos < end && base[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard pos < end, isDigit(base[pos]) else { throw unexpected("a digit after '.'") }
            while pos < end && isDigit(base[pos]) { pos += 1 }
        }
        if pos < end && (base[pos] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            pos += 1
            if pos < end && (base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard pos < end, isDigit(base[pos]) else { throw unexpected("a digit in the exponent") }
            while pos < end && isDigit(base[pos]) { pos += 1 }
        }
        return NumberToken(start: start, end: pos, isInteger: isInteger)
    }

    /// Positions at a number value or throws: `nonFinite` for `NaN`/`Infinity`, `wrongType` for a
    /// value of another type.
    @inline(__always)
    private mutating func expectNumber(_ expected: String) throws(WireError) {
        let byte = base[pos]
        if byte == UInt8(ascii: "-") || isDigit(byte) { return }
        if byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I") { try rejectNonFiniteLiteral() }
        throw wrongType(expected)
    }

    /// Reads an integer token: its sign and magnitude, or `nil` magnitude when it exceeds 64 bits.
    /// A fraction or exponent is `wrongType` (even `1.0` or `1e3`).
    private mutating func readIntegerToken() throws(WireError) -> (negative: Bool, magnitude: UInt64?) {
        try expectNumber("an integer")
        let token = try scanNumber()
        guard token.isInteger else {
            throw WireError(.wrongType, detail: "expected an integer, got a fraction or exponent", offset: token.start)
        }
        var index = token.start
        let negative = base[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        var magnitude: UInt64 = 0
        while index < token.end {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(base[index] &- UInt8(ascii: "0")))
            if overflow1 || overflow2 { return (negative, nil) }
            magnitude = sum
            index += 1
        }
        return (negative, magnitude)
    }

    /// Reads an integer in `Int64` (`outOfRange` beyond it).
    mutating func readInt64() throws(WireError) -> Int64 {
        let start = pos
        let (negative, magnitude) = try readIntegerToken()
        if let magnitude {
            if negative && magnitude <= UInt64(Int64.max) + 1 { return Int64(truncatingIfNeeded: 0 &- magnitude) }
            if !negative && magnitude <= UInt64(Int64.max) { return Int64(magnitude) }
        }
        throw WireError(.outOfRange, detail: "integer outside the Int64 range", offset: start)
    }

    /// Reads an integer in `UInt64` (`outOfRange` when negative or beyond it; `-0` is 0).
    mutating func readUInt64() throws(WireError) -> UInt64 {
        let start = pos
        let (negative, magnitude) = try readIntegerToken()
        guard let magnitude else {
            throw WireError(.outOfRange, detail: "integer greater than UInt64.max", offset: start)
        }
        if negative && magnitude != 0 {
            throw WireError(.outOfRange, detail: "must be >= 0 (an unsigned integer)", offset: start)
        }
        return magnitude
    }

    /// Reads a number as a correctly rounded, finite Double (`nonFinite` when it overflows to infinity,
    /// like `1e999`). Underflow rounds to a subnormal or zero.
    ///
    /// One pass checks the grammar (as `scanNumber`) and accumulates the decimal significand. Exact fast
    /// path (Clinger): at most 19 significant digits forming a mantissa <= 2^53 and a decimal exponent
    /// in -22...22 need one correctly rounded multiply or divide. Anything else goes to `strtod` on a
    /// stack buffer holding `digits e exponent` (no decimal point, so the C locale's radix character
    /// does not matter).
    mutating func readDouble() throws(WireError) -> Double {
        try expectNumber("a number")
        let start = pos
        let negative = base[pos] == UInt8(ascii: "-")
        if negative {
            if pos + 1 < end && base[pos + 1] == UInt8(ascii: "I") { try rejectNonFiniteLiteral() }
            pos += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var inexact = false
        var fractionDigits = 0
        guard pos < end, isDigit(base[pos]) else { throw unexpected("a digit") }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
            if pos < end && isDigit(base[pos]) {
                throw error(.invalidJSON, "leading zeros are not allowed in JSON numbers", at: start)
            }
        } else {
            while pos < end {
                let digit = base[pos] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    digits += 1
                } else {
                    exponent += 1
                    if digit != 0 { inexact = true }
                }
                pos += 1
            }
        }
        if pos < end && base[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < end, isDigit(base[pos]) else { throw unexpected("a digit after '.'") }
            while pos < end {
                let digit = base[pos] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                fractionDigits += 1
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    if mantissa != 0 { digits += 1 }
                    exponent -= 1
                } else if digit != 0 {
                    inexact = true
                }
                pos += 1
            }
        }
        var explicitExponent = 0
        if pos < end && (base[pos] | 0x20) == UInt8(ascii: "e") {
            pos += 1
            var exponentNegative = false
            if pos < end && (base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-")) {
                exponentNegative = base[pos] == UInt8(ascii: "-")
                pos += 1
            }
            guard pos < end, isDigit(base[pos]) else { throw unexpected("a digit in the exponent") }
            while pos < end {
                let digit = base[pos] &- UInt8(ascii: "0")
                guard digit < 10 else { break }
                if explicitExponent < exponentClamp { explicitExponent = explicitExponent * 10 + Int(digit) }
                pos += 1
            }
            if exponentNegative { explicitExponent = -explicitExponent }
        }
        if mantissa == 0 && !inexact { return negative ? -0.0 : 0.0 }
        exponent += explicitExponent
        if !inexact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent >= 0 {
                value *= exactPowersOfTen[exponent]
            } else {
                value /= exactPowersOfTen[-exponent]
            }
            return negative ? -value : value
        }
        let token = NumberToken(start: start, end: pos, isInteger: false)
        let value = slowParseDouble(token, fractionDigits: fractionDigits, explicitExponent: explicitExponent)
        guard value.isFinite else {
            throw WireError(.nonFinite, detail: "number overflows to infinity", offset: start)
        }
        return value
    }

    private func slowParseDouble(_ token: NumberToken, fractionDigits: Int, explicitExponent: Int) -> Double {
        let capacity = token.end - token.start + 16
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            var count = 0
            var index = token.start
            while index < token.end {
                let byte = base[index]
                if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { break }
                if byte != UInt8(ascii: ".") {
                    buffer[count] = CChar(bitPattern: byte)
                    count += 1
                }
                index += 1
            }
            buffer[count] = CChar(bitPattern: UInt8(ascii: "e"))
            count += 1
            var exponent = explicitExponent - fractionDigits
            if exponent < 0 {
                buffer[count] = CChar(bitPattern: UInt8(ascii: "-"))
                count += 1
                exponent = -exponent
            }
            let exponentStart = count
            repeat {
                buffer[count] = CChar(bitPattern: UInt8(ascii: "0") + UInt8(exponent % 10))
                count += 1
                exponent /= 10
            } while exponent > 0
            var low = exponentStart
            var high = count - 1
            while low < high {
                buffer.swapAt(low, high)
                low += 1
                high -= 1
            }
            buffer[count] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}
