#if canImport(Glibc)
    import Glibc
#endif

/// The two system calls through which the writer puts records on the disk: the seam where tests inject
/// a disk that fills up. Everything else (open, rename, truncate) goes straight to the OS.
public protocol JournalFileOperations: Sendable {
    /// `write(2)`: the bytes written (possibly fewer than asked), or -1 with the error number.
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32)
    /// `fdatasync(2)`: 0, or the error number.
    func sync(_ fd: Int32) -> Int32
}

/// The real system calls.
public struct POSIXFileOperations: JournalFileOperations {
    public init() {}

    public func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, errno: Int32) {
        let n = Glibc.write(fd, bytes.baseAddress, bytes.count)
        return (n, n < 0 ? errno : 0)
    }

    public func sync(_ fd: Int32) -> Int32 {
        fdatasync(fd) == 0 ? 0 : errno
    }
}
