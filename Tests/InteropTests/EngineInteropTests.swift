import Foundation
import Testing

/// `riskstream run` between a pyzmq feed and a pyzmq subscriber, as a desk would wire it.
@Suite(.serialized) struct EngineInteropTests {
    static let riskstream = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("riskstream")

    @Test func riskstreamRunServesAPyzmqFeedAndSubscriberAndStopsCleanlyOnSIGTERM() throws {
        let ticks = 600
        var feed = try PythonClient(["feed", "--count", "\(ticks)", "--encoding", "mixed", "--malformed"])
        let firstLine = feed.readLine()
        let port = try #require(firstLine.flatMap { Int($0.dropFirst("port ".count)) }, "no port from the feed")

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = folder.appendingPathComponent("pipeline.yaml")
        try "publish:\n  heartbeat_ms: 100\n  risk_snapshot_ms: 200\n".write(to: pipeline, atomically: true, encoding: .utf8)
        let publish = "ipc://\(folder.path)/engine.sock"

        let engine = Process()
        engine.executableURL = Self.riskstream
        engine.arguments = [
            "run", "--pipeline", pipeline.path, "--feed", "tcp://127.0.0.1:\(port)", "--publish", publish,
        ]
        let engineErrors = Pipe()
        engine.standardError = engineErrors
        try engine.run()
        defer { if engine.isRunning { kill(engine.processIdentifier, SIGKILL) } }

        let watcher = try PythonClient(["watch", "--connect", publish, "--events", "\(ticks)", "--malformed", "\(ticks / 3)"])
        // A subscriber to two prefixes only: `seq` has holes for it (alerts it did not ask for), its
        // kinds' own `kind_seq` must not.
        var filtered = try PythonClient([
            "watch", "--connect", publish, "--events", "\(ticks)", "--malformed", "\(ticks / 3)", "--prefix", "heartbeat",
            "--prefix", "risk.", "--kind", "heartbeat", "--kind", "risk", "--min-per-kind", "5",
        ])
        let watched = watcher.finish(within: 30)
        #expect(watched.status == 0, "pyzmq subscriber: \(watched.stderr)")
        let summary = filtered.readLine() ?? ""
        let watchedFiltered = filtered.finish(within: 30)
        #expect(watchedFiltered.status == 0, "pyzmq subscriber to heartbeat and risk.: \(watchedFiltered.stderr)")
        #expect(summary.contains(" risk="), "no risk snapshot seen: \(summary)")
        let fed = feed.finish(within: 10)
        #expect(fed.status == 0, "pyzmq feed: \(fed.stderr)")

        kill(engine.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while engine.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(!engine.isRunning, "riskstream run did not stop within 5 s of SIGTERM")
        if engine.isRunning { kill(engine.processIdentifier, SIGKILL) }
        engine.waitUntilExit()
        #expect(engine.terminationStatus == 0)
        let log = String(decoding: engineErrors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("events_in=\(ticks) malformed=\(ticks / 3) dropped=0"), "\(log)")
        #expect(log.contains("malformed frame rejected"), "malformed frames are logged")
        // Ten malformed kinds, cycled over 200 bad frames: 20 each, and the two frame-count kinds add up.
        #expect(log.contains("frame_count:40"), "\(log)")
        #expect(log.contains("non_finite:20"), "\(log)")
        #expect(log.contains("last_malformed="), "\(log)")
    }

    /// The desk's pipeline: an index IDX as reference, one SGD model, DESK1 with a VaR limit that its
    /// position crosses, fast snapshots and heartbeats; published in `encoding`.
    static func deskPipeline(encoding: String) -> String {
        """
        publish: {encoding: \(encoding), heartbeat_ms: 100, risk_snapshot_ms: 100}
        data_quality: {jump_sigmas: 1000}
        learning:
          reference_symbol: IDX
          horizon_events: 10
          models: [{name: sgd, kind: sgd}]
        hedging:
          accounts: {DESK1: {var: 100}}
          beta_lambda: 0.999

        """
    }

    /// A pyzmq desk (index and stock ticks, unscored news, a position) into `riskstream run`, and a pyzmq
    /// subscriber that waits for the hedge, the news shock and a scored risk snapshot, checking their keys
    /// in contract order and their values.
    @Test func aPyzmqDeskGetsHedgesNewsShocksAndScoredSnapshotsFromRiskstreamRun() throws {
        var desk = try PythonClient(["desk", "--count", "600"])
        let port = try #require(desk.readLine().flatMap { Int($0.dropFirst("port ".count)) }, "no port from the desk")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = folder.appendingPathComponent("pipeline.yaml")
        try Self.deskPipeline(encoding: "json").write(to: pipeline, atomically: true, encoding: .utf8)
        let publish = "ipc://\(folder.path)/engine.sock"
        // The subscriber first (it reconnects until the engine binds); the desk waits a second after the
        // engine subscribes before it publishes, so the subscriber is attached by then.
        let watcher = try PythonClient(["risk", "--connect", publish])
        let engine = Process()
        engine.executableURL = Self.riskstream
        engine.arguments = ["run", "--pipeline", pipeline.path, "--feed", "tcp://127.0.0.1:\(port)", "--publish", publish]
        engine.standardError = Pipe()
        try engine.run()
        defer {
            if engine.isRunning { kill(engine.processIdentifier, SIGKILL) }
            engine.waitUntilExit()
        }
        let watched = watcher.finish(within: 60)
        #expect(watched.status == 0, "pyzmq subscriber: \(watched.stderr)")
        #expect(desk.finish(within: 10).status == 0)
        kill(engine.processIdentifier, SIGTERM)
    }

    /// The same desk into `riskstream run` publishing binary (`publish.encoding: binary`): a pyzmq
    /// subscriber decodes every message with Python's `struct` module from WIRE.md's layout tables (every
    /// payload must end exactly where its layout does), checks `seq` and each kind's `kind_seq` for holes,
    /// the hedge, the news shock and a scored snapshot as the JSON subscriber does, and waits for a
    /// heartbeat that has counted every event the desk sent, with no loss.
    @Test func aPyzmqSubscriberDecodesTheEnginesBinaryWithStruct() throws {
        let count = 600
        var desk = try PythonClient(["desk", "--count", "\(count)"])
        let port = try #require(desk.readLine().flatMap { Int($0.dropFirst("port ".count)) }, "no port from the desk")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let pipeline = folder.appendingPathComponent("pipeline.yaml")
        try Self.deskPipeline(encoding: "binary").write(to: pipeline, atomically: true, encoding: .utf8)
        let publish = "ipc://\(folder.path)/engine.sock"
        // Ticks of two symbols, one news item and one position.
        let events = 2 * count + 2
        var watcher = try PythonClient(["binary", "--connect", publish, "--events", "\(events)"])
        let engine = Process()
        engine.executableURL = Self.riskstream
        engine.arguments = [
            "run", "--pipeline", pipeline.path, "--feed", "tcp://127.0.0.1:\(port)", "--publish", publish,
        ]
        engine.standardError = Pipe()
        try engine.run()
        defer {
            if engine.isRunning { kill(engine.processIdentifier, SIGKILL) }
            engine.waitUntilExit()
        }
        let summary = watcher.readLine() ?? ""
        let watched = watcher.finish(within: 120)
        print("pyzmq binary subscriber: \(summary)")
        #expect(watched.status == 0, "pyzmq binary subscriber: \(watched.stderr)")
        #expect(summary.hasPrefix("ok events_in=\(events) "), "\(summary)")
        for kind in ["alert", "hedge", "heartbeat", "risk"] {
            #expect(summary.contains(" \(kind)="), "no \(kind) decoded: \(summary)")
        }
        #expect(desk.finish(within: 10).status == 0)
        kill(engine.processIdentifier, SIGTERM)
    }
}
