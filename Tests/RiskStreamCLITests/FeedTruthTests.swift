import Foundation
import Testing

/// `riskstream feed --truth`, run as an operator would (nobody subscribed: the truth is what matters).
@Suite struct FeedTruthTests {
    typealias TempFile = EvaluateCommandTests.TempFile

    static func feed(_ truth: String, _ extra: [String] = []) throws -> CLI.Output {
        let endpoint = "ipc://" + URL(fileURLWithPath: truth).deletingLastPathComponent().path + "/feed.sock"
        return try CLI.run(
            ["feed", "--publish", endpoint, "--rate", "0", "--timestamps", "simulated", "--truth", truth] + extra)
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// With simulated timestamps the truth is the same on every run; it starts with the market, ends with
    /// the last event, and places the scripted crash where it was asked for (+5 s, 30 s long).
    @Test func theTruthIsDeterministicAndHasTheCrash() throws {
        let files = try TempFile("a.jsonl")
        defer { files.cleanUp() }
        let flags = ["--count", "60000", "--crash-at", "5", "--microstructure", "realistic", "--seed", "3"]
        let first = try Self.feed(files.path, flags)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Self.feed(files.sibling("b.jsonl"), flags)
        #expect(second.status == 0, "\(second.stderr)")
        let a = try String(contentsOfFile: files.path, encoding: .utf8)
        #expect(a == (try String(contentsOfFile: files.sibling("b.jsonl"), encoding: .utf8)))

        let lines = try Self.lines(files.path)
        let start = try #require(lines.first)
        #expect(start["type"] as? String == "start" && start["microstructure"] as? String == "realistic")
        #expect((start["symbols"] as? [String])?.count == 6)
        let end = try #require(lines.last)
        #expect(end["type"] as? String == "end" && end["events"] as? Int == 60_000)
        let crash = try #require(lines.first { $0["type"] as? String == "crash" })
        let startTs = try #require(start["ts"] as? Int64)
        let crashTs = try #require(crash["ts"] as? Int64)
        let crashEnd = try #require(crash["end_ts"] as? Int64)
        #expect(abs(crashTs - startTs - 5_000_000_000) < 50_000_000)
        #expect(abs(crashEnd - startTs - 35_000_000_000) < 50_000_000)
        #expect(crash["size"] as? Double == 0.03)
        // Regime lines name a symbol, both levels and both volatilities.
        for regime in lines where regime["type"] as? String == "regime" {
            #expect(regime["symbol"] is String && regime["from"] is String && regime["to"] is String)
            #expect((regime["old_vol"] as? Double ?? 0) > 0 && (regime["new_vol"] as? Double ?? 0) > 0)
        }

        // The scorer reads it (no alerts: every target missed, nothing false).
        try Data().write(to: URL(fileURLWithPath: files.sibling("alerts.jsonl")))
        let score = try CLI.run(["score", "--truth", files.path, "--alerts", files.sibling("alerts.jsonl")])
        #expect(score.status == 0, "\(score.stderr)")
        #expect(score.stdout.contains("no critical alert during the crash"))
    }

    @Test(arguments: [
        ["--crash-size", "1.5"], ["--tick-size", "AAPL"], ["--tick-size", "NOPE=0.1"], ["--start", "25:00"],
        ["--regime", "panic"], ["--regime-seconds", "1,2"], ["--index-volatility", "0"],
    ])
    func badMarketFlagsAreUsageErrors(flags: [String]) throws {
        let files = try TempFile("t.jsonl")
        defer { files.cleanUp() }
        let output = try Self.feed(files.path, ["--count", "10"] + flags)
        #expect(output.status == 64, "\(flags): \(output.status) \(output.stderr)")
    }
}
