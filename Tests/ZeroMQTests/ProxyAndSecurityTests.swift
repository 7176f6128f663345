import Testing
import ZeroMQ

@Suite struct ProxyAndSecurityTests {
    let context = try! Context()

    @Test func steerableProxyForwardsXSUBToXPUBAndTerminatesOnCommand() throws {
        let frontend = try Socket(context, .xsub)
        let backend = try Socket(context, .xpub)
        let control = try Socket(context, .pair)
        try frontend.bind("tcp://127.0.0.1:*")
        try backend.bind("tcp://127.0.0.1:*")
        try control.bind("inproc://proxy-control")
        let steer = try Socket(context, .pair)
        try steer.connect("inproc://proxy-control")
        let frontEndpoint = try frontend.lastEndpoint
        let backEndpoint = try backend.lastEndpoint

        let failure = Box<ZeroMQError?>(nil)
        let proxy = TestThread {
            do throws(ZeroMQError) { try Proxy.run(frontend: frontend, backend: backend, control: control) } catch {
                failure.value = error
            }
        }
        let publisher = try Socket(context, .xpub)  // sees the subscription forwarded through the proxy
        try publisher.connect(frontEndpoint)
        let subscriber = try Socket(context, .sub)
        try subscriber.connect(backEndpoint)
        try subscriber.subscribe("risk.")
        #expect(try awaitSubscription(on: publisher) == [1] + Array("risk.".utf8))
        try subscriber.set(.receiveTimeout(.seconds(5)))
        for i in 0..<10 {
            try publisher.send(multipart: [Array("risk.ES".utf8), [UInt8(i)]])
        }
        for i in 0..<10 {
            #expect(try subscriber.receiveMessage() == [Array("risk.ES".utf8), [UInt8(i)]])
        }
        try Proxy.send(.terminate, on: steer)
        #expect(proxy.wait(timeout: 5), "the proxy must stop on TERMINATE")
        #expect(failure.value == nil)
    }

    @Test func curveEncryptedPubSubDeliversOnlyToAClientWithTheServerKey() throws {
        let serverKeys = try CurveKeyPair.generate()
        let pub = try Socket(context, .xpub)
        try pub.set(.curveServer(true))
        try pub.set(.curveSecretKey(serverKeys.secretKey))
        try pub.bind("tcp://127.0.0.1:*")
        let endpoint = try pub.lastEndpoint

        func client(trusting serverKey: CurveKey) throws -> Socket {
            let keys = try CurveKeyPair.generate()
            let sub = try Socket(context, .sub)
            try sub.set(.curveServerKey(serverKey))
            try sub.set(.curvePublicKey(keys.publicKey))
            try sub.set(.curveSecretKey(keys.secretKey))
            try sub.connect(endpoint)
            try sub.subscribe("")
            return sub
        }
        let good = try client(trusting: serverKeys.publicKey)
        let impostorKey = try CurveKeyPair.generate().publicKey
        let bad = try client(trusting: impostorKey)
        #expect(try awaitSubscription(on: pub) == [1])
        try pub.send(multipart: [Array("alert.X".utf8), [42]])
        try good.set(.receiveTimeout(.seconds(5)))
        #expect(try good.receiveMessage() == [Array("alert.X".utf8), [42]])
        try bad.set(.receiveTimeout(.milliseconds(200)))
        #expect(try bad.receiveMessage() == nil, "a client with the wrong server key must not receive")
    }
}
