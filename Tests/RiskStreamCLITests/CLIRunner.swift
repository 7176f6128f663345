import Foundation
import Testing

/// Runs the built `riskstream` executable, as an operator would.
struct CLI {
    /// `riskstream` next to the test executable (SwiftPM builds both into the same folder).
    static let executable: URL = {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent("riskstream")
    }()

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// A running `riskstream` process whose output is collected in the background.
    final class Running: @unchecked Sendable {
        // @unchecked: standard output is appended and read under `lock`; standard error is written by its
        // reader thread before `wait` reads it.
        let process = Process()
        private let out = Pipe()
        private let err = Pipe()
        private let group = DispatchGroup()
        private let lock = NSLock()
        private var outData = Data()
        private var errData = Data()

        init(_ arguments: [String]) throws {
            process.executableURL = CLI.executable
            process.arguments = arguments
            process.standardOutput = out
            process.standardError = err
            try process.run()
            group.enter()
            DispatchQueue.global().async { [self] in
                // Chunk by chunk, so a test can watch the output while the process runs.
                while true {
                    let chunk = out.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    lock.withLock { outData.append(chunk) }
                }
                group.leave()
            }
            group.enter()
            DispatchQueue.global().async { [self] in
                errData = err.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }

        func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

        /// Standard output so far.
        var stdoutSoFar: String { lock.withLock { String(decoding: outData, as: UTF8.self) } }

        /// Waits until standard output satisfies `predicate` (true) or the process exits or `seconds`
        /// pass (false). Polls every 10 ms: the barrier is the output, the time is only a bound.
        func waitForOutput(within seconds: Double = 60, _ predicate: (String) -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if predicate(stdoutSoFar) { return true }
                if !process.isRunning { return predicate(stdoutSoFar) }
                Thread.sleep(forTimeInterval: 0.01)
            }
            return predicate(stdoutSoFar)
        }

        /// Waits for exit; kills the process and fails the test if it runs past `seconds`.
        func wait(within seconds: Double = 30, sourceLocation: SourceLocation = #_sourceLocation) -> Output {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            if process.isRunning {
                Issue.record("riskstream did not exit within \(seconds) s", sourceLocation: sourceLocation)
                kill(process.processIdentifier, SIGKILL)  // SIGTERM may be blocked: it is what we may be testing
            }
            process.waitUntilExit()
            group.wait()
            return Output(
                status: process.terminationStatus, stdout: stdoutSoFar,
                stderr: String(decoding: errData, as: UTF8.self))
        }
    }

    static func run(_ arguments: [String], within seconds: Double = 30) throws -> Output {
        try Running(arguments).wait(within: seconds)
    }

    /// A free tcp port on 127.0.0.1 (bound and released; good enough for a test).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, length)
                _ = getsockname(fd, $0, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
