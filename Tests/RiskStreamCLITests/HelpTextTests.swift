import ArgumentParser
import Foundation
@testable import RiskStreamCLI
import Testing

/// `--help` as a person reads it: every subcommand's examples fit an 80-column terminal and are
/// commands that parse as printed; on a wide terminal a paragraph is one line, so the text was wrapped
/// once (by the terminal's width), not twice (by the source's line breaks, then the terminal's).
@Suite struct HelpTextTests {
    static let subcommands = [
        "run", "demo", "feed", "tail", "evaluate", "synth", "backtest", "lexicon", "score", "journal", "journal inspect",
        "journal verify", "journal repair", "journal import", "replay",
    ]

    static func help(_ subcommand: String, columns: Int) throws -> String {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = subcommand.split(separator: " ").map(String.init) + ["--help"]
        process.environment = ["COLUMNS": "\(columns)", "PATH": "/usr/bin:/bin"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(subcommand) --help")
        return String(decoding: data, as: UTF8.self)
    }

    /// Words as a POSIX shell splits a simple command line: spaces separate, double quotes group.
    static func shellWords(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var quoted = false
        var started = false
        for c in line {
            if c == "\"" {
                quoted.toggle()
                started = true
            } else if c == " " && !quoted {
                if started { words.append(word) }
                word = ""
                started = false
            } else {
                word.append(c)
                started = true
            }
        }
        if started { words.append(word) }
        return words
    }

    @Test(arguments: subcommands)
    func examplesFit80ColumnsAndParse(_ subcommand: String) throws {
        let text = try Self.help(subcommand, columns: 80)
        let examples = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("riskstream ") }
        #expect(!examples.isEmpty, "\(subcommand) --help has no example")
        for line in text.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("riskstream ") {
            #expect(line.count <= 80, "\(subcommand): example wider than 80 columns: \(line)")
        }
        for example in examples {
            let arguments = Array(Self.shellWords(example).dropFirst())
            do {
                _ = try RiskStreamCommand.parseAsRoot(arguments)
            } catch {
                Issue.record("\(subcommand): example does not parse: \(example): \(error)")
            }
        }
    }

    /// At 250 columns no prose line is cut where the source broke it: a line of the discussion that ends
    /// without punctuation and is followed by more prose would mean a hard break inside a paragraph.
    @Test(arguments: subcommands)
    func paragraphsAreWrappedOnce(_ subcommand: String) throws {
        let text = try Self.help(subcommand, columns: 250)
        guard let start = text.range(of: "OVERVIEW:") ?? text.range(of: "\n\n") else { return }
        let discussion = text[start.upperBound...].components(separatedBy: "USAGE:")[0]
        let lines = discussion.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, line) in lines.enumerated() where i + 1 < lines.count {
            let next = lines[i + 1]
            let prose = { (s: String) in
                !s.isEmpty && !s.hasPrefix("  ") && !s.hasPrefix("Example") && !s.hasPrefix("riskstream")
            }
            // The terminal wraps near 250 columns; a prose line ending well before that was cut by the source.
            guard prose(line), prose(next), (60..<200).contains(line.count) else { continue }
            #expect(
                line.hasSuffix(".") || line.hasSuffix(":") || line.hasSuffix(")"),
                "\(subcommand): a paragraph broken at \(line.count) columns: \(line)")
        }
    }
}
