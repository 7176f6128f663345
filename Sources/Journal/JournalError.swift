#if canImport(Glibc)
    import Glibc
#endif

/// Why a journal operation failed or what is wrong with a journal: a stable snake_case reason, a message
/// for a person, and where — the file and the byte offset in it when there is one — and the `errno` of a
/// failed system call.
public struct JournalError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable {
        /// The last segment ends inside a record (or inside its header): a write a crash cut short.
        case tornTail = "torn_tail"
        /// A record (or a segment header) whose checksum, lengths or sequence number are wrong, with more
        /// data after it: damage, not a cut-short write.
        case corruptRecord = "corrupt_record"
        /// Segments that do not follow each other (a missing file, names disagreeing with headers).
        case sequenceBreak = "sequence_break"
        /// A system call failed (open, read, write, fsync, truncate); `errno` says why (ENOSPC: disk full).
        case io = "io_error"
        /// A frame too large for a record (topic over 65,535 bytes, payload over ~4 GiB), or bad options.
        case invalidArgument = "invalid_argument"
    }

    public var reason: Reason
    public var message: String
    /// The segment file, when the error is about one.
    public var file: String?
    /// The byte offset in `file` where the problem starts.
    public var offset: Int?
    /// The failed system call's error number.
    public var errno: Int32?

    public init(_ reason: Reason, _ message: String, file: String? = nil, offset: Int? = nil, errno: Int32? = nil) {
        self.reason = reason
        self.message = message
        self.file = file
        self.offset = offset
        self.errno = errno
    }

    static func io(_ operation: String, _ path: String, _ code: Int32) -> JournalError {
        JournalError(.io, "\(operation) failed: \(String(cString: strerror(code)))", file: path, errno: code)
    }

    /// `FILE at byte OFFSET: reason: message`, or `FILE: reason: message`.
    public var description: String {
        var place = file ?? ""
        if let offset { place += " at byte \(offset)" }
        return (place.isEmpty ? "" : place + ": ") + "\(reason.rawValue): \(message)"
    }
}
