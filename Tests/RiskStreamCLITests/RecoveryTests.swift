import Foundation
import Journal
import MarketEvents
import Testing
import ZeroMQ

/// `riskstream run --journal DIR --recover` after `kill -9`, ten times in one stream: each restart goes
/// live with the state the journal rebuilds (the estimators warm before any new tick), no outbound `seq`
/// or `kind_seq` is ever repeated across the runs, and the state the last run ends with is the state an
/// uninterrupted replay of the journal ends with (the final risk snapshots agree field for field).
@Suite(.serialized) struct RecoveryTests {
    @Test func killedTenTimesTheEngineComesBackWarmWithTheStateOfOneReplay() throws {
        let dir = NSTemporaryDirectory() + "recovery-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pipeline = dir + "/p.yaml"
        try "learning: {enabled: false}\npublish: {heartbeat_ms: 50, risk_snapshot_ms: 100}\n"
            .write(toFile: pipeline, atomically: true, encoding: .utf8)
        let context = try Context()
        let feed = try Socket(context, .pub)
        try feed.bind("tcp://127.0.0.1:*")
        let codec = WireCodec()
        let buffer = MessageBuffer(capacity: 2)
        var seen: [String: UInt64] = [:]  // the highest seq / kind_seq seen per kind, across runs
        var tick: UInt64 = 0
        var lastLive: RiskSnapshot?
        let rounds = 10
        for round in 0..<rounds {
            let out = "ipc://\(dir)/out-\(round).sock"
            let run = try CLI.Running(
                ["run", "--feed", try feed.lastEndpoint, "--publish", out, "--journal", dir + "/J", "--pipeline", pipeline]
                    + (round > 0 ? ["--recover"] : []))
            let sub = try Socket(context, .sub)
            try sub.subscribe("")
            try sub.set(.receiveTimeout(.milliseconds(50)))
            try sub.connect(out)
            let before = seen
            var firstRisk: RiskSnapshot?
            var latestRisk: RiskSnapshot?
            var eventsIn: UInt64 = 0
            var caughtUp = false  // a heartbeat has counted every tick of the round
            // Receives until `done` holds, checking that every sequence is above what earlier runs used.
            func receive(until done: () -> Bool) throws {
                let deadline = Date().addingTimeInterval(60)
                while !done() {
                    try #require(Date() < deadline, "round \(round): timed out (events_in \(eventsIn))")
                    guard try sub.receive(into: buffer) else { continue }
                    let event = try codec.decode(topic: buffer.frame(0), payload: buffer.frame(1))
                    let (kind, seq, kindSeq): (String, UInt64, UInt64)
                    switch event {
                    case .heartbeat(let h):
                        (kind, seq, kindSeq) = ("heartbeat", h.seq, h.kindSeq)
                        eventsIn = h.eventsIn
                        caughtUp = caughtUp || eventsIn == 150
                    case .risk(let r):
                        (kind, seq, kindSeq) = ("risk", r.seq, r.kindSeq)
                        firstRisk = firstRisk ?? r
                        // A snapshot made after the heartbeat that counted everything: every tick processed.
                        if caughtUp { latestRisk = r }
                    case .alert(let a): (kind, seq, kindSeq) = ("alert", a.seq, a.kindSeq)
                    case .hedge(let h): (kind, seq, kindSeq) = ("hedge", h.seq, h.kindSeq)
                    default: continue
                    }
                    #expect(seq > before["seq", default: 0], "round \(round): seq \(seq) repeats an earlier run's")
                    #expect(kindSeq > before[kind, default: 0], "round \(round): \(kind) kind_seq \(kindSeq) repeats")
                    seen["seq"] = max(seen["seq", default: 0], seq)
                    seen[kind] = max(seen[kind, default: 0], kindSeq)
                }
            }
            try receive { firstRisk != nil || (round == 0 && eventsIn == 0 && seen["heartbeat"] != before["heartbeat"]) }
            if round > 0 {
                // Before any new tick: the estimators are warm from the journal, not starting over.
                let risk = try #require(firstRisk)
                #expect(risk.symbol == "AAPL" && !risk.warming && risk.volatility != nil, "round \(round): \(risk)")
            }
            // 150 ticks, one a second of event time (the variance warms up after two minutes of it).
            for _ in 0..<150 {
                tick += 1
                let mid = 100 * exp(0.001 * sin(Double(tick)))
                let t = Tick(
                    symbol: "AAPL", ts: 1_700_000_000_000_000_000 + Int64(tick) * 1_000_000_000, price: mid,
                    bid: mid - 0.01, ask: mid + 0.01, seq: tick)
                _ = try feed.send(multipart: [Array("tick.AAPL".utf8), WireCodec.encodeBinary(.tick(t))])
            }
            try receive { latestRisk != nil }
            lastLive = latestRisk
            run.signal(SIGKILL)
            _ = run.wait()
            sub.close()
            let repair = try CLI.run(["journal", "repair", dir + "/J"])
            #expect(repair.status == 0, "\(repair.stderr)")
        }
        let journaled = try JournalSummary.read(dir + "/J").records
        #expect(journaled == 150 * rounds, "journal holds \(journaled) of \(150 * rounds) ticks")
        // One uninterrupted replay of the journal ends in the state the last run ended in.
        let replay = try CLI.run(["replay", dir + "/J", "--pipeline", pipeline, "--out", dir + "/replay.jsonl"], within: 120)
        #expect(replay.status == 0, "\(replay.stderr)")
        let lastLine = try #require(
            try String(contentsOfFile: dir + "/replay.jsonl", encoding: .utf8).split(separator: "\n")
                .last { $0.hasPrefix(#"{"topic":"risk.AAPL""#) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any])
        let payload = try JSONSerialization.data(withJSONObject: try #require(object["payload"]))
        guard case .risk(var replayed) = try codec.decode(topic: Array("risk.AAPL".utf8), payload: Array(payload)),
            var live = lastLive
        else {
            Issue.record("no final risk snapshot")
            return
        }
        (live.seq, live.kindSeq, live.ts, replayed.seq, replayed.kindSeq, replayed.ts) = (0, 0, 0, 0, 0, 0)
        #expect(live == replayed, "live \(live)\nreplay \(replayed)")
        print("recovery: \(rounds) kill -9 and restarts, journal \(journaled) records, last seq \(seen["seq"] ?? 0)")
    }
}
