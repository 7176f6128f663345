import Foundation
import Testing
import ZeroMQ

/// Closing sockets and terminating contexts in any order must never hang; each case is bounded.
@Suite struct LifecycleTests {
    @Test func closeIsIdempotentAndUseAfterCloseIsAnError() throws {
        let context = try Context()
        let socket = try Socket(context, .pub)
        socket.close()
        socket.close()
        #expect(socket.isClosed)
        let error = #expect(throws: ZeroMQError.self) { try socket.bind("inproc://closed") }
        #expect(error?.isSocketClosed == true)
        #expect(throws: ZeroMQError.self) { try socket.send([1]) }
        #expect(throws: ZeroMQError.self) { try socket.sendHighWaterMark }
    }

    @Test(arguments: Transport.allCases)
    func closingWithUnsentMessagesThenReleasingTheContextDoesNotHang(transport: Transport) throws {
        expectFinishes(within: 5) {
            let context = try! Context()
            let push = try! Socket(context, .push)
            try! push.set(.sendHighWaterMark(1000))
            // Connect to an endpoint nobody binds: messages queue and can never be delivered.
            switch transport {
            case .inproc: try! push.connect("inproc://nobody-\(transport)")
            case .ipc: try! push.connect(Transport.ipc.bindEndpoint())
            case .tcp: try! push.connect("tcp://127.0.0.1:1")
            }
            for _ in 0..<100 { _ = try! push.send([1, 2, 3], dontWait: true) }
            push.close()
        }
    }

    /// With the caller's last reference to the context gone, the socket still holds it: the context is
    /// alive and the socket moves messages both ways.
    @Test func theSocketKeepsItsContextAlive() throws {
        weak var released: Context?
        var socket: Socket?
        do {
            let context = try Context()
            released = context
            socket = try Socket(context, .pair)
        }
        #expect(released != nil, "the socket must retain its context")
        let kept = try #require(socket)
        try kept.set(.sendTimeout(.seconds(10)))
        try kept.set(.receiveTimeout(.seconds(10)))
        try kept.bind("tcp://127.0.0.1:*")
        let peer = try Socket(try Context(), .pair)
        try peer.set(.sendTimeout(.seconds(10)))
        try peer.set(.receiveTimeout(.seconds(10)))
        try peer.connect(try kept.lastEndpoint)
        #expect(try kept.send([1, 2, 3]))
        #expect(try peer.receiveMessage() == [[1, 2, 3]])
        #expect(try peer.send([4]))
        #expect(try kept.receiveMessage() == [[4]])
    }

    /// The other half of the contract: releasing the last socket releases (and terminates) its context.
    @Test func releasingTheLastSocketReleasesTheContext() throws {
        weak var released: Context?
        var socket: Socket?
        do {
            let context = try Context()
            released = context
            socket = try Socket(context, .pub)
            try socket?.bind("tcp://127.0.0.1:*")
        }
        #expect(released != nil)
        socket = nil
        #expect(released == nil, "the context outlived its last socket")
    }

    @Test func shutdownWakesABlockedReceiverWithContextTerminated() throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.bind(Transport.inproc.bindEndpoint())
        let outcome = Box<ZeroMQError?>(nil)
        let worker = TestThread {
            do throws(ZeroMQError) {
                _ = try pull.receiveMessage()
            } catch {
                outcome.value = error
            }
            pull.close()
        }
        Thread.sleep(forTimeInterval: 0.05)
        context.shutdown()
        #expect(worker.wait(timeout: 5), "a blocked receive must wake on shutdown")
        #expect(outcome.value?.isContextTerminated == true)
    }

    @Test func shutdownBeforeCloseThenCloseThenReleaseDoesNotHang() throws {
        expectFinishes(within: 5) {
            let context = try! Context()
            let pub = try! Socket(context, .pub)
            let sub = try! Socket(context, .sub)
            try! pub.bind("tcp://127.0.0.1:*")
            try! sub.connect(try! pub.lastEndpoint)
            context.shutdown()
            context.shutdown()
            #expect(throws: ZeroMQError.self) { try Socket(context, .pair) }
            sub.close()
            pub.close()
        }
    }

    @Test func socketsClosedInEitherOrderAcrossThreadsNeverHang() throws {
        for order in 0..<2 {
            expectFinishes(within: 5) {
                let context = try! Context()
                let a = try! Socket(context, .pair)
                let b = try! Socket(context, .pair)
                try! a.bind("inproc://order-\(order)")
                try! b.connect("inproc://order-\(order)")
                try! a.send([1])
                let closer = TestThread { (order == 0 ? a : b).close() }
                (order == 0 ? b : a).close()
                _ = closer.wait(timeout: 5)
            }
        }
    }
}
