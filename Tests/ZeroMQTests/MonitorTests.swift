import Testing
import ZeroMQ

/// `SocketMonitor` and what libzmq 4.3 does to a link that breaks, as the engine relies on it: after a
/// frame over `maxMessageSize` a connecting socket never reconnects by itself (libzmq treats it as a
/// protocol error), while a peer that merely goes away is retried, and a peer that connected to a
/// binding socket reconnects on its own.
@Suite struct MonitorTests {
    let context = try! Context()
    static let watched: MonitorEvents = [.connected, .accepted, .disconnected, .connectRetried]

    /// A publisher that reports every subscription (verbose), bound on `transport`.
    func boundPublisher(_ transport: Transport) throws -> (Socket, String) {
        let xpub = try Socket(context, .xpub)
        try xpub.set(.xpubVerbose(true))
        try xpub.bind(transport.bindEndpoint())
        return (xpub, try xpub.lastEndpoint)
    }

    /// A SUB socket taking everything, with a 1 KiB frame ceiling, and a monitor on it.
    func ceilingSubscriber() throws -> (Socket, SocketMonitor) {
        let sub = try Socket(context, .sub)
        try sub.set(.maxMessageSize(1024))
        try sub.subscribe("")
        try sub.set(.receiveTimeout(.seconds(5)))
        let monitor = try SocketMonitor(watching: sub, events: Self.watched)
        try monitor.socket.set(.receiveTimeout(.seconds(5)))
        return (sub, monitor)
    }

    /// Waits for a (re)subscription to everything on `xpub`, skipping the unsubscription of a dead link.
    func awaitSubscribeAll(on xpub: Socket) throws {
        try xpub.set(.receiveTimeout(.seconds(5)))
        while let frame = try xpub.receiveMessage()?.first {
            if frame == [1] { return }
        }
        Issue.record("no subscription arrived")
    }

    func expectEvent(
        _ monitor: SocketMonitor, _ event: MonitorEvents, at endpoint: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let got = try #require(try monitor.next(), "no \(event) event", sourceLocation: sourceLocation)
        #expect(got.event == event, "got \(got)", sourceLocation: sourceLocation)
        #expect(got.endpoint == endpoint, sourceLocation: sourceLocation)
    }

    @Test(arguments: [Transport.tcp, .ipc])
    func aConnectingSocketDroppedForAnOversizedFrameStaysDownUntilConnectedAgain(transport: Transport) throws {
        let (xpub, endpoint) = try boundPublisher(transport)
        let (sub, monitor) = try ceilingSubscriber()
        try sub.connect(endpoint)
        try expectEvent(monitor, .connected, at: endpoint)
        try awaitSubscribeAll(on: xpub)
        try xpub.send([UInt8](repeating: 1, count: 2048))
        try expectEvent(monitor, .disconnected, at: endpoint)
        // No retry was scheduled: the next event is the connect we make ourselves, not `connectRetried`.
        try sub.disconnect(endpoint)
        try sub.connect(endpoint)
        try expectEvent(monitor, .connected, at: endpoint)
        try awaitSubscribeAll(on: xpub)
        try xpub.send([7])
        #expect(try sub.receiveMessage() == [[7]])
    }

    @Test(arguments: [Transport.tcp, .ipc])
    func aPublisherThatGoesAwayIsRetriedByLibzmq(transport: Transport) throws {
        let (xpub, endpoint) = try boundPublisher(transport)
        let (sub, monitor) = try ceilingSubscriber()
        try sub.connect(endpoint)
        try expectEvent(monitor, .connected, at: endpoint)
        xpub.close()
        try expectEvent(monitor, .disconnected, at: endpoint)
        try expectEvent(monitor, .connectRetried, at: endpoint)
    }

    /// A plain PUB connecting, as a feed does (libzmq 4.3's XPUB, connecting, reports a subscription only
    /// once it sends): it resends a message until `sub` has it. The attempts bound a failure, not a wait.
    func expectDelivery(from pub: Socket, to sub: Socket, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try sub.set(.receiveTimeout(.milliseconds(20)))
        for _ in 0..<500 {
            try pub.send([7])
            if let message = try sub.receiveMessage() {
                #expect(message == [[7]], sourceLocation: sourceLocation)
                return
            }
        }
        Issue.record("nothing got through", sourceLocation: sourceLocation)
    }

    @Test(arguments: [Transport.tcp, .ipc])
    func aPublisherConnectedToABindingSocketReconnectsByItselfAfterAnOversizedFrame(transport: Transport) throws {
        let (sub, monitor) = try ceilingSubscriber()
        try sub.bind(transport.bindEndpoint())
        let endpoint = try sub.lastEndpoint
        let pub = try Socket(context, .pub)
        try pub.connect(endpoint)
        try expectEvent(monitor, .accepted, at: endpoint)
        try expectDelivery(from: pub, to: sub)
        try pub.send([UInt8](repeating: 1, count: 2048))
        try expectEvent(monitor, .disconnected, at: endpoint)
        try expectEvent(monitor, .accepted, at: endpoint)
        try expectDelivery(from: pub, to: sub)
    }

    @Test func monitorsHaveTheirOwnEndpointsAndStopCleanly() throws {
        let a = try Socket(context, .sub)
        let b = try Socket(context, .sub)
        let monitorA = try SocketMonitor(watching: a)
        let monitorB = try SocketMonitor(watching: b)
        #expect(monitorA.endpoint != monitorB.endpoint)
        #expect(monitorA.endpoint.hasPrefix("inproc://"))
        try b.bind(Transport.tcp.bindEndpoint())
        try monitorB.socket.set(.receiveTimeout(.seconds(5)))
        #expect(try monitorB.next()?.event == .listening)
        #expect(try monitorA.next(dontWait: true) == nil, "a's monitor sees nothing of b")
        try b.stopMonitoring()
        #expect(try monitorB.next()?.event == .monitorStopped)
        monitorB.close()
        let error = #expect(throws: ZeroMQError.self) { try monitorB.next(dontWait: true) }
        #expect(error?.isSocketClosed == true)
        a.close()
        try monitorA.socket.set(.receiveTimeout(.seconds(5)))
        #expect(try monitorA.next()?.event == .monitorStopped, "closing the watched socket stops its monitor")
    }
}
