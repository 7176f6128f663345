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
