/// How the values of a CSV time column are written. The first value of a column decides an epoch
/// number's unit; dates and date-times are recognised value by value.
public enum CSVTimeFormat: Sendable, Hashable, CustomStringConvertible {
    /// `2024-01-02`, or with a time `2024-01-02T15:04:05.123456789+01:00` (`T` or a space; seconds,
    /// fraction and zone optional; no zone means UTC).
    case iso8601
    /// `1/4/1999`, optionally followed by a space and `H:MM[:SS]` (UTC).
    case monthDayYear
    /// A number of seconds, milliseconds, microseconds or nanoseconds since the Unix epoch.
    case epoch(EpochUnit)

    public enum EpochUnit: Int64, Sendable, Hashable {
        case seconds = 1_000_000_000
        case milliseconds = 1_000_000
        case microseconds = 1_000
        case nanoseconds = 1

        /// The unit of an epoch number, by its magnitude: below 10¹¹ seconds (up to year 5138), below
        /// 10¹⁴ milliseconds, below 10¹⁷ microseconds, nanoseconds above. Every time since 1973 in
        /// any of the four units lands in its own band.
        static func guess(magnitude: Double) -> EpochUnit {
            switch magnitude {
            case ..<1e11: .seconds
            case ..<1e14: .milliseconds
            case ..<1e17: .microseconds
            default: .nanoseconds
            }
        }

        public var name: String {
            switch self {
            case .seconds: "s"
            case .milliseconds: "ms"
            case .microseconds: "µs"
            case .nanoseconds: "ns"
            }
        }
    }

    public var description: String {
        switch self {
        case .iso8601: "ISO 8601"
        case .monthDayYear: "M/D/YYYY"
        case .epoch(let unit): "epoch \(unit.name)"
        }
    }
}

/// Reads the time values of one CSV column as nanoseconds since the Unix epoch (UTC).
///
/// - Complexity: O(length of the value) per call, no allocation.
public struct CSVTimeReader {
    /// The unit of epoch numbers in this column, fixed by the first one read.
    public private(set) var epochUnit: CSVTimeFormat.EpochUnit?
    /// The format of the first value read.
    public private(set) var firstFormat: CSVTimeFormat?

    public init() {}

    /// The time in nanoseconds, or `nil` if the value is none of the formats or out of the range an
    /// Int64 of nanoseconds holds (1678 to 2261).
    public mutating func nanoseconds(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
        var scanner = Scanner(bytes: text)
        let format: CSVTimeFormat
        let value: Int64?
        if scanner.looksLikeISODate {
            format = .iso8601
            value = scanner.isoDateTime()
        } else if text.contains(UInt8(ascii: "/")) {
            format = .monthDayYear
            value = scanner.monthDayYear()
        } else {
            value = scanner.epoch(unit: &epochUnit)
            format = .epoch(epochUnit ?? .seconds)
        }
        if value != nil && firstFormat == nil { firstFormat = format }
        return value
    }

    /// A cursor over one value's bytes.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var i = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var atEnd: Bool { i == bytes.count }

        var looksLikeISODate: Bool {
            bytes.count >= 10 && bytes[4] == UInt8(ascii: "-") && (0..<4).allSatisfy { isDigit(bytes[$0]) }
        }

        func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

        mutating func take(_ b: UInt8) -> Bool {
            guard i < bytes.count && bytes[i] == b else { return false }
            i += 1
            return true
        }

        /// Exactly `count` digits, or between `count` and `maximum` when `maximum` is given.
        mutating func digits(_ count: Int, upTo maximum: Int? = nil) -> Int64? {
            var value: Int64 = 0
            var n = 0
            while n < (maximum ?? count) && i < bytes.count && isDigit(bytes[i]) {
                value = value * 10 + Int64(bytes[i] - UInt8(ascii: "0"))
                i += 1
                n += 1
            }
            return n >= count ? value : nil
        }

        /// `YYYY-MM-DD[(T| )HH:MM[:SS[.f…]]][Z|±HH[:MM]|±HHMM]`
        mutating func isoDateTime() -> Int64? {
            guard let year = digits(4), take(UInt8(ascii: "-")), let month = digits(2), take(UInt8(ascii: "-")),
                let day = digits(2), let date = Self.nanoseconds(year: year, month: month, day: day)
            else { return nil }
            if atEnd { return date }
            guard take(UInt8(ascii: "T")) || take(UInt8(ascii: " ")), let time = timeOfDay(hourDigits: 2) else {
                return nil
            }
            var offset: Int64 = 0
            if take(UInt8(ascii: "Z")) {
                offset = 0
            } else if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) {
                let sign: Int64 = bytes[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let hours = digits(2), hours <= 23 else { return nil }
                var minutes: Int64 = 0
                if !atEnd {
                    _ = take(UInt8(ascii: ":"))
                    guard let m = digits(2), m <= 59 else { return nil }
                    minutes = m
                }
                offset = sign * (hours * 3600 + minutes * 60) * 1_000_000_000
            }
            guard atEnd else { return nil }
            let (local, overflow) = date.addingReportingOverflow(time)
            guard !overflow else { return nil }
            let (utc, overflow2) = local.subtractingReportingOverflow(offset)
            return overflow2 ? nil : utc
        }

        /// `M/D/YYYY[ H:MM[:SS[.f…]]]`
        mutating func monthDayYear() -> Int64? {
            guard let month = digits(1, upTo: 2), take(UInt8(ascii: "/")), let day = digits(1, upTo: 2),
                take(UInt8(ascii: "/")), let year = digits(4),
                let date = Self.nanoseconds(year: year, month: month, day: day)
            else { return nil }
            if atEnd { return date }
            guard take(UInt8(ascii: " ")), let time = timeOfDay(hourDigits: 1), atEnd else { return nil }
            let (sum, overflow) = date.addingReportingOverflow(time)
            return overflow ? nil : sum
        }

        /// `HH:MM[:SS[.f…]]` as nanoseconds into the day (at most nine fraction digits count).
        mutating func timeOfDay(hourDigits: Int) -> Int64? {
            guard let hour = digits(hourDigits, upTo: 2), hour <= 23, take(UInt8(ascii: ":")),
                let minute = digits(2), minute <= 59
            else { return nil }
            var second: Int64 = 0
            var fraction: Int64 = 0
            if take(UInt8(ascii: ":")) {
                guard let s = digits(2), s <= 60 else { return nil }
                second = s
                if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
                    var scale: Int64 = 100_000_000
                    let start = i
                    while i < bytes.count && isDigit(bytes[i]) {
                        fraction += Int64(bytes[i] - UInt8(ascii: "0")) * scale
                        scale /= 10
                        i += 1
                    }
                    guard i > start else { return nil }
                }
            }
            return ((hour * 60 + minute) * 60 + second) * 1_000_000_000 + fraction
        }

        /// An epoch number, integer or decimal, in the column's unit (fixed by its first number).
        mutating func epoch(unit: inout CSVTimeFormat.EpochUnit?) -> Int64? {
            guard !bytes.isEmpty else { return nil }
            let negative = bytes[0] == UInt8(ascii: "-")
            if negative || bytes[0] == UInt8(ascii: "+") { i = 1 }
            let integerStart = i
            var integer: Int64 = 0
            while i < bytes.count && isDigit(bytes[i]) {
                let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(Int64(bytes[i] - UInt8(ascii: "0")))
                guard !o1 && !o2 else { return nil }
                integer = next
                i += 1
            }
            guard i > integerStart else { return nil }
            var fraction = 0.0
            if take(UInt8(ascii: ".")) {
                var scale = 0.1
                while i < bytes.count && isDigit(bytes[i]) {
                    fraction += Double(bytes[i] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    i += 1
                }
            }
            guard atEnd else { return nil }
            let chosen = unit ?? .guess(magnitude: Double(integer))
            unit = chosen
            let (whole, overflow) = integer.multipliedReportingOverflow(by: chosen.rawValue)
            guard !overflow else { return nil }
            let value = whole + Int64((fraction * Double(chosen.rawValue)).rounded(.down))
            return negative ? -value : value
        }

        /// Midnight UTC of a proleptic Gregorian date in nanoseconds, if the date is valid and in range.
        static func nanoseconds(year: Int64, month: Int64, day: Int64) -> Int64? {
            guard (1678...2261).contains(year), (1...12).contains(month), day >= 1 else { return nil }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let length: Int64 =
                switch month {
                case 2: leap ? 29 : 28
                case 4, 6, 9, 11: 30
                default: 31
                }
            guard day <= length else { return nil }
            // Days since 1970-01-01, counting years from March so that the leap day comes last.
            let y = month <= 2 ? year - 1 : year
            let era = (y >= 0 ? y : y - 399) / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            return days * 86_400 * 1_000_000_000
        }
    }
}
