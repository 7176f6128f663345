import Foundation
import Testing

/// Simulated ticks through a real engine, in a process of its own (`riskstream-bench soak`) so that its
/// resident memory is the engine's alone, not the parallel test runner's: five million through the
/// engine with its risk stage (VaR, drawdown, liquidity, betas) and the learning stage off, then the
/// learning stage on (features, pending labels, an SGD model) for as many as a debug build gets through
/// in comparable time. The forest's soak runs in release: `riskstream-bench soak --models sgd,arf`.
@Suite struct SoakTests {
    @Test(arguments: [(5_000_000, "none"), (150_000, "sgd")])
    func simulatedTicksKeepMemoryFlat(ticks: Int, models: String) throws {
        let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("riskstream-bench")
        let process = Process()
        process.executableURL = bench
        process.arguments = ["soak", "--ticks", "\(ticks)", "--models", models]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        print(text, terminator: "")
        #expect(process.terminationStatus == 0, "\(problems)")
        #expect(text.contains("soak: \(ticks) ticks, events_in=\(ticks) dropped=0 malformed=0"), "\(text)")
        #expect(text.contains("growth"))
    }
}
