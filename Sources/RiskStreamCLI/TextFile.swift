#if canImport(Glibc)
import Glibc
#endif

struct FileError: Error, CustomStringConvertible {
    var description: String
}

/// Reads a whole UTF-8 text file (pipelines are small). Throws with the system's reason.
func readTextFile(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else {
        throw FileError(description: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
        if bytes.count > 16 << 20 { throw FileError(description: "larger than 16 MiB") }
    }
    if ferror(file) != 0 { throw FileError(description: String(cString: strerror(errno))) }
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw FileError(description: "not valid UTF-8")
    }
    return text
}
