import Foundation
import Testing

/// The demo as a person runs it: in a real terminal (a pseudo-terminal of 80×24 made by
/// Scripts/pty/run_in_pty.py), stopped with Ctrl-C typed at the keyboard.
@Suite struct TerminalTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Session: Decodable {
        var status: Int32
        var output: String
        var timed_out: Bool
    }

    static func runInTerminal(_ arguments: [String], waitFor: String, timeout: Double = 90) throws -> Session {
        let python = ProcessInfo.processInfo.environment["RISKSTREAM_PYTHON"] ?? "/usr/bin/python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            root.appendingPathComponent("Scripts/pty/run_in_pty.py").path, "--cols", "80", "--rows", "24",
            "--wait-for", waitFor, "--then-ctrl-c", "--timeout", "\(timeout)", "--", CLI.executable.path,
        ] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return try JSONDecoder().decode(Session.self, from: data)
    }

    /// Ctrl-C in a terminal: exit 0 with the summary, the cursor shown again and the alternate screen
    /// left; every line the view drew fits 80 columns.
    @Test func theDemoExitsCleanlyOnCtrlCInA80x24Terminal() throws {
        // Wait for a status line drawn from a heartbeat: the view is live, the engine running.
        let session = try Self.runInTerminal([], waitFor: "malformed ")
        #expect(!session.timed_out, "\(session.output.suffix(2_000))")
        #expect(session.status == 0, "\(session.output.suffix(2_000))")
        let output = session.output
        #expect(!output.contains("Fatal error") && !output.contains("Program crashed"), "\(output.suffix(2_000))")
        #expect(output.contains("\u{1B}[?1049h") && output.contains("\u{1B}[?1049l\u{1B}[?25h"))
        #expect(output.contains("demo: ") && output.contains("riskstream: stopped: events_in="))
        // The view's own lines (the summary that stderr adds at the end aside) fit the terminal.
        let view = output.components(separatedBy: "riskstream: stopped:")[0]
        // Cursor-home and erase-line end a drawn line; the terminal's own echo of ^C is not the view's.
        let plain = view.replacingOccurrences(of: "\u{1B}[H", with: "\n").replacingOccurrences(of: "\u{1B}[K", with: "\n")
            .replacingOccurrences(of: "^C", with: "")
            .replacingOccurrences(of: "\u{1B}\\[[0-9;?]*[A-Za-z]", with: "", options: .regularExpression)
        let widest = plain.split(whereSeparator: \.isNewline).map(\.count).max() ?? 0
        #expect(widest <= 80, "a line of \(widest) columns")
    }
}

extension TerminalTests {
    /// `replay` in a terminal draws a progress bar in place (percent, records/s, ETA); Ctrl-C stops it
    /// cleanly with its summary of what it replayed.
    @Test func replayDrawsAProgressBarAndStopsOnCtrlC() throws {
        let dir = NSTemporaryDirectory() + "replay-pty-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try CLI.run(["synth", "--prices", "--symbol", "TSLA", "--events", "60000", "--out", dir + "/p.csv"]).status == 0)
        let imported = try CLI.run([
            "journal", "import", "--csv", dir + "/p.csv", "--out", dir + "/J", "--symbol", "TSLA", "--price-column", "price",
        ])
        #expect(imported.status == 0, "\(imported.stderr)")
        // The default pipeline learns (SGD and a forest): slow enough in a debug build to be watched.
        let session = try Self.runInTerminal(["replay", dir + "/J", "--out", dir + "/out.jsonl"], waitFor: "ETA")
        #expect(!session.timed_out, "\(session.output.suffix(2_000))")
        #expect(session.status == 0, "\(session.output.suffix(2_000))")
        #expect(session.output.contains("\r[#") || session.output.contains("\r[-"), "\(session.output.suffix(500))")
        #expect(session.output.contains("records/s ETA"))
        #expect(session.output.contains("replay: ") && session.output.contains(" records spanning "), "\(session.output.suffix(500))")
    }
}
