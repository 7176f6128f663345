import ArgumentParser
import Journal
import MarketEvents
import RiskEngine

#if canImport(Glibc)
import Glibc
#endif

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run a pipeline over a recorded journal, as fast as it goes, and write what it says.",
        discussion: """
            Reads the journal's records in order (checking every checksum) and hands each frame, with \
            its recorded receive time, to the engine's compute stage: admitted as the live engine's \
            ingest admits it (malformed frames counted, sequences checked), every timer that falls due \
            before it run at its own deadline on the recorded clock (risk snapshots, staleness, \
            heartbeats), then processed. Outbound messages go to --out as JSON lines, \
            {"topic":"alert.AAPL","payload":{...}}, with `ts` stamped from the recorded clock: two \
            replays of one journal write the same bytes. Prints records, events/s and the counters. \
            Exit 65 on a bad pipeline or a damaged journal (--skip-damage reads past damage and \
            reports it).

            Example:
              riskstream replay recordings/today --pipeline Pipelines/demo.yaml \\
                --out replay.jsonl
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

    @Flag(help: "Read past damaged records (reported) instead of stopping with exit 65.")
    var skipDamage = false

    func validate() throws {
        if let fromSequence, fromSequence == 0 { throw ValidationError("--from-sequence must be >= 1") }
    }

    func run() throws {
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
        var reader: JournalReader
        do {
            reader = try JournalReader(
                directory: directory, from: fromSequence.map { .sequence($0) } ?? .beginning, skipCorrupt: skipDamage)
        } catch {
            throw failure(error.description, ExitStatus.dataError)
        }
        let started = EngineClock.monotonicNanoseconds()
        var records = 0
        var first: Int64?
        var last: Int64 = 0
        do {
            while let record = try reader.next() {
                records += 1
                first = first ?? record.receiveTime
                last = record.receiveTime
                core.receive(topic: record.topic, payload: record.payload, receivedAt: record.receiveTime)
                if lines.count >= 1 << 20 { try flush() }
            }
        } catch let error as JournalError {
            throw failure(error.description, ExitStatus.dataError)
        }
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
        if let torn = reader.tornTail { summary += " torn_tail=\"\(torn.description)\"" }
        printError(summary)
        for damage in reader.skipped { printError("damage skipped: \(damage.description)") }
    }
}
