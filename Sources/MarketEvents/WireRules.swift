// Rules shared by the JSON and binary codecs: event kinds and their codes, the symbol rule, and a strict
// UTF-8 validator. Nothing here allocates.

/// The seven message kinds. Raw values are the binary v1 kind byte (payload offset 1).
enum EventKind: UInt8, CaseIterable {
    case tick = 1, news, position, alert, hedge, risk, heartbeat

    /// The topic kind string, the part of the topic before the first dot.
    var name: StaticString {
        switch self {
        case .tick: "tick"
        case .news: "news"
        case .position: "position"
        case .alert: "alert"
        case .hedge: "hedge"
        case .risk: "risk"
        case .heartbeat: "heartbeat"
        }
    }

    /// Whether the topic carries a key after a dot (every kind except `heartbeat`).
    var hasKey: Bool { self != .heartbeat }

    init(_ event: WireEvent) {
        switch event {
        case .tick: self = .tick
        case .news: self = .news
        case .position: self = .position
        case .alert: self = .alert
        case .hedge: self = .hedge
        case .risk: self = .risk
        case .heartbeat: self = .heartbeat
        }
    }

    /// The kind whose name is exactly `bytes`, or `nil`.
    static func named(_ bytes: UnsafeRawBufferPointer) -> EventKind? {
        let candidate: EventKind
        switch (bytes.count, bytes.first) {
        case (4, UInt8(ascii: "t")): candidate = .tick
        case (4, UInt8(ascii: "n")): candidate = .news
        case (4, UInt8(ascii: "r")): candidate = .risk
        case (5, UInt8(ascii: "a")): candidate = .alert
        case (5, UInt8(ascii: "h")): candidate = .hedge
        case (8, _): candidate = .position
        case (9, _): candidate = .heartbeat
        default: return nil
        }
        return bytesEqual(bytes, candidate.name) ? candidate : nil
    }
}

/// Longest symbol or account, in bytes.
let maxSymbolBytes = 64

/// The symbol rule, used for every symbol, account and topic key: 1...64 bytes, each printable ASCII
/// `0x21...0x7E` (no space, no control character, no non-ASCII byte).
///
/// - Returns: `nil` when valid, otherwise a human-readable reason.
/// - Complexity: O(n), no allocation on success.
@inline(__always)
func symbolViolation(_ bytes: UnsafeRawBufferPointer) -> String? {
    isValidSymbol(bytes) ? nil : symbolMessage(bytes)
}

@inline(__always)
func isValidSymbol(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= 1 && bytes.count <= maxSymbolBytes else { return false }
    var valid = true
    for byte in bytes { valid = valid && byte &- 0x21 <= 0x7E - 0x21 }
    return valid
}

private func symbolMessage(_ bytes: UnsafeRawBufferPointer) -> String? {
    if bytes.isEmpty { return "must be 1...\(maxSymbolBytes) bytes, got an empty string" }
    if bytes.count > maxSymbolBytes { return "must be 1...\(maxSymbolBytes) bytes, got \(bytes.count)" }
    for index in 0..<bytes.count where bytes[index] &- 0x21 > 0x7E - 0x21 {
        return "byte \(index) is 0x\(hex2(bytes[index])): symbols are printable ASCII 0x21...0x7E"
    }
    return nil
}

/// Whether `bytes` equals the ASCII text of `name`.
@inline(__always)
func bytesEqual(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
    let count = name.utf8CodeUnitCount
    guard bytes.count == count else { return false }
    let start = name.utf8Start
    for index in 0..<count where bytes[index] != start[index] { return false }
    return true
}

/// Whether the UTF-8 of `string` equals `bytes`.
@inline(__always)
func stringEquals(_ string: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var string = string
    return string.withUTF8 { utf8 in
        utf8.count == bytes.count && utf8.elementsEqual(bytes)
    }
}

/// Two lowercase hex digits.
func hex2(_ byte: UInt8) -> String {
    let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
}

/// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates `U+D800...U+DFFF`, nothing above
/// `U+10FFFF`.
enum UTF8Check {
    /// The length of the valid sequence starting at `pointer[index]` (a byte `>= 0x80`), or `nil`
    /// when it is invalid or runs past `end`.
    @inline(__always)
    static func sequenceLength(_ pointer: UnsafePointer<UInt8>, at index: Int, end: Int) -> Int? {
        let lead = pointer[index]
        @inline(__always) func cont(_ offset: Int) -> UInt8? {
            let at = index + offset
            guard at < end else { return nil }
            let byte = pointer[at]
            return byte & 0xC0 == 0x80 ? byte : nil
        }
        switch lead {
        case 0xC2...0xDF:
            return cont(1) == nil ? nil : 2
        case 0xE0...0xEF:
            guard let second = cont(1), cont(2) != nil else { return nil }
            if lead == 0xE0 && second < 0xA0 { return nil }  // overlong
            if lead == 0xED && second > 0x9F { return nil }  // surrogate
            return 3
        case 0xF0...0xF4:
            guard let second = cont(1), cont(2) != nil, cont(3) != nil else { return nil }
            if lead == 0xF0 && second < 0x90 { return nil }  // overlong
            if lead == 0xF4 && second > 0x8F { return nil }  // above U+10FFFF
            return 4
        default:
            return nil  // continuation byte, overlong C0/C1, or F5...FF
        }
    }

    /// The offset of the first byte that does not start a valid sequence, or `nil` if all of
    /// `bytes` is valid UTF-8.
    /// - Complexity: O(n), no allocation.
    static func firstInvalidOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let end = bytes.count
        var index = 0
        while index < end {
            // Eight ASCII bytes at a time.
            while index + 8 <= end {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
            guard index < end else { break }
            if base[index] < 0x80 {
                index += 1
                continue
            }
            guard let length = sequenceLength(base, at: index, end: end) else { return index }
            index += length
        }
        return nil
    }
}

/// The range of a Double field, shared by both codecs. Every rule also requires a finite value.
enum DoubleRule {
    /// Any finite value (e.g. a signed quantity).
    case finite
    /// `> 0` (prices).
    case positive
    /// `>= 0` (sizes, volatility; `-0.0` passes).
    case nonNegative
    /// `[-1, 1]` (sentiment).
    case signedUnit
    /// `[0, 1]` (drawdown).
    case unit
    /// `(0, 1)` exclusive (confidence level).
    case openUnit

    /// Why a finite `value` breaks the rule, or `nil` when it satisfies it.
    @inline(__always)
    func violation(_ value: Double) -> String? {
        allows(value) ? nil : message(value)
    }

    @inline(__always)
    func allows(_ value: Double) -> Bool {
        switch self {
        case .finite: true
        case .positive: value > 0
        case .nonNegative: value >= 0
        case .signedUnit: value >= -1 && value <= 1
        case .unit: value >= 0 && value <= 1
        case .openUnit: value > 0 && value < 1
        }
    }

    private func message(_ value: Double) -> String? {
        switch self {
        case .finite: nil
        case .positive: value > 0 ? nil : "must be > 0, got \(value)"
        case .nonNegative: value >= 0 ? nil : "must be >= 0, got \(value)"
        case .signedUnit: value >= -1 && value <= 1 ? nil : "must be in [-1, 1], got \(value)"
        case .unit: value >= 0 && value <= 1 ? nil : "must be in [0, 1], got \(value)"
        case .openUnit: value > 0 && value < 1 ? nil : "must be in (0, 1), got \(value)"
        }
    }
}
