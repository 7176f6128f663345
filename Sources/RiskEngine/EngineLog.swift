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

    static func quote(_ value: String) -> String {
        let plain = !value.isEmpty && value.utf8.allSatisfy { $0 > 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "=") && $0 < 0x7F }
        if plain { return value }
        var out = "\""
        for ch in value.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Every other control character (ESC, BEL, C1 controls) as \u00XX: a topic from the wire
            // can never move the cursor, ring the bell or rewrite a line of the operator's terminal.
            case _ where ch.value < 0x20 || (0x7F...0x9F).contains(ch.value):
                let hex = String(ch.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
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
