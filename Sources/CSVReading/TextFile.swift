#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read (or written): the C library's message.
public struct FileError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}

/// Reads a whole UTF-8 text file (pipelines are small): `readWholeFile` with a size cap and a UTF-8 check.
public func readTextFile(_ path: String) throws(FileError) -> String {
    let bytes = try readWholeFile(path)
    guard bytes.count <= 16 << 20 else { throw FileError(description: "larger than 16 MiB") }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw FileError(description: "not valid UTF-8")
    }
    return text
}

/// Reads a whole file into memory, with no size limit (tables are as large as the user makes them).
public func readWholeFile(_ path: String) throws(FileError) -> [UInt8] {
    guard let file = fopen(path, "rb") else {
        throw FileError(description: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    if ferror(file) != 0 { throw FileError(description: String(cString: strerror(errno))) }
    return bytes
}
