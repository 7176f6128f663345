import Foundation
import Testing

@Suite struct LexiconCommandTests {
    /// The printed built-in lexicon is a valid lexicon file: dump, check, and load it in a pipeline.
    @Test func theBuiltInLexiconRoundTripsThroughAFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let dump = try CLI.run(["lexicon"])
        #expect(dump.status == 0)
        let file = folder.appendingPathComponent("words.txt")
        try dump.stdout.write(to: file, atomically: true, encoding: .utf8)
        let check = try CLI.run(["lexicon", "--check", file.path])
        #expect(check.status == 0, "\(check.stderr)")
        let terms = check.stdout.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        #expect(terms > 300, "\(check.stdout)")
    }

    @Test func headlinesAreScoredWithNegation() throws {
        let negative = try CLI.run(["lexicon", "--score", "Regulator opens fraud probe into ACME"])
        let negated = try CLI.run(["lexicon", "--score", "ACME does not expect layoffs"])
        let sentiment = { (output: CLI.Output) in
            output.lines.first.flatMap { Double($0.dropFirst("sentiment ".count)) }
        }
        #expect(try #require(sentiment(negative)) < -0.5)
        #expect(negative.stdout.contains("fraud"))
        #expect(try #require(sentiment(negated)) > 0, "negation flips 'layoffs'")
        #expect(negated.stdout.contains("(negated)"))
    }

    /// A bad lexicon file is exit 65 naming file:line, from `lexicon --check` and from a pipeline's
    /// `risk.news_lexicon` alike.
    @Test func aBadLexiconFileIsExit65NamingTheLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.txt")
        try "# words\nfraud -1\nboom 2\n".write(to: file, atomically: true, encoding: .utf8)
        let check = try CLI.run(["lexicon", "--check", file.path])
        #expect(check.status == 65)
        #expect(check.stderr.contains("bad.txt:3"), "\(check.stderr)")
        let pipeline = folder.appendingPathComponent("p.yaml")
        try "risk:\n  news_lexicon: \(file.path)\npublish:\n  endpoint: null\n".write(
            to: pipeline, atomically: true, encoding: .utf8)
        let run = try CLI.run(["run", "--pipeline", pipeline.path])
        #expect(run.status == 65)
        #expect(run.stderr.contains("bad.txt:3"), "\(run.stderr)")
    }
}
