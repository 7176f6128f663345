import ArgumentParser
import Journal

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Inspect, verify, repair or import a journal of recorded frames.",
        discussion: """
            A journal is a directory of segment files (00000000000000000001.rsj, …) holding every frame \
            the engine received, raw, with its receive time, a sequence number and a CRC-32C checksum \
            (Docs/JOURNAL.md). `riskstream run --journal DIR` writes one; `journal import` makes one \
            from a CSV file.

            Example:
              riskstream journal inspect recordings/today
              riskstream journal verify recordings/today
            """,
        subcommands: [
            JournalInspectCommand.self, JournalVerifyCommand.self, JournalRepairCommand.self,
            JournalImportCommand.self,
        ]
    )
}

/// Reads a journal whole, or exits 65 when its directory or a segment cannot be read.
func readJournalSummary(_ directory: String, visit: (JournalRecordView) -> Void = { _ in }) throws -> JournalSummary {
    do {
        return try JournalSummary.read(directory, visit: visit)
    } catch {
        throw failure("\(directory): \(error.description)", ExitStatus.dataError)
    }
}

/// The lines that say what is wrong with a journal: each torn tail or damage with its file and offset.
func problemLines(_ summary: JournalSummary) -> [String] {
    summary.damage.map { "damage: \($0.description)" }
        + (summary.tornTail.map { ["torn tail: \($0.description)"] } ?? [])
}

struct JournalInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print what a journal holds: segments, records, time range, symbols, rejected frames.",
        discussion: """
            Reads every record (checking every checksum) and prints: the segments with their sizes, \
            records, sequence and receive-time ranges; the totals; the records by kind and by topic key \
            (the symbol of tick.AAPL, the account of position.ACC); the rejected frames (flag bit 0) and \
            the records journaled right after frames the writer had to drop (flag bit 1); and any torn \
            tail or damage with its file and byte offset. Exits 0 even when the journal is damaged \
            (`journal verify` judges it); 65 when the directory cannot be read.

            Example:
              riskstream journal inspect recordings/today
            """
    )

    @Argument(help: ArgumentHelp("The journal directory.", valueName: "dir"))
    var directory: String

    @Option(parsing: .unconditional, help: "Topic keys listed per kind, most frequent first.")
    var keys: Int = 20

    func validate() throws {
        guard keys >= 0 else { throw ValidationError("--keys must be >= 0") }
    }

    func run() throws {
        var byKind: [String: [String: Int]] = [:]
        let summary = try readJournalSummary(directory) { record in
            let topic = String(decoding: record.topic, as: UTF8.self)
            let parts = topic.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            let kind = parts.count == 2 || !topic.isEmpty ? String(parts.first ?? "") : "(empty topic)"
            let key = parts.count == 2 ? String(parts[1]) : ""
            byKind[kind, default: [:]][key, default: 0] += 1
        }
        for line in JournalReport.lines(summary, byKind: byKind, keys: keys) { print(line) }
    }
}

/// The text `journal inspect` prints.
enum JournalReport {
    static func lines(_ s: JournalSummary, byKind: [String: [String: Int]], keys: Int) -> [String] {
        var lines: [String] = []
        let bytes = s.segments.reduce(0) { $0 + $1.segment.bytes }
        lines.append(
            "journal \(s.directory): \(s.segments.count) segment\(s.segments.count == 1 ? "" : "s"), \(grouped(bytes)) bytes"
        )
        lines.append("segment                   bytes         records     sequence                  receive time")
        for seg in s.segments {
            let sequence = seg.firstSequence.map { "\($0)–\(seg.lastSequence!)" } ?? "-"
            let time = seg.firstTime.map { "\(isoTime($0)) – \(isoTime(seg.lastTime!))" } ?? "-"
            lines.append(
                pad(seg.segment.name, 26) + pad(grouped(seg.segment.bytes), 14) + pad(grouped(seg.records), 12)
                    + pad(sequence, 26) + time)
        }
        var total =
            "records: \(grouped(s.records)) (\(grouped(s.rejected)) rejected, \(grouped(s.afterDrop)) after drops)"
        if let first = s.segments.compactMap(\.firstSequence).first,
            let last = s.segments.compactMap(\.lastSequence).last
        {
            total += ", sequence \(first)–\(last)"
        }
        lines.append(total)
        if let first = s.firstTime, let last = s.lastTime {
            lines.append(
                "time: \(isoTime(first)) – \(isoTime(last)) (\(formatFixed(Double(last - first) / 1e9, 3)) s)")
        }
        for kind in byKind.keys.sorted() {
            let counts = byKind[kind]!
            let total = counts.values.reduce(0, +)
            let top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            var line = "\(kind): \(grouped(total)) records, \(counts.count) key\(counts.count == 1 ? "" : "s")"
            if keys > 0 && !(counts.count == 1 && counts.keys.first == "") {
                line +=
                    ": "
                    + top.prefix(keys).map { "\($0.key.isEmpty ? "(none)" : $0.key) \(grouped($0.value))" }
                    .joined(separator: ", ")
                if top.count > keys { line += ", … \(top.count - keys) more" }
            }
            lines.append(line)
        }
        let problems = problemLines(s)
        lines.append(
            problems.isEmpty
                ? "sound: every checksum and sequence number checks" : "NOT SOUND: \(problems.count) problem(s)")
        lines.append(contentsOf: problems)
        return lines
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(width - text.count, 1))
    }
}

/// `1234567` as `1,234,567`.
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}

/// Nanoseconds since the Unix epoch as ISO 8601 UTC with nine decimals: `2024-01-02T15:04:05.123456789Z`.
func isoTime(_ ns: Int64) -> String {
    var seconds = ns / 1_000_000_000
    var fraction = ns % 1_000_000_000
    if fraction < 0 {
        fraction += 1_000_000_000
        seconds -= 1
    }
    var days = seconds / 86_400
    var secondOfDay = seconds % 86_400
    if secondOfDay < 0 {
        secondOfDay += 86_400
        days -= 1
    }
    // Civil date from days since 1970-01-01 (proleptic Gregorian; Howard Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let frac = String(fraction)
    return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):"
        + "\(two(secondOfDay % 60)).\(String(repeating: "0", count: 9 - frac.count))\(frac)Z"
}

struct JournalVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every record of a journal: exit 0 when sound, 65 naming what is wrong and where.",
        discussion: """
            Reads every segment, checks each segment header, each record's CRC-32C, and that sequence \
            numbers follow each other across segments. A torn tail is the end of the last segment cut \
            inside a record (a write a crash cut short); damage is a record whose checksum or lengths \
            are wrong with data after it, a bad segment header, or a break in the sequence. Each is \
            printed with its file and byte offset; any of them exits 65. `journal repair` cuts a torn \
            tail off; it never removes damage.

            Example:
              riskstream journal verify recordings/today
            """
    )

    @Argument(help: ArgumentHelp("The journal directory.", valueName: "dir"))
    var directory: String

    func run() throws {
        let summary = try readJournalSummary(directory)
        let problems = problemLines(summary)
        let records = "\(summary.segments.count) segment(s), \(grouped(summary.records)) sound record(s)"
        guard problems.isEmpty else {
            for line in problems { print(line) }
            let first = summary.damage.first ?? summary.tornTail!
            throw failure(
                "\(directory) is not sound (\(records)): \(problems.count) problem(s), the first in "
                    + "\(first.file ?? directory) at byte \(first.offset ?? 0)", ExitStatus.dataError)
        }
        print("\(directory): sound: \(records)")
    }
}

struct JournalRepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Cut a torn tail off a journal, so that it can be appended to again.",
        discussion: """
            A torn tail (the last segment cut inside a record by a crash) is truncated away, and what \
            was cut is reported: the file, the byte offset, the bytes removed, and the sequence number \
            the journal now ends at. A segment whose header was cut short holds no record and is \
            removed. Damage in the middle of the journal is reported and never removed (a reader skips \
            it only when asked). Exits 0 when the journal is sound afterwards, 65 when damage remains.

            Example:
              riskstream journal repair recordings/today
            """
    )

    @Argument(help: ArgumentHelp("The journal directory.", valueName: "dir"))
    var directory: String

    func run() throws {
        let before = try readJournalSummary(directory)
        if let torn = before.tornTail {
            let removed: Int
            do {
                removed = try JournalEnd.cut(tornTail: torn)
            } catch {
                throw failure(error.description, ExitStatus.software)
            }
            let last = before.segments.compactMap(\.lastSequence).last.map { "sequence \($0)" } ?? "no record"
            print(
                "repaired: cut \(grouped(removed)) byte(s) of a torn tail off \(torn.file ?? "") at byte "
                    + "\(torn.offset ?? 0) (\(torn.message)); the journal now ends at \(last)")
        } else {
            print("no torn tail: nothing to cut")
        }
        guard before.damage.isEmpty else {
            for problem in before.damage { print("damage (not removed): \(problem.description)") }
            throw failure(
                "\(directory): \(before.damage.count) damaged place(s) remain; a reader skips them only when asked",
                ExitStatus.dataError)
        }
        print("\(directory): sound: \(before.segments.count) segment(s), \(grouped(before.records)) record(s)")
    }
}
