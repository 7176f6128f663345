import ArgumentParser
import CSVReading
import Journal
import MarketEvents
import RiskEngine
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded journal: through a pipeline, or as the frames it holds, to a socket.",
        discussion: """
            With --publish and no --pipeline, republishes the recorded frames (rejected ones too) on a \
            PUB socket bound there, paced by their receive times divided by --speed (max: no pacing), \
            and reports how late each send was against its schedule.

            Otherwise reads the journal's records in order (checking every checksum) and hands each frame, with \
            its recorded receive time, to the engine's compute stage: admitted as the live engine's \
            ingest admits it (malformed frames counted, sequences checked), every timer that falls due \
            before it run at its own deadline on the recorded clock (risk snapshots, staleness, \
            heartbeats), then processed. Outbound messages go to --out as JSON lines, \
            {"topic":"alert.AAPL","payload":{...}}, with `ts` stamped from the recorded clock: two \
            replays of one journal write the same bytes; with --publish they are also sent on a PUB \
            socket bound there. Prints records, events/s and the counters. \
            Exit 65 on a bad pipeline or a damaged journal (--skip-damage reads past damage and \
            reports it).

            Example:
              riskstream replay today --pipeline Pipelines/replay.yaml --out out.jsonl
              riskstream replay today --publish tcp://127.0.0.1:5555 --speed 10
            """
    )

    @Argument(help: ArgumentHelp("The journal directory.", valueName: "dir"))
    var directory: String

    @Option(help: ArgumentHelp("Pipeline file (default: the built-in defaults).", valueName: "file"))
    var pipeline: String?

    @Option(help: ArgumentHelp("Write every outbound message here as a JSON line.", valueName: "file"))
    var out: String?

    @Option(parsing: .unconditional, help: "Start at this record sequence number.")
    var fromSequence: UInt64?

    @Option(help: ArgumentHelp(
        "Start at the first record received at or after this time (ISO 8601, or epoch s/ms/µs/ns).",
        valueName: "time"))
    var from: String?

    @Option(help: ArgumentHelp("Stop before the first record received after this time.", valueName: "time"))
    var to: String?

    @Option(help: ArgumentHelp("Only frames whose topic key is one of these symbols (comma-separated).", valueName: "A,B"))
    var symbols: String?

    @Flag(help: "Read past damaged records (reported) instead of stopping with exit 65.")
    var skipDamage = false

    @Option(help: ArgumentHelp("Bind a PUB socket here and send on it.", valueName: "endpoint"))
    var publish: String?

    @Option(help: ArgumentHelp("Pace by recorded receive times: max (no pacing), or a factor (1 = as recorded).", valueName: "max|N"))
    var speed: String = "max"

    @Option(parsing: .unconditional, help: "With --publish, wait for this many subscribers first.")
    var waitForSubscribers: Int = 0

    /// The pacing factor, `nil` for max.
    var factor: Double? { speed == "max" ? nil : Double(speed) }

    /// `--from` and `--to` as nanoseconds since the epoch.
    var window: (from: Int64?, to: Int64?) {
        get throws {
            func parse(_ text: String?, _ name: String) throws -> Int64? {
                guard let text else { return nil }
                var reader = CSVTimeReader()
                let value = Array(text.utf8).withUnsafeBufferPointer { reader.nanoseconds($0) }
                guard let value else {
                    throw ValidationError("\(name) must be an ISO 8601 time or an epoch number, got \(text)")
                }
                return value
            }
            return (try parse(from, "--from"), try parse(to, "--to"))
        }
    }

    /// The topic keys `--symbols` lets through, or nil for all.
    var symbolFilter: Set<String>? {
        symbols.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
    }

    /// Whether a record is in the replay: in `--from`/`--to` and, with `--symbols`, a frame whose topic
    /// key is one of them (news: any of the symbols its topic names).
    static func keep(_ record: JournalRecordView, window: (from: Int64?, to: Int64?), symbols: Set<String>?) -> Bool {
        if let from = window.from, record.receiveTime < from { return false }
        guard let symbols else { return true }
        let topic = record.topic
        guard let dot = topic.firstIndex(of: UInt8(ascii: ".")) else { return false }
        return symbols.contains(String(decoding: topic[(dot + 1)...], as: UTF8.self))
    }

    func validate() throws {
        if let fromSequence, fromSequence == 0 { throw ValidationError("--from-sequence must be >= 1") }
        if fromSequence != nil && from != nil { throw ValidationError("give --from-sequence or --from, not both") }
        let window = try window
        if let a = window.from, let b = window.to, b < a { throw ValidationError("--to is before --from") }
        if let filter = symbolFilter, filter.isEmpty || filter.contains("") {
            throw ValidationError("--symbols must list symbols separated by commas")
        }
        if speed != "max" {
            guard let f = Double(speed), f.isFinite, f >= 1e-3, f <= 1e6 else {
                throw ValidationError("--speed must be max or a factor from 0.001 to 1000000, got \(speed)")
            }
        }
        guard waitForSubscribers >= 0 else { throw ValidationError("--wait-for-subscribers must be >= 0") }
        if waitForSubscribers > 0 && publish == nil {
            throw ValidationError("--wait-for-subscribers needs --publish")
        }
    }

    /// The journal's reader at `start()`, or exit 65 naming what cannot be read.
    func openReader() throws -> JournalReader {
        let position = try start()
        do {
            return try JournalReader(directory: directory, from: position, skipCorrupt: skipDamage)
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
    }

    /// Where reading starts: `--from-sequence`, `--from`, or the beginning.
    func start() throws -> JournalReader.Start {
        if let fromSequence { return .sequence(fromSequence) }
        if let from = try window.from { return .time(from) }
        return .beginning
    }

    /// Binds the PUB (XPUB when waiting for subscribers) socket at `publish`, if given.
    func publishSocket() throws -> (Context, Socket)? {
        guard let publish else { return nil }
        let context = try makeContext()
        let socket: Socket
        do {
            socket = try Socket(context, waitForSubscribers > 0 ? .xpub : .pub)
            try socket.set(.sendHighWaterMark(1_000_000))
            try socket.set(.linger(.seconds(1)))
        } catch {
            throw failure("cannot create the PUB socket: \(error)", ExitStatus.software)
        }
        do { try socket.bind(publish) } catch { throw endpointFailure(error) }
        if waitForSubscribers > 0 { try awaitSubscribers(on: socket, count: waitForSubscribers) }
        return (context, socket)
    }

    func run() throws {
        installStopHandlers()
        let output = try publishSocket()
        defer { output?.1.close() }
        if let output, pipeline == nil {
            try republish(on: output.1)
            return
        }
        let pipeline = try loadPipeline(pipeline)
        var lines: [UInt8] = []
        lines.reserveCapacity(1 << 20)
        var outputs = 0
        let file: UnsafeMutablePointer<FILE>?
        if let out {
            guard let opened = fopen(out, "wb") else {
                throw failure("cannot write \(out): \(String(cString: strerror(errno)))", ExitStatus.dataError)
            }
            file = opened
        } else {
            file = nil
        }
        func flush() throws {
            guard let file, !lines.isEmpty else { return }
            let written = lines.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            guard written == lines.count else {
                throw failure("cannot write \(out ?? ""): \(String(cString: strerror(errno)))", ExitStatus.dataError)
            }
            lines.removeAll(keepingCapacity: true)
        }
        let core: ReplayCore
        do {
            core = try ReplayCore(pipeline: pipeline, encoding: .json) { topic, payload in
                outputs += 1
                if let socket = output?.1 { _ = try? socket.send(topic: topic, payload: payload, dontWait: true) }
                guard file != nil else { return }
                lines.append(contentsOf: #"{"topic":"#.utf8)
                TailLine.appendJSONString(String(decoding: topic, as: UTF8.self), to: &lines)
                lines.append(contentsOf: #","payload":"#.utf8)
                lines.append(contentsOf: payload)
                lines.append(contentsOf: "}\n".utf8)
            }
        } catch {
            throw failure("bad pipeline: \(error.message)", ExitStatus.dataError)
        }
        var reader = try openReader()
        let window = try window
        let filter = symbolFilter
        let started = EngineClock.monotonicNanoseconds()
        var records = 0
        var first: Int64?
        var last: Int64 = 0
        var pacer = Pacer(factor: factor)
        var progress = ReplayProgress(segments: reader.segments.map(\.bytes), terminal: isatty(2) != 0)
        do {
            while !shouldStop, let record = try reader.next() {
                if records & 4095 == 0 {
                    progress.update(segment: reader.segmentIndex, offset: record.offset, records: records)
                }
                if let to = window.to, record.receiveTime > to { break }
                guard Self.keep(record, window: window, symbols: filter) else { continue }
                records += 1
                first = first ?? record.receiveTime
                last = record.receiveTime
                pacer.wait(for: record.receiveTime)
                core.receive(
                    topic: record.topic, payload: record.payload, receivedAt: record.receiveTime,
                    recordedRejected: record.isRejected)
                if lines.count >= 1 << 20 { try flush() }
            }
        } catch let error as JournalError {
            throw failure(error.description, ExitStatus.dataError)
        }
        progress.finish()
        core.finish()
        try flush()
        if let file, fclose(file) != 0 {
            throw failure("cannot write \(out ?? ""): \(String(cString: strerror(errno)))", ExitStatus.dataError)
        }
        let seconds = Double(EngineClock.monotonicNanoseconds() - started) / 1e9
        let c = core.counters
        var summary = "replay: \(records) records"
        if let first { summary += " spanning \(formatFixed(Double(last - first) / 1e9, 1)) s recorded" }
        summary += " in \(formatFixed(seconds, 2)) s (\(Int(Double(records) / max(seconds, 1e-9))) records/s); "
        summary += "events_in=\(c.eventsIn.load(ordering: .relaxed)) malformed=\(c.malformed.load(ordering: .relaxed)) "
        summary += "lost_upstream=\(c.lostUpstream.load(ordering: .relaxed)) quarantined=\(c.quarantined.load(ordering: .relaxed)) "
        summary += "alerts_out=\(c.alertsOut.load(ordering: .relaxed)) hedges_out=\(c.hedgesOut.load(ordering: .relaxed)) "
        summary += "outputs=\(outputs)"
        if !reader.skipped.isEmpty { summary += " damage_skipped=\(reader.skipped.count)" }
        if let lateness = pacer.report { summary += " " + lateness }
        if let torn = reader.tornTail { summary += " torn_tail=\"\(torn.description)\"" }
        printError(summary)
        for damage in reader.skipped { printError("damage skipped: \(damage.description)") }
    }

    /// Sends every recorded frame as it was received, paced by `--speed`; prints what it sent.
    private func republish(on socket: Socket) throws {
        var reader = try openReader()
        let window = try window
        let filter = symbolFilter
        let started = EngineClock.monotonicNanoseconds()
        var pacer = Pacer(factor: factor)
        var sent = 0
        var refused = 0
        do {
            while !shouldStop, let record = try reader.next() {
                if let to = window.to, record.receiveTime > to { break }
                guard Self.keep(record, window: window, symbols: filter) else { continue }
                pacer.wait(for: record.receiveTime)
                if (try? socket.send(topic: record.topic, payload: record.payload)) == true { sent += 1 } else { refused += 1 }
            }
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
        let seconds = Double(EngineClock.monotonicNanoseconds() - started) / 1e9
        var summary = "replay: republished \(sent) frames on \(publish ?? "") in \(formatFixed(seconds, 2)) s"
        summary += " (\(Int(Double(sent) / max(seconds, 1e-9))) frames/s, speed \(speed))"
        if refused > 0 { summary += " refused=\(refused)" }
        if let lateness = pacer.report { summary += " " + lateness }
        printError(summary)
    }
}

/// Paces a replay: record `i` is due at `start + (receiveTime_i − receiveTime_0) / factor` on the
/// monotonic clock; `wait` sleeps until then (nothing when `factor` is nil: max speed) and keeps how late
/// each record was against its schedule, for `report`.
struct Pacer {
    let factor: Double?
    private var origin: (recorded: Int64, monotonic: Int64)?
    private var lateness: [Int64] = []

    init(factor: Double?) { self.factor = factor }

    mutating func wait(for recorded: Int64) {
        guard let factor else { return }
        guard let origin else {
            origin = (recorded, EngineClock.monotonicNanoseconds())
            lateness.append(0)
            return
        }
        let due = origin.monotonic + Int64(Double(recorded - origin.recorded) / factor)
        var now = EngineClock.monotonicNanoseconds()
        if due - now > 200_000 { EngineClock.sleep(nanoseconds: due - now - 100_000) }
        while now < due { now = EngineClock.monotonicNanoseconds() }
        lateness.append(now - due)
    }

    /// `late_ms p50=… p99=… max=…` against the schedule, or nil at max speed.
    var report: String? {
        guard factor != nil, !lateness.isEmpty else { return nil }
        let sorted = lateness.sorted()
        func ms(_ q: Double) -> String { formatFixed(Double(sorted[Int(q * Double(sorted.count - 1))]) / 1e6, 3) }
        return "late_ms p50=\(ms(0.5)) p99=\(ms(0.99)) max=\(ms(1))"
    }
}

/// Replay's progress on standard error: on a terminal a bar redrawn in place four times a second
/// (fraction of the journal's bytes, records/s, ETA), piped a plain line every 5 s. Cheap: the caller
/// updates it every 4,096 records.
struct ReplayProgress {
    let segmentStarts: [Int]
    let total: Int
    let terminal: Bool
    private let started = EngineClock.monotonicNanoseconds()
    private var lastDrawn: Int64 = 0
    private var drew = false

    init(segments: [Int], terminal: Bool) {
        var starts: [Int] = []
        var sum = 0
        for bytes in segments {
            starts.append(sum)
            sum += bytes
        }
        segmentStarts = starts
        total = max(sum, 1)
        self.terminal = terminal
    }

    mutating func update(segment: Int, offset: Int, records: Int) {
        let now = EngineClock.monotonicNanoseconds()
        guard now - lastDrawn >= (terminal ? 250_000_000 : 5_000_000_000), now - started >= 250_000_000 else { return }
        lastDrawn = now
        let done = Double((segment < segmentStarts.count ? segmentStarts[segment] : total) + offset) / Double(total)
        let seconds = Double(now - started) / 1e9
        let rate = Double(records) / max(seconds, 1e-9)
        let eta = done > 0 ? seconds * (1 - done) / done : 0
        let text = "replay: \(formatFixed(done * 100, 1)) % \(records) records \(Int(rate)) records/s ETA \(Int(eta.rounded())) s"
        if terminal {
            let width = 24
            let filled = min(width, Int(done * Double(width)))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            printErrorRaw("\r[\(bar)] " + text + "\u{1B}[K")
            drew = true
        } else {
            printError(text)
        }
    }

    /// Clears the bar's line on a terminal, so the summary starts on a clean line.
    func finish() {
        if terminal && drew { printErrorRaw("\r\u{1B}[K") }
    }
}

