import Foundation
import Testing

/// Five million simulated ticks through a real engine, in a process of its own (`riskstream-bench soak`)
/// so that its resident memory is the engine's alone, not the parallel test runner's.
@Suite struct SoakTests {
    @Test func fiveMillionSimulatedTicksKeepMemoryFlat() throws {
        let bench = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("riskstream-bench")
        let process = Process()
        process.executableURL = bench
        process.arguments = ["soak", "--ticks", "5000000"]
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
        #expect(text.contains("soak: 5000000 ticks, events_in=5000000 dropped=0 malformed=0"), "\(text)")
        #expect(text.contains("growth"))
    }
}
