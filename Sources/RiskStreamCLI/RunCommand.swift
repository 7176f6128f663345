import ArgumentParser
import CSVReading
import Journal
import RiskEngine
import RiskModels
import ZeroMQ

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the risk engine: subscribe to feeds, compute risk, publish alerts and heartbeats.",
        discussion: """
            The pipeline file (YAML, see Pipelines/default.yaml) sets everything; flags override it. \
            SIGINT or SIGTERM stops ingest, drains the ring, publishes a final heartbeat and exits 0.

            --journal DIR appends every frame the engine receives, accepted or rejected, to the journal             in DIR (created if missing; continued after its last record; a torn tail left by a crash is             refused, exit 65, until `riskstream journal repair DIR`). Ingest never waits for the disk:             when the writer's 16 MiB queue is full, frames are not journaled and are counted             (journal_dropped). --fsync says when written records are synced to the disk: always (each             batch), records:N, ms:N (default ms:100) or os (never; the kernel decides); a crash of the             process loses only the queue, a power cut also what was not synced (Docs/JOURNAL.md). A             write error (a full disk) stops the journal, logged and counted (journal_errors,             journal_failed); the engine goes on. With a journal, outbound seq and kind_seq continue \
            after any earlier run's (reserved ahead in DIR/outbound-sequences), so none is ever \
            repeated. --recover first replays what the journal holds through the compute stage, \
            publishing nothing, so a restart after a crash (even kill -9) goes live with the state of \
            an uninterrupted replay of the journal.

            Example:
              riskstream run --feed tcp://127.0.0.1:5555 --publish tcp://127.0.0.1:5556
              riskstream run --feed tcp://127.0.0.1:5555 --journal journals/today
              riskstream run --feed tcp://127.0.0.1:5555 --journal today --recover
            """
    )

    @Option(help: ArgumentHelp("Pipeline file (YAML). Default: the built-in defaults.", valueName: "file"))
    var pipeline: String?

    @Option(help: ArgumentHelp("Connect the SUB socket to a publisher bound here (repeatable; replaces the file's feeds).", valueName: "endpoint"))
    var feed: [String] = []

    @Option(help: ArgumentHelp("Bind the PUB socket here (replaces the file's publish.endpoint).", valueName: "endpoint"))
    var publish: String?

    @Option(
        help: ArgumentHelp(
            "Bind the snapshot (ROUTER) socket here: late subscribers get the open alerts and latest risk.",
            valueName: "endpoint"))
    var snapshot: String?

    @Option(parsing: .unconditional, help: "Stop after this many seconds (default: run until SIGINT/SIGTERM).")
    var duration: Double?

    @Option(help: ArgumentHelp("Journal every received frame in this directory.", valueName: "dir"))
    var journal: String?

    @Option(help: ArgumentHelp("When the journal syncs: always, records:N, ms:N or os.", valueName: "policy"))
    var fsync: String?

    @Flag(help: "Before going live, rebuild the state from what the journal holds (after a crash or a stop).")
    var recover = false

    func validate() throws {
        if let duration, let problem = durationProblem(duration) { throw ValidationError(problem) }
        if recover && journal == nil { throw ValidationError("--recover needs --journal") }
        if let fsync {
            guard journal != nil else { throw ValidationError("--fsync needs --journal") }
            guard FsyncPolicy(fsync) != nil else {
                throw ValidationError("--fsync must be always, os, records:N or ms:N with N >= 1, got '\(fsync)'")
            }
        }
    }

    func run() throws {
        var pipeline = try loadPipeline(self.pipeline)
        if !feed.isEmpty { pipeline.ingest.feeds = feed }
        if let publish { pipeline.publish.endpoint = publish }
        if let snapshot { pipeline.publish.snapshotEndpoint = snapshot }
        installStopHandlers()
        let context = try makeContext()
        let writer = try journal.map { try openJournal($0, fsync: fsync.flatMap(FsyncPolicy.init) ?? .everyMilliseconds(100)) }
        let engine: Engine
        do {
            engine = try startEngine(pipeline, context: context, journal: writer, recover: recover)
        } catch {
            writer?.close()
            throw error
        }
        if let writer {
            EngineLog.write(
                .info, "journal", "journaling every received frame",
                [("dir", writer.directory), ("first_sequence", "\(writer.firstSequence)"),
                 ("fsync", writer.options.fsync.description)])
        }
        EngineLog.write(
            .info, "run", "engine running",
            [
                ("pipeline", pipeline.name), ("feeds", pipeline.ingest.feeds.joined(separator: ",")),
                ("bound", engine.boundFeedEndpoints.joined(separator: ",")),
                ("publish", engine.publishEndpoint ?? "none"), ("snapshot", engine.snapshotEndpoint ?? "none"),
                ("when_full", pipeline.ingest.whenFull.rawValue),
            ])
        let deadline = duration.map { EngineClock.monotonicNanoseconds() + Int64($0 * 1e9) }
        while !shouldStop {
            if let deadline, EngineClock.monotonicNanoseconds() >= deadline { break }
            EngineClock.sleep(nanoseconds: 50_000_000)
        }
        engine.stop()
        engine.wait()
        printError(summary(engine))
    }
}

/// Reads a pipeline file, or the built-in defaults when `path` is nil. Exit 65 on a bad file.
func loadPipeline(_ path: String?) throws -> Pipeline {
    guard let path else { return Pipeline() }
    let text: String
    do {
        text = try readTextFile(path)
    } catch {
        throw failure("cannot read pipeline \(path): \(error)", ExitStatus.dataError)
    }
    do {
        return try Pipeline.load(yaml: text, source: path)
    } catch {
        throw failure("bad pipeline: \(error)", ExitStatus.dataError)
    }
}

func makeContext() throws -> Context {
    do {
        return try Context(ioThreads: 1)
    } catch {
        throw failure("cannot create a ZeroMQ context: \(error)", ExitStatus.software)
    }
}

/// Reads a sentiment lexicon file; an unreadable or malformed one is exit 65 naming file:line.
func loadLexicon(_ path: String) throws -> SentimentLexicon {
    let text: String
    do {
        text = try readTextFile(path)
    } catch {
        throw failure("cannot read lexicon \(path): \(error)", ExitStatus.dataError)
    }
    do {
        return try SentimentLexicon(parsing: text, source: path)
    } catch {
        throw failure("bad lexicon: \(error)", ExitStatus.dataError)
    }
}

/// Opens the journal `run --journal` writes: a torn tail or damage is exit 65 (with the repair command),
/// a directory or file that cannot be made 69.
func openJournal(_ directory: String, fsync: FsyncPolicy) throws -> JournalWriter {
    do {
        return try JournalWriter(directory: directory, options: .init(fsync: fsync))
    } catch {
        let status =
            switch error.reason {
            case .tornTail, .corruptRecord, .sequenceBreak: ExitStatus.dataError
            case .io: ExitStatus.unavailable
            case .invalidArgument: ExitStatus.usage
            }
        throw failure("journal: \(error.description)", status)
    }
}

/// Creates and starts an engine (with the pipeline's lexicon file, if it names one), mapping endpoint
/// failures to exit codes 64 and 69 and configuration errors to 65.
func startEngine(
    _ pipeline: Pipeline, context: Context, journal: JournalWriter? = nil, recover: Bool = false
) throws -> Engine {
    let lexicon = try pipeline.risk.newsLexicon.map(loadLexicon) ?? .builtIn
    let engine: Engine
    do {
        engine = try Engine(pipeline: pipeline, context: context, lexicon: lexicon, journal: journal)
    } catch {
        let status =
            switch error.kind {
            case .badEndpoint: ExitStatus.usage
            case .badConfiguration: ExitStatus.dataError
            case .unavailable: ExitStatus.unavailable
            }
        throw failure(error.message, status)
    }
    if recover {
        do {
            let (records, seconds) = try engine.recover()
            EngineLog.write(
                .info, "journal", "state recovered from the journal",
                [("records", "\(records)"), ("seconds", formatFixed(seconds, 3))])
        } catch {
            throw failure("recovery from the journal failed: \(error.description)", ExitStatus.dataError)
        }
    }
    engine.start()
    return engine
}

func summary(_ engine: Engine) -> String {
    let c = engine.counters
    return "riskstream: stopped: events_in=\(c.eventsIn.load(ordering: .relaxed)) "
        + "malformed=\(c.malformed.load(ordering: .relaxed)) dropped=\(engine.dropped) "
        + "quarantined=\(c.quarantined.load(ordering: .relaxed)) "
        + "pending_dropped=\(c.pendingDropped.load(ordering: .relaxed)) alerts_out=\(c.alertsOut.load(ordering: .relaxed)) "
        + "alerts_folded=\(c.alertsFolded.load(ordering: .relaxed)) "
        + "rejected_symbols=\(c.rejectedSymbols.load(ordering: .relaxed)) "
        + "rejected_accounts=\(c.rejectedAccounts.load(ordering: .relaxed)) "
        + "lost_upstream=\(c.lostUpstream.load(ordering: .relaxed)) "
        + "discarded_at_stop=\(c.discardedAtStop.load(ordering: .relaxed)) "
        + "disconnects=\(c.disconnects.load(ordering: .relaxed)) "
        + "feed_reconnects=\(c.feedReconnects.load(ordering: .relaxed)) "
        + "published=\(c.published.load(ordering: .relaxed))" + journalSummary(engine) + lossBreakdown(engine)
        + malformedBreakdown(engine)
}

/// ` journal_written=… journal_dropped=… journal_failed=… journal_errors=…` (and the error), with --journal.
func journalSummary(_ engine: Engine) -> String {
    guard let journal = engine.journal else { return "" }
    let c = engine.counters
    var text = " journal_written=\(c.journalWritten.load(ordering: .relaxed)) "
        + "journal_dropped=\(c.journalDropped.load(ordering: .relaxed)) "
        + "journal_failed=\(c.journalFailed.load(ordering: .relaxed)) "
        + "journal_errors=\(c.journalErrors.load(ordering: .relaxed)) journal_last_sequence=\(journal.lastWritten.load(ordering: .relaxed))"
    if let error = journal.lastError {
        text += " journal_error=\"" + EngineLog.escapingControls(error.description, quotes: true) + "\""
    }
    return text
}

/// ` lost_upstream_by_topic=tick.AAPL:12,tick.MSFT:3` (the ten largest), or nothing when nothing was lost.
func lossBreakdown(_ engine: Engine) -> String {
    let byTopic = engine.lossLog.byTopic
    guard !byTopic.isEmpty else { return "" }
    let largest = byTopic.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(10)
    return " lost_upstream_by_topic=" + largest.map { "\($0.key):\($0.value)" }.joined(separator: ",")
}

/// ` malformed_by_reason=frame_count:2,non_finite:1 last_malformed="…"`, or nothing when all frames were good.
func malformedBreakdown(_ engine: Engine) -> String {
    let counts = engine.malformedLog.countsByReason
    guard !counts.isEmpty else { return "" }
    let reasons = counts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    var text = " malformed_by_reason=\(reasons)"
    if let last = engine.malformedLog.recent.last {
        let description = "\(last.topic) \(last.reason)\(last.field.map { " field \($0)" } ?? ""): \(last.detail)"
        text += " last_malformed=" + "\"" + EngineLog.escapingControls(description, quotes: true) + "\""
    }
    return text
}
