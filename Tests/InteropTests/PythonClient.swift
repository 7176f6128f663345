import Foundation
import Testing

/// The pyzmq client in Scripts/interop, run with the virtualenv Python that Scripts/bootstrap.sh makes.
struct PythonClient {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `RISKSTREAM_PYTHON`, or `.build/venv/bin/python3`; the test fails with how to get it when absent.
    static func interpreter() throws -> String {
        let path = ProcessInfo.processInfo.environment["RISKSTREAM_PYTHON"]
            ?? packageRoot.appendingPathComponent(".build/venv/bin/python3").path
        try #require(
            FileManager.default.isExecutableFile(atPath: path),
            "no Python with pyzmq at \(path): run Scripts/test.sh, which installs it")
        return path
    }

    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private var pending = Data()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: try Self.interpreter())
        process.arguments = [Self.packageRoot.appendingPathComponent("Scripts/interop/pyzmq_client.py").path]
            + arguments
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    /// The next line the script prints on standard output, or nil at its end.
    mutating func readLine() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending = Data(pending[(newline + 1)...])
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return nil }
            pending.append(chunk)
        }
    }

    /// Waits for the script to exit (killing it after `seconds`) and returns its status and stderr.
    func finish(within seconds: Double = 30) -> (status: Int32, stderr: String) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, text)
    }
}
