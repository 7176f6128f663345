#if canImport(Glibc)
    import Glibc
#endif

/// One segment file of a journal directory, as its name states it.
public struct JournalSegment: Sendable, Hashable {
    public var name: String
    public var path: String
    /// The first sequence number, from the file name.
    public var firstSequence: UInt64
    /// The file's size in bytes when it was listed.
    public var bytes: Int
}

/// The segment files of a journal directory, ordered by first sequence number. Other files are ignored.
public enum JournalDirectory {
    /// - Throws: `JournalError` `.io` if the directory cannot be read.
    public static func segments(_ directory: String) throws(JournalError) -> [JournalSegment] {
        guard let dir = opendir(directory) else { throw .io("opendir", directory, errno) }
        defer { closedir(dir) }
        var segments: [JournalSegment] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let first = JournalFormat.firstSequence(ofSegmentNamed: name) else { continue }
            let path = join(directory, name)
            var info = stat()
            guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            segments.append(JournalSegment(name: name, path: path, firstSequence: first, bytes: Int(info.st_size)))
        }
        return segments.sorted { $0.firstSequence < $1.firstSequence }
    }

    /// Creates the directory and its parents if they are missing.
    static func create(_ directory: String) throws(JournalError) {
        var path = directory.hasPrefix("/") ? "/" : ""
        for part in directory.split(separator: "/") {
            path += (path.isEmpty || path.hasSuffix("/") ? "" : "/") + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw .io("mkdir", path, errno) }
        }
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
