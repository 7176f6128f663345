import ArgumentParser
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// The exit codes of PRODUCT.md's command line (sysexits.h values).
enum ExitStatus {
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let unavailable = ExitCode(69)
    static let software = ExitCode(70)
}

/// Prints `riskstream: error: <message>` on standard error and returns the exit code to throw.
func failure(_ message: String, _ code: ExitCode) -> ExitCode {
    printError("riskstream: error: \(message)")
    return code
}

func printError(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    writeAll(fd: 2, &bytes)
}

/// Writes `text` to standard error as it is, without a newline (a progress line redrawn in place).
func printErrorRaw(_ text: String) {
    var bytes = Array(text.utf8)
    writeAll(fd: 2, &bytes)
}

/// Writes all of `bytes` to a file descriptor, retrying short writes and EINTR.
func writeAll(fd: Int32, _ bytes: inout [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return  // closed pipe or a full disk: nothing useful left to do with the output
            }
        }
    }
}

/// Maps a libzmq failure on an endpoint to PRODUCT.md's exit codes: a malformed endpoint is a usage
/// error (64); one that cannot be bound or reached is an unavailable service (69).
func endpointFailure(_ error: ZeroMQError) -> ExitCode {
    failure(error.description, error.isMalformedEndpoint ? ExitStatus.usage : ExitStatus.unavailable)
}
