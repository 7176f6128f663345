import CSVReading
import MarketSimulator
import RiskEngine

#if canImport(Glibc)
    import Glibc
#endif

/// `riskstream feed --truth FILE`: what the simulated market really did, one JSON object a line, in
/// event order, with the timestamps the events were published with (wall or simulated):
///
///     {"type":"start","ts":…,"symbols":[…],"regime":"normal",…}     first line: the market at the start
///     {"type":"regime","ts":…,"symbol":"AAPL","from":"normal","to":"stressed","cause":"news",
///      "old_vol":0.31,"new_vol":0.93}                               one line per symbol per change
///     {"type":"jump","ts":…,"symbol":"TSLA","size":-0.0009,"sigmas":12.1}
///     {"type":"jump","ts":…,"symbols":[…],"market":true,"size":…,"sigmas":…}
///     {"type":"crash","ts":…,"end_ts":…,"size":0.03,"symbols":[…]}
///     {"type":"news","ts":…,"symbols":["AAPL"],"sentiment":-0.71,"vol_multiplier":2.8}
///     {"type":"end","ts":…,"events":…,"ticks":…}                    last line: the last event's time
///
/// Volatilities are annualised as the engine does (per-tick variance × ticks per second ×
/// 5,896,800), at the tick rate after the change. A regime or market-wide line is written when the
/// step that carries it is published, so its `ts` is that of the first event showing it.
final class GroundTruthFile {
    private let descriptor: Int32
    private let symbols: [String]
    /// Ticks of one symbol per second on the published clock, when it is the wall clock at a set rate.
    private let wallTicksPerSecond: Double?
    private var buffer: [UInt8] = []
    private var lastTs: Int64

    init(path: String, configuration: SimulatorConfiguration, feed: FeedCommand) throws(FileError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FileError(description: String(cString: strerror(errno))) }
        symbols = configuration.instruments.map(\.symbol)
        let wall = feed.timestamps == .wall
        wallTicksPerSecond = wall && feed.rate > 0 ? feed.rate / Double(symbols.count) : nil
        lastTs = wall ? EngineClock.wallNanoseconds() : configuration.startTimestamp
        var line = JSONLine(type: "start", ts: lastTs)
        line.field("seed", String(configuration.seed))
        line.strings("symbols", symbols)
        line.string("index", configuration.indexSymbol)
        line.string("regime", configuration.initialRegime.description)
        line.string("timestamps", feed.timestamps.rawValue)
        line.number("event_rate", 1e9 / Double(configuration.meanEventSpacingNanoseconds))
        line.number("index_volatility", feed.market.indexVolatility)
        line.string("microstructure", feed.market.microstructure.rawValue)
        line.string("session", feed.market.session.rawValue)
        append(line)
    }

    deinit { close(descriptor) }

    /// Appends the ground truth carried by one published event (`publishedTs`; the simulator logged it at
    /// `simulatedTs`, which differs on the wall clock).
    func write(_ events: [GroundTruthEvent], publishedTs: Int64, simulatedTs: Int64) {
        for event in events {
            let ts = publishedTs
            switch event.kind {
            case .regimeChange(let from, let to, let byNews, let volatilities):
                for change in volatilities {
                    var line = JSONLine(type: "regime", ts: ts)
                    line.string("symbol", change.symbol)
                    line.string("from", from.description)
                    line.string("to", to.description)
                    line.string("cause", byNews ? "news" : "chain")
                    let perSecond = wallTicksPerSecond ?? 1e9 / change.tickSpacingNanoseconds
                    let annualise = (perSecond * SimulatorConfiguration.tradingSecondsPerYear).squareRoot()
                    line.number("old_vol", change.before * annualise)
                    line.number("new_vol", change.after * annualise)
                    append(line)
                }
            case .jump(let symbol, let size, let sigmas):
                var line = JSONLine(type: "jump", ts: ts)
                if let symbol {
                    line.string("symbol", symbol)
                } else {
                    line.strings("symbols", symbols)
                    line.field("market", "true")
                }
                line.number("size", size)
                line.number("sigmas", sigmas)
                append(line)
            case .crashStart(let size, let endTs):
                var line = JSONLine(type: "crash", ts: ts)
                line.field("end_ts", String(ts + (endTs - event.ts)))
                line.number("size", size)
                line.strings("symbols", symbols)
                append(line)
            case .crashEnd:
                break  // the crash line's end_ts says when it ends
            case .negativeNews(let tagged, let sentiment, let multiplier):
                var line = JSONLine(type: "news", ts: ts)
                line.strings("symbols", tagged)
                line.number("sentiment", sentiment)
                line.number("vol_multiplier", multiplier)
                append(line)
            }
        }
        lastTs = max(lastTs, publishedTs)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Writes the last line (the last published event's `ts`) and flushes.
    func finish(events: Int, ticks: Int, lastTs last: Int64?) throws(FileError) {
        var line = JSONLine(type: "end", ts: max(lastTs, last ?? lastTs))
        line.field("events", String(events))
        line.field("ticks", String(ticks))
        append(line)
        flush()
        if fsync(descriptor) != 0 && errno != EINVAL {
            throw FileError(description: String(cString: strerror(errno)))
        }
    }

    private func append(_ line: JSONLine) {
        buffer.append(contentsOf: line.text.utf8)
        buffer.append(contentsOf: "}\n".utf8)
    }

    private func flush() {
        writeAll(fd: descriptor, &buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Builds one flat JSON object; `text` lacks the closing brace.
struct JSONLine {
    private(set) var text: String

    init(type: String, ts: Int64) {
        text = #"{"type":"\#(type)","ts":\#(ts)"#
    }

    mutating func field(_ key: String, _ raw: String) {
        text += #","\#(key)":\#(raw)"#
    }

    mutating func string(_ key: String, _ value: String?) {
        field(key, value.map(Self.quoted) ?? "null")
    }

    mutating func strings(_ key: String, _ values: [String]) {
        field(key, "[" + values.map(Self.quoted).joined(separator: ",") + "]")
    }

    /// A finite number in Swift's shortest round-trip form (valid JSON), else `null`.
    mutating func number(_ key: String, _ value: Double) {
        field(key, value.isFinite ? String(value) : "null")
    }

    static func quoted(_ text: String) -> String {
        var bytes: [UInt8] = []
        TailLine.appendJSONString(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
