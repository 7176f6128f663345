import ArgumentParser
import MarketEvents
import RiskModels

struct LexiconCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexicon",
        abstract: "Print the built-in news sentiment lexicon, check a lexicon file, or score a headline.",
        discussion: """
            The engine scores news that arrives without a sentiment with a finance lexicon written for \
            RiskStream, with negation ("does not expect layoffs") and intensifiers. With no options this \
            prints the built-in lexicon in the file format, ready to edit and name in a pipeline as \
            risk.news_lexicon. --check FILE parses a file (errors name FILE:LINE, exit 65); --score TEXT \
            prints the sentiment of a headline and the terms behind it.

            Example:
              riskstream lexicon --score "Profit warning as sales slump"
            """
    )

    @Option(help: ArgumentHelp("A lexicon file to check.", valueName: "file"))
    var check: String?

    @Option(help: ArgumentHelp("A headline to score.", valueName: "text"))
    var score: String?

    func run() throws {
        let lexicon = try check.map(loadLexicon) ?? .builtIn
        if let score {
            let analysis = lexicon.analyze(headline: score)
            print("sentiment \(formatFixed(analysis.score, 3))")
            for match in analysis.matches {
                print("  \(match.term) \(formatFixed(match.contribution, 3))\(match.negated ? " (negated)" : "")")
            }
        } else if let check {
            print("\(check): \(lexicon.count) terms")
        } else {
            print(SentimentLexicon.builtInText)
        }
    }
}
