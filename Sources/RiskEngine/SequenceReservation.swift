#if canImport(Glibc)
import Glibc
#endif

/// The outbound sequences reserved ahead of use, in a small file beside the journal, so that an engine
/// restarted after a crash (even `kill -9`) continues `seq` and every `kind_seq` after anything the
/// earlier run may have sent: never a repeat, at most a gap of `block` at the restart.
///
/// The file holds five decimal numbers on one line (`seq`, then the alert, hedge, risk and heartbeat
/// `kind_seq`): upper bounds of what was used. It is rewritten atomically (a temporary file, `fsync`,
/// `rename`) each time a sequence passes its bound, once every `block` messages: a few hundred
/// microseconds on the compute thread per 65,536 messages. A write that fails is logged; the engine goes
/// on (a restart after that may repeat sequences, and the log says so).
final class SequenceReservation {
    static let fileName = "outbound-sequences"
    let path: String
    let block: UInt64
    /// What is reserved now (`seq`, alert, hedge, risk, heartbeat), and what the file said at open (zeros
    /// for a new file).
    private(set) var reserved: [UInt64]
    let loaded: [UInt64]

    /// Reads `directory/outbound-sequences` if it exists (a damaged file counts as absent, logged).
    init(directory: String, block: UInt64 = 65_536) {
        path = directory + "/" + Self.fileName
        self.block = block
        var values = [UInt64](repeating: 0, count: 5)
        if let text = Self.read(path) {
            let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { UInt64($0) }
            if numbers.count == 5 {
                values = numbers
            } else {
                EngineLog.write(.warn, "journal", "outbound sequence reservation unreadable; ignored", [("path", path)])
            }
        }
        loaded = values
        reserved = values
    }

    /// Reserves `block` beyond each of `used` and writes the file.
    func reserve(after used: [UInt64]) {
        let all = zip(used, reserved).map { max($0, $1) + block }
        reserved = all
        let text = all.map(String.init).joined(separator: " ") + "\n"
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var ok = fd >= 0
        if ok {
            var bytes = Array(text.utf8)
            ok = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
            ok = fsync(fd) == 0 && ok
            ok = close(fd) == 0 && ok
            ok = ok && rename(temporary, path) == 0
        }
        if !ok {
            EngineLog.write(
                .error, "journal", "cannot write the outbound sequence reservation; a restart may repeat sequences",
                [("path", path), ("error", String(cString: strerror(errno)))])
        }
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = fread(&buffer, 1, buffer.count, file)
        return String(decoding: buffer.prefix(n), as: UTF8.self)
    }
}
