#if canImport(Glibc)
import Glibc
#endif

/// Checks libzmq does not make: an endpoint that would bind something other than what it names.
extension Socket {
    /// A tcp endpoint's port must be `*` or a decimal number from 1 to 65535: libzmq itself takes
    /// `:99999` modulo 65536 and `:47630x` as 47630, binding a port nobody asked for. `EINVAL` otherwise.
    static func checkPort(_ endpoint: String, _ operation: String) throws(ZeroMQError) {
        guard endpoint.hasPrefix("tcp://"), let colon = endpoint.lastIndex(of: ":") else { return }
        let port = endpoint[endpoint.index(after: colon)...]
        if port == "*" { return }
        guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(port),
            (1...65_535).contains(n)
        else { throw ZeroMQError(code: EINVAL, operation: operation + ": the port must be * or 1-65535") }
    }

    /// An `ipc://` path another process is listening on is in use (`EADDRINUSE`): libzmq would unlink its
    /// socket file and take the path over silently. A file nobody listens on (left by a crash) is fine.
    /// - Complexity: one `connect(2)` attempt on a Unix-domain socket when the path exists.
    static func checkIPCInUse(_ endpoint: String, _ operation: String) throws(ZeroMQError) {
        guard endpoint.hasPrefix("ipc://") else { return }
        let path = String(endpoint.dropFirst("ipc://".count))
        guard !path.isEmpty, path != "*", !path.hasPrefix("@"), access(path, F_OK) == 0 else { return }
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return }
        defer { Glibc.close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if connected == 0 {
            throw ZeroMQError(code: EADDRINUSE, operation: operation + ": another process is listening there")
        }
    }
}
