internal import CZeroMQ

/// libzmq's built-in steerable proxy (`zmq_proxy_steerable`): moves messages between a frontend and a
/// backend socket, for example XSUB ↔ XPUB to fan a feed out across processes.
public enum Proxy {
    /// Commands a control socket can send to a running proxy.
    public enum Command: String, Sendable, CaseIterable {
        case pause = "PAUSE"
        case resume = "RESUME"
        case terminate = "TERMINATE"
    }

    /// Runs the proxy on the calling thread until `Command.terminate` arrives on `control`, or until the
    /// context is shut down (then it returns normally too). Every message is also copied to `capture`
    /// when given. The sockets must not be used by anyone else while it runs.
    public static func run(frontend: Socket, backend: Socket, capture: Socket? = nil, control: Socket? = nil)
        throws(ZeroMQError)
    {
        let f = try frontend.live("proxy(frontend)")
        let b = try backend.live("proxy(backend)")
        let c = try capture.map { s throws(ZeroMQError) in try s.live("proxy(capture)") }
        let k = try control.map { s throws(ZeroMQError) in try s.live("proxy(control)") }
        while true {
            if zmq_proxy_steerable(f, b, c, k) == 0 { return }
            let code = zmq_errno()
            if code == ZeroMQError.interrupted { continue }
            if code == ZeroMQError.contextTerminated { return }
            throw ZeroMQError(code: code, operation: "zmq_proxy_steerable")
        }
    }

    /// Sends `command` on the controlling end of a proxy's control socket (a PAIR, PUSH or PUB peer).
    public static func send(_ command: Command, on socket: Socket) throws(ZeroMQError) {
        try socket.send(command.rawValue)
    }
}
