import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Structured log lines on standard error, one per event, `logfmt` style:
/// `ts=2026-… level=warn component=ingest msg="malformed frame" reason=out_of_range field=price`.
///
/// Thread-safe (one `write` per line). Hot paths must not log per event: they go through `RateLimiter`.
public enum EngineLog {
    public enum Level: String, Sendable, Comparable {
        case debug, info, warn, error
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
        var rank: Int {
            switch self {
            case .debug: 0
            case .info: 1
            case .warn: 2
            case .error: 3
            }
        }
    }

    private static let threshold = Atomic<Int>(1)

    /// Lines below `level` are not written. Default `.info`.
    public static func setLevel(_ level: Level) { threshold.store(level.rank, ordering: .relaxed) }

    /// Writes one line. `fields` values are quoted when they contain spaces, quotes or `=`.
    public static func write(_ level: Level, _ component: String, _ message: String, _ fields: [(String, String)] = []) {
        guard level.rank >= threshold.load(ordering: .relaxed) else { return }
        var line = "ts=\(EngineClock.wallNanoseconds()) level=\(level.rawValue) component=\(component) msg=\(quote(message))"
        for (key, value) in fields { line += " \(key)=\(quote(value))" }
        line += "\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    /// `value` as one logfmt value: as is when it is plain printable ASCII without `"` or `=`, else
    /// quoted with `"` and `\` escaped and every control character escaped (`escapingControls`).
    public static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.utf8.allSatisfy { $0 > 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "=") && $0 < 0x7F }
        if plain { return value }
        return "\"" + escapingControls(value, quotes: true) + "\""
    }

    /// `value` safe to write to a terminal: `\n`, `\r`, `\t` as those escapes, every other control
    /// character (C0, DEL, C1: ESC, BEL, CSI…), the line and paragraph separators and the bidirectional
    /// overrides as `\u{XXXX}`-style `\uXXXX` escapes, so text from the wire can never move the cursor,
    /// ring the bell, rewrite or reorder a line of the operator's terminal. With `quotes`, `"` and `\`
    /// are escaped too. Text that is not valid UTF-8 never gets here: decoding replaced it (`printable`).
    /// - Complexity: O(n); returns `value` itself when nothing needs escaping.
    public static func escapingControls(_ value: String, quotes: Bool = false) -> String {
        func special(_ v: UInt32) -> Bool {
            v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v)
                || (0x2066...0x2069).contains(v)
        }
        if !value.unicodeScalars.contains(where: { special($0.value) || (quotes && ($0 == "\"" || $0 == "\\")) }) {
            return value
        }
        var out = ""
        for ch in value.unicodeScalars {
            switch ch {
            case "\"" where quotes: out += "\\\""
            case "\\" where quotes: out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where special(ch.value):
                let hex = String(ch.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Bytes from the wire as text for a log: valid UTF-8 as is, every byte that is not part of valid
    /// UTF-8 as `\xNN` (so the operator sees what was sent, and no raw byte reaches a terminal; control
    /// characters are escaped later by `quote`/`escapingControls`). - Complexity: O(n).
    public static func printable(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var out = ""
        var i = 0
        while i < bytes.count {
            if bytes[i] < 0x80 {
                out.unicodeScalars.append(Unicode.Scalar(bytes[i]))
                i += 1
                continue
            }
            // The shortest prefix (2...4 bytes) that is one valid scalar, else this byte is escaped.
            var length = 0
            for n in 2...4 where i + n <= bytes.count {
                if let s = String(validating: bytes[i..<(i + n)], as: UTF8.self), s.unicodeScalars.count == 1 {
                    out += s
                    length = n
                    break
                }
            }
            if length == 0 {
                let hex = String(bytes[i], radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
                length = 1
            }
            i += length
        }
        return out
    }
}

/// Allows at most `burst` log lines per `periodNanoseconds`, and counts what it suppressed so the next
/// allowed line can say so. Owned by one thread.
struct RateLimiter {
    let burst: Int
    let periodNanoseconds: Int64
    private var windowStart: Int64 = 0
    private var used = 0
    private(set) var suppressed = 0

    init(burst: Int, periodNanoseconds: Int64) {
        self.burst = burst
        self.periodNanoseconds = periodNanoseconds
    }

    /// Whether a line may be written now; returns how many were suppressed since the last allowed line.
    mutating func allow(now: Int64) -> (allowed: Bool, suppressedBefore: Int) {
        if now - windowStart >= periodNanoseconds {
            windowStart = now
            used = 0
        }
        guard used < burst else {
            suppressed += 1
            return (false, 0)
        }
        used += 1
        let before = suppressed
        suppressed = 0
        return (true, before)
    }
}
