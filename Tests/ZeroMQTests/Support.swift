import Foundation
import Testing
import ZeroMQ

/// The three transports every socket test runs over.
enum Transport: String, CaseIterable, CustomTestStringConvertible {
    case inproc, ipc, tcp

    var testDescription: String { rawValue }

    /// An endpoint to bind; for tcp a wildcard port on loopback (read the real one from `lastEndpoint`).
    func bindEndpoint() -> String {
        switch self {
        case .inproc: "inproc://test-\(UUID().uuidString)"
        case .ipc: "ipc://\(FileManager.default.temporaryDirectory.path)/rs-\(UUID().uuidString.prefix(12)).sock"
        case .tcp: "tcp://127.0.0.1:*"
        }
    }
}

/// Binds `server` on a fresh endpoint of `transport` and connects `client` to it.
func link(_ server: Socket, _ client: Socket, over transport: Transport) throws {
    try server.bind(transport.bindEndpoint())
    try client.connect(try server.lastEndpoint)
}

/// Runs `body` on a new thread; `wait(timeout:)` says whether it finished in time. A test that would hang
/// fails instead (the stuck thread is abandoned; the process can still exit).
final class TestThread: @unchecked Sendable {
    // @unchecked: `done` is signalled once by the worker and waited on by the test thread.
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.start()
    }

    func wait(timeout seconds: Double) -> Bool {
        done.wait(timeout: .now() + seconds) == .success
    }
}

/// Runs `body` on another thread and fails the test if it has not returned within `seconds`.
func expectFinishes(
    within seconds: Double, sourceLocation: SourceLocation = #_sourceLocation, _ body: @escaping @Sendable () -> Void
) {
    let worker = TestThread(body)
    #expect(worker.wait(timeout: seconds), "did not finish within \(seconds) s", sourceLocation: sourceLocation)
}

/// A Sendable box for values a worker thread hands back to the test.
final class Box<Value>: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Waits until a subscriber is known to be attached: an XPUB socket receives the subscription frame.
func awaitSubscription(on xpub: Socket, timeout: Duration = .seconds(5)) throws -> [UInt8]? {
    try xpub.set(.receiveTimeout(timeout))
    return try xpub.receiveMessage()?.first
}
