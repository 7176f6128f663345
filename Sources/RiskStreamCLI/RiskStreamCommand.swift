import ArgumentParser

@main
struct RiskStreamCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "riskstream",
        abstract: "An event-driven streaming risk engine over ZeroMQ.",
        discussion: """
            Messages are two ZeroMQ frames, [topic, payload], with topics like tick.AAPL, news.AAPL,
            alert.AAPL, heartbeat. Payloads are JSON or the compact binary encoding (Docs/WIRE.md).

            Exit codes: 0 success, 64 usage error, 65 bad input data or config, 69 a required endpoint is
            unavailable, 70 internal error.
            """,
        version: "0.1.0",
        subcommands: [
            DemoCommand.self, RunCommand.self, FeedCommand.self, TailCommand.self, EvaluateCommand.self,
            SynthCommand.self, BacktestCommand.self, LexiconCommand.self, ScoreCommand.self, JournalCommand.self,
            ReplayCommand.self,
        ],
        defaultSubcommand: DemoCommand.self
    )
}
