import Foundation
import Testing
import ZeroMQ

@Suite struct SocketOptionTests {
    let context = try! Context()

    @Test func highWaterMarksRoundTrip() throws {
        let socket = try Socket(context, .pub)
        try socket.set(.sendHighWaterMark(1234))
        try socket.set(.receiveHighWaterMark(4321))
        #expect(try socket.sendHighWaterMark == 1234)
        #expect(try socket.receiveHighWaterMark == 4321)
    }

    @Test(arguments: [nil, Duration.zero, .milliseconds(1), .milliseconds(250), .seconds(3)])
    func durationsRoundTrip(duration: Duration?) throws {
        let socket = try Socket(context, .sub)
        try socket.set(.linger(duration))
        try socket.set(.sendTimeout(duration))
        try socket.set(.receiveTimeout(duration))
        #expect(try socket.linger == duration)
        #expect(try socket.sendTimeout == duration)
        #expect(try socket.receiveTimeout == duration)
    }

    @Test func lingerDefaultsToZeroSoShutdownNeverWaits() throws {
        let socket = try Socket(context, .push)
        #expect(try socket.linger == .zero)
    }

    @Test(arguments: [nil, Int64(0), 1024, 1 << 20, 1 << 40])
    func maxMessageSizeRoundTrips(limit: Int64?) throws {
        let socket = try Socket(context, .sub)
        try socket.set(.maxMessageSize(limit))
        #expect(try socket.maxMessageSize == limit)
    }

    @Test(arguments: [nil, true, false])
    func tcpKeepaliveRoundTrips(value: Bool?) throws {
        let socket = try Socket(context, .dealer)
        try socket.set(.tcpKeepalive(value))
        #expect(try socket.tcpKeepalive == value)
    }

    @Test func immediateAndZapDomainRoundTrip() throws {
        let socket = try Socket(context, .router)
        try socket.set(.immediate(true))
        try socket.set(.zapDomain("riskstream"))
        #expect(try socket.isImmediate)
        #expect(try socket.zapDomain == "riskstream")
    }

    @Test func curveKeysRoundTrip() throws {
        #expect(Context.supports("curve"), "Debian's libzmq is built with CURVE")
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        #expect(server != client)
        let s = try Socket(context, .pub)
        try s.set(.curveServer(true))
        try s.set(.curveSecretKey(server.secretKey))
        #expect(try s.isCurveServer)
        #expect(try s.curveSecretKey == server.secretKey)
        let c = try Socket(context, .sub)
        try c.set(.curveServerKey(server.publicKey))
        try c.set(.curvePublicKey(client.publicKey))
        try c.set(.curveSecretKey(client.secretKey))
        #expect(try c.curveServerKey == server.publicKey)
        #expect(try c.curvePublicKey == client.publicKey)
        #expect(CurveKey(z85: server.publicKey.z85) == server.publicKey)
        #expect(CurveKey(z85: "too short") == nil)
        #expect(!server.secretKey.description.contains(server.secretKey.z85), "secret keys never print in full")
    }

    @Test func lastEndpointResolvesTheWildcardPort() throws {
        let socket = try Socket(context, .pub)
        try socket.bind("tcp://127.0.0.1:*")
        let endpoint = try socket.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        #expect(Int(endpoint.split(separator: ":").last!)! > 0)
    }

    /// Subscribe and unsubscribe reach the publisher (an XPUB sees the frames `1 prefix` and `0 prefix`)
    /// and filter what the subscriber receives.
    @Test func subscribeAndUnsubscribeReachThePublisherAndFilter() throws {
        let xpub = try Socket(context, .xpub)
        try xpub.bind(Transport.inproc.bindEndpoint())
        let sub = try Socket(context, .sub)
        try sub.set(.receiveTimeout(.seconds(10)))
        try sub.connect(try xpub.lastEndpoint)
        try sub.subscribe("tick.")
        #expect(try awaitSubscription(on: xpub) == [1] + Array("tick.".utf8))
        #expect(try xpub.send("news.A"))
        #expect(try xpub.send("tick.A"))
        #expect(try sub.receiveMessage() == [Array("tick.A".utf8)], "news.A is filtered out, tick.A arrives")
        try sub.set(.unsubscribe(Array("tick.".utf8)))
        #expect(try awaitSubscription(on: xpub) == [0] + Array("tick.".utf8))
        try sub.subscribe("mark")
        #expect(try awaitSubscription(on: xpub) == [1] + Array("mark".utf8))
        #expect(try xpub.send("tick.B"))
        #expect(try xpub.send("mark"))
        #expect(try sub.receiveMessage() == [Array("mark".utf8)], "after unsubscribing, tick.B is filtered out")
    }

    /// At a subscriber's high-water mark an XPUB drops silently by default; with `xpubNoDrop` it refuses
    /// the send instead (`EAGAIN` with `dontWait`), and every message it accepted is delivered.
    @Test(arguments: [false, true])
    func xpubNoDropRefusesInsteadOfDropping(noDrop: Bool) throws {
        let xpub = try Socket(context, .xpub)
        try xpub.set(.sendHighWaterMark(4))
        try xpub.set(.xpubNoDrop(noDrop))
        try xpub.bind(Transport.inproc.bindEndpoint())
        let sub = try Socket(context, .sub)
        try sub.set(.receiveHighWaterMark(4))
        try sub.connect(try xpub.lastEndpoint)
        try sub.subscribe("")
        #expect(try awaitSubscription(on: xpub) == [1])
        let sent = 1_000
        var accepted = 0
        for i in 0..<sent where try xpub.send([UInt8(truncatingIfNeeded: i)], dontWait: true) { accepted += 1 }
        // inproc pipes hand messages over synchronously: what the subscriber holds is already there.
        var delivered: [UInt8] = []
        while let message = try sub.receiveMessage(dontWait: true) { delivered += message[0] }
        print("xpub_nodrop=\(noDrop): \(accepted) of \(sent) sends accepted, \(delivered.count) delivered")
        if noDrop {
            #expect(accepted < sent, "a full pipe must refuse the send")
            #expect(delivered.count == accepted, "nothing accepted is lost")
            #expect(delivered == (0..<accepted).map { UInt8(truncatingIfNeeded: $0) }, "in order, none skipped")
        } else {
            #expect(accepted == sent, "without no-drop a PUB-style send never refuses")
            #expect(delivered.count < sent, "the excess was dropped silently")
            #expect(delivered.count > 0)
        }
    }

    @Test func anOptionTheSocketTypeRejectsIsAnErrorNamingIt() throws {
        let push = try Socket(context, .push)
        let error = #expect(throws: ZeroMQError.self) { try push.subscribe("x") }
        #expect(error?.operation.contains("ZMQ_SUBSCRIBE") == true)
        #expect(error?.code != 0)
    }

    @Test func badEndpointsAreErrorsNamingTheEndpoint() throws {
        let socket = try Socket(context, .pub)
        let error = #expect(throws: ZeroMQError.self) { try socket.bind("nonsense://x") }
        #expect(error?.description.contains("nonsense://x") == true)
        #expect(error?.isMalformedEndpoint == true)
        let other = try Socket(context, .pub)
        try other.bind("tcp://127.0.0.1:*")
        let taken = try other.lastEndpoint
        let inUse = #expect(throws: ZeroMQError.self) { try socket.bind(taken) }
        #expect(inUse?.isMalformedEndpoint == false, "an endpoint in use is well-formed, just unavailable")
    }

    /// A second socket binding an ipc path another one listens on is refused (in use, not malformed);
    /// a path left behind by a socket that closed is bound again.
    @Test func anIPCPathInUseIsRefusedAndAStaleOneIsReused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rs-\(UUID().uuidString).sock").path
        defer { unlink(path) }
        let first = try Socket(context, .pub)
        try first.bind("ipc://\(path)")
        let second = try Socket(context, .pub)
        let error = #expect(throws: ZeroMQError.self) { try second.bind("ipc://\(path)") }
        #expect(error?.code == EADDRINUSE && error?.isMalformedEndpoint == false, "\(String(describing: error))")
        // A socket file left by a process that crashed: bound once, never listened on, closed.
        let stale = FileManager.default.temporaryDirectory.appendingPathComponent("rs-\(UUID().uuidString).sock").path
        defer { unlink(stale) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(stale.utf8))
            raw[stale.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        try #require(bound == 0 && FileManager.default.fileExists(atPath: stale))
        let third = try Socket(context, .pub)
        try third.bind("ipc://\(stale)")
    }

    /// libzmq would bind `:99999` as port 34463 and `:47630x` as 47630: a tcp port must be `*` or 1-65535.
    @Test(arguments: ["tcp://127.0.0.1:99999", "tcp://127.0.0.1:-1", "tcp://127.0.0.1:47630x", "tcp://127.0.0.1:0",
                      "tcp://127.0.0.1:", "tcp://127.0.0.1:065536"])
    func aTcpPortOutOfRangeIsAMalformedEndpoint(endpoint: String) throws {
        let socket = try Socket(context, .pub)
        let bind = #expect(throws: ZeroMQError.self) { try socket.bind(endpoint) }
        #expect(bind?.isMalformedEndpoint == true && bind?.description.contains(endpoint) == true)
        let sub = try Socket(context, .sub)
        let connect = #expect(throws: ZeroMQError.self) { try sub.connect(endpoint) }
        #expect(connect?.isMalformedEndpoint == true)
    }
}
