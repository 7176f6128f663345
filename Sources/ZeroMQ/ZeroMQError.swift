internal import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of the `ZeroMQ` module: a libzmq call failed.
///
/// "Would block" (`EAGAIN` on a non-blocking call) is never an error here: those calls return `nil` or
/// `false` instead. A blocking call interrupted by a signal (`EINTR`) is retried inside the module.
public struct ZeroMQError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `errno` value libzmq reported (libzmq's own codes, like `ETERM`, are above 156384712).
    public var code: Int32
    /// The operation that failed, with its argument where that helps: `bind(tcp://127.0.0.1:5555)`.
    public var operation: String
    /// libzmq's text for `code` (`zmq_strerror`).
    public var message: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
        self.message = String(cString: zmq_strerror(code))
    }

    /// The error for the calling thread's current `zmq_errno()`.
    static func last(_ operation: @autoclosure () -> String) -> ZeroMQError {
        ZeroMQError(code: zmq_errno(), operation: operation())
    }

    /// The context was terminated (`ETERM`): the socket's owner should close it and stop.
    public var isContextTerminated: Bool { code == ZeroMQError.contextTerminated }

    /// The endpoint string itself is wrong (`EINVAL`, `EPROTONOSUPPORT`, `ENODEV`): libzmq could not parse
    /// it or does not know its transport, as opposed to a well-formed endpoint that cannot be bound now.
    public var isMalformedEndpoint: Bool {
        [EINVAL, EPROTONOSUPPORT, ENODEV, ZeroMQError.hausnumero + 2].contains(code)
    }

    /// The socket was already closed (`ENOTSOCK`).
    public var isSocketClosed: Bool { code == ZeroMQError.notASocket }

    public var description: String { "\(operation): \(message) (errno \(code))" }

    static let hausnumero: Int32 = 156_384_712
    static let contextTerminated: Int32 = hausnumero + 53
    static let notASocket: Int32 = hausnumero + 9
    static let wouldBlock: Int32 = EAGAIN
    static let interrupted: Int32 = EINTR
}
