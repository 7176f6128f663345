import ArgumentParser
import CSVReading
import MarketEvents
import MarketSimulator

#if canImport(Glibc)
    import Glibc
#endif

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write a seeded synthetic volatility-forecasting stream as a CSV for `riskstream evaluate`.",
        discussion: """
            One symbol's ticks from the market simulator (regime-switching volatility, jumps), one row per \
            tick. Returns are log returns of the quote mid in basis points; r_t is the latest.
              ret1_bps, ret2_bps, ret5_bps  r_t, r_(t-1), r_(t-4) (returns at lags 1, 2 and 5)
              absret_bps                    |r_t|
              log_ewma_var                  log of the RiskMetrics EWMA variance of r (λ 0.94)
              rv20_bps, rv100_bps           realised volatility sqrt(mean r²) over the last 20 / 100 returns
              spread_bps                    (ask − bid) / mid
              log_size                      log of the trade size
              dt_ms                         milliseconds since the symbol's previous tick
              target                        realised volatility sqrt(mean r²) over the NEXT H returns
            The target looks H ticks ahead, so evaluate it with --delay H. The first row is the tick with \
            100 returns behind it. Same seed and options, same bytes.

            Example:
              riskstream synth --rows 20000 --seed 7 --horizon 20 --out stream.csv

            With --prices it writes a price series for `riskstream backtest` instead: the header `ts,price` \
            and one row per tick of --symbol among the first --events simulator events (all symbols and \
            news count as events), ts in nanoseconds and price the quote mid (bid + ask)/2, or the trade \
            price when a side is missing. --rows and --horizon are not used.

            Example:
              riskstream synth --prices --symbol AAPL --events 200000 --out prices.csv
            """
    )

    static let header =
        "ret1_bps,ret2_bps,ret5_bps,absret_bps,log_ewma_var,rv20_bps,rv100_bps,spread_bps,log_size,dt_ms,target"

    @Option(parsing: .unconditional, help: "Data rows to write.")
    var rows: Int = 20_000

    @Option(parsing: .unconditional, help: "Seed of the simulator.")
    var seed: UInt64 = 42

    @Option(parsing: .unconditional, help: ArgumentHelp("Ticks the target looks ahead (H).", valueName: "ticks"))
    var horizon: Int = 20

    @Option(help: "Symbol of the standard simulated market whose ticks become rows.")
    var symbol: String = "AAPL"

    @Option(help: ArgumentHelp("Output CSV file.", valueName: "file"))
    var out: String

    @Flag(help: "Write the symbol's `ts,price` series (for `riskstream backtest`) instead of the feature table.")
    var prices = false

    @Option(parsing: .unconditional, 
        help: ArgumentHelp("With --prices: simulator events to run (every symbol's ticks and news).", valueName: "n"))
    var events: Int = 100_000

    func validate() throws {
        guard events > 0 else { throw ValidationError("--events must be > 0") }
        guard rows > 0 else { throw ValidationError("--rows must be > 0") }
        guard horizon > 0, horizon <= 1_000_000 else {
            throw ValidationError("--horizon must be 1 to 1000000 (the stream is held in memory)")
        }
        guard rows <= 50_000_000, events <= 500_000_000 else {
            throw ValidationError("--rows must be at most 50000000 and --events at most 500000000")
        }
        let symbols = SimulatorConfiguration.standard(seed: seed).instruments.map(\.symbol)
        guard symbols.contains(symbol) else {
            throw ValidationError("--symbol must be one of \(symbols.joined(separator: ", "))")
        }
    }

    func run() throws {
        let text =
            prices
            ? SynthPrices(events: events, seed: seed, symbol: symbol).csv()
            : SynthStream(rows: rows, seed: seed, horizon: horizon, symbol: symbol).csv()
        do {
            try writeWholeFile(out, Array(text.utf8))
        } catch {
            throw failure("cannot write \(out): \(error.description)", ExitStatus.dataError)
        }
    }
}

/// The generator behind `riskstream synth`: pure, deterministic, no I/O.
struct SynthStream {
    var rows: Int
    var seed: UInt64
    var horizon: Int
    var symbol: String

    /// Returns behind the first row (the longest feature window).
    static let warmUp = 100

    /// The whole CSV text, header first, `\n` line ends, numbers in Swift's shortest round-trip form.
    /// - Complexity: O(rows + horizon) time and memory (six doubles per tick).
    func csv() -> String {
        // Ticks 0...warmUp+rows+horizon-1: tick i > 0 has return r_i; row k is tick warmUp + k.
        let tickCount = Self.warmUp + rows + horizon
        var simulator = MarketSimulator(configuration: .standard(seed: seed))
        var mids: [Double] = []
        var spreads: [Double] = []
        var sizes: [Double] = []
        var times: [Int64] = []
        mids.reserveCapacity(tickCount)
        while mids.count < tickCount {
            guard case .tick(let tick) = simulator.next(), tick.symbol == symbol else { continue }
            let bid = tick.bid ?? tick.price
            let ask = tick.ask ?? tick.price
            let mid = (bid + ask) / 2
            mids.append(mid)
            spreads.append((ask - bid) / mid * 10_000)
            sizes.append(tick.size ?? 1)
            times.append(tick.ts)
        }
        // r[i] = log return into tick i in bps (r[0] = 0, unused); squares[i] = Σ_{j<=i} r[j]².
        var returns = [Double](repeating: 0, count: tickCount)
        var squares = [Double](repeating: 0, count: tickCount)
        var ewmaVariance = [Double](repeating: 0, count: tickCount)
        for i in 1..<tickCount {
            let r = log(mids[i] / mids[i - 1]) * 10_000
            returns[i] = r
            squares[i] = squares[i - 1] + r * r
            ewmaVariance[i] = i == 1 ? r * r : 0.94 * ewmaVariance[i - 1] + 0.06 * r * r
        }
        func realised(_ from: Int, _ to: Int) -> Double {  // sqrt(mean r²) over returns from+1...to
            (max(squares[to] - squares[from], 0) / Double(to - from)).squareRoot()
        }
        var text = SynthCommand.header + "\n"
        text.reserveCapacity(rows * 200)
        for k in 0..<rows {
            let i = Self.warmUp + k
            let fields = [
                returns[i], returns[i - 1], returns[i - 4], abs(returns[i]),
                log(max(ewmaVariance[i], 1e-12)), realised(i - 20, i), realised(i - 100, i),
                spreads[i], log(sizes[i]), Double(times[i] - times[i - 1]) / 1e6,
                realised(i, i + horizon),
            ]
            for (n, x) in fields.enumerated() {
                if n > 0 { text += "," }
                text += x == 0 ? "0.0" : x.description  // never "-0.0"
            }
            text += "\n"
        }
        return text
    }
}

/// The price series behind `riskstream synth --prices`: pure, deterministic, no I/O.
struct SynthPrices {
    var events: Int
    var seed: UInt64
    var symbol: String

    /// `ts,price` then one row per tick of `symbol` among the first `events` events: the quote mid when
    /// both sides are present, else the trade price. Numbers in Swift's shortest round-trip form.
    /// - Complexity: O(events) time, O(ticks of the symbol) memory for the text.
    func csv() -> String {
        var simulator = MarketSimulator(configuration: .standard(seed: seed))
        var text = "ts,price\n"
        for _ in 0..<events {
            guard case .tick(let tick) = simulator.next(), tick.symbol == symbol else { continue }
            let price = tick.bid.flatMap { bid in tick.ask.map { ask in (bid + ask) / 2 } } ?? tick.price
            text += "\(tick.ts),\(price)\n"
        }
        return text
    }
}

/// Writes `bytes` to `path`, replacing it.
func writeWholeFile(_ path: String, _ bytes: [UInt8]) throws(FileError) {
    guard let file = fopen(path, "wb") else { throw FileError(description: String(cString: strerror(errno))) }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    let closed = fclose(file)
    guard written == bytes.count, closed == 0 else { throw FileError(description: String(cString: strerror(errno))) }
}
