import Testing
import ZeroMQ

@Suite struct MessagingTests {
    let context = try! Context()

    /// A deterministic payload of `size` bytes that differs per (message, frame).
    static func pattern(_ size: Int, seed: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed &* 7 &+ ($0 >> 8)) }
    }

    @Test(arguments: Transport.allCases)
    func multipartMessagesArriveWholeAndInOrder(transport: Transport) throws {
        let pull = try Socket(context, .pull)
        let push = try Socket(context, .push)
        try link(pull, push, over: transport)
        try pull.set(.receiveTimeout(.seconds(5)))
        var sent: [[[UInt8]]] = []
        for i in 0..<200 {
            let parts = (0...(i % 5)).map { Self.pattern(i % 7 * 10 + $0, seed: i * 10 + $0) }
            sent.append(parts)
            #expect(try push.send(multipart: parts))
        }
        for expected in sent {
            #expect(try pull.receiveMessage() == expected)
        }
        #expect(try pull.receiveMessage(dontWait: true) == nil)
    }

    @Test(arguments: Transport.allCases, [0, 1, 33, 255, 4096, 65_536, 1 << 20])
    func framesFromEmptyToOneMebibyteArriveIntact(transport: Transport, size: Int) throws {
        let pull = try Socket(context, .pull)
        let push = try Socket(context, .push)
        try link(pull, push, over: transport)
        try pull.set(.receiveTimeout(.seconds(10)))
        let payload = Self.pattern(size, seed: size)
        try push.send(multipart: [Array("t".utf8), payload])
        let buffer = MessageBuffer(capacity: 2)
        #expect(try pull.receive(into: buffer))
        #expect(buffer.frameCount == 2)
        #expect(Array(buffer.frame(0)) == Array("t".utf8))
        #expect(buffer.frame(1).count == size)
        #expect(buffer.copyFrame(1) == payload)
    }

    @Test(arguments: [0, 1, 15, 16, 17, 100])
    func receiveIntoASmallBufferNeverWritesPastIt(size: Int) throws {
        let pull = try Socket(context, .pull)
        let push = try Socket(context, .push)
        try link(pull, push, over: .inproc)
        try push.send(Self.pattern(size, seed: 3))
        let guardByte: UInt8 = 0xEE
        var storage = [UInt8](repeating: guardByte, count: 64)
        let frame = try storage.withUnsafeMutableBytes { raw in
            try pull.receive(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<16]))
        }
        let received = try #require(frame)
        #expect(received.size == size)
        #expect(received.copied == min(size, 16))
        #expect(received.isTruncated == (size > 16))
        #expect(!received.more)
        #expect(Array(storage[0..<received.copied]) == Array(Self.pattern(size, seed: 3).prefix(16)))
        #expect(storage[16...].allSatisfy { $0 == guardByte }, "bytes past the buffer were written")
    }

    @Test func extraFramesBeyondABufferAreCountedAndTheNextMessageStartsCleanly() throws {
        let pull = try Socket(context, .pull)
        let push = try Socket(context, .push)
        try link(pull, push, over: .inproc)
        try push.send(multipart: [[1], [2], [3], [4]])
        try push.send(multipart: [[5], [6]])
        try push.send(multipart: [[7]])
        let buffer = MessageBuffer(capacity: 2)
        #expect(try pull.receive(into: buffer))
        #expect(buffer.frameCount == 4)
        #expect(buffer.copyFrame(0) == [1] && buffer.copyFrame(1) == [2])
        #expect(try pull.receive(into: buffer))
        #expect(buffer.frameCount == 2)
        #expect(buffer.copyFrame(0) == [5] && buffer.copyFrame(1) == [6])
        #expect(try pull.receive(into: buffer))
        #expect(buffer.frameCount == 1)
        #expect(buffer.copyFrame(0) == [7])
        #expect(try !pull.receive(into: buffer, dontWait: true))
    }

    @Test func nonBlockingCallsReturnNilOrFalseInsteadOfThrowing() throws {
        let pull = try Socket(context, .pull)
        try pull.bind(Transport.inproc.bindEndpoint())
        #expect(try pull.receiveMessage(dontWait: true) == nil)
        var byte: UInt8 = 0
        #expect(try withUnsafeMutableBytes(of: &byte) { try pull.receive(into: $0, dontWait: true) } == nil)
        let push = try Socket(context, .push)  // no peer: nothing can be queued
        #expect(try push.send([1, 2, 3], dontWait: true) == false)
        #expect(try push.send(multipart: [[1], [2]], dontWait: true) == false)
        try pull.set(.receiveTimeout(.milliseconds(20)))
        #expect(try pull.receiveMessage() == nil, "a receive timeout is a normal outcome")
    }

    @Test func topicPrefixSubscriptionsFilter() throws {
        let xpub = try Socket(context, .xpub)
        let sub = try Socket(context, .sub)
        try link(xpub, sub, over: .tcp)
        try sub.subscribe("alert.")
        #expect(try awaitSubscription(on: xpub) == [1] + Array("alert.".utf8))
        try xpub.send(multipart: [Array("tick.AAPL".utf8), [1]])
        try xpub.send(multipart: [Array("alert.AAPL".utf8), [2]])
        try sub.set(.receiveTimeout(.seconds(5)))
        #expect(try sub.receiveMessage() == [Array("alert.AAPL".utf8), [2]])
        try sub.set(.receiveTimeout(.milliseconds(50)))
        #expect(try sub.receiveMessage() == nil)
    }

    @Test func aSenderOverTheMaximumMessageSizeIsDisconnected() throws {
        let pull = try Socket(context, .pull)
        try pull.set(.maxMessageSize(1024))
        let monitorEndpoint = "inproc://monitor-maxmsg"
        try pull.monitor(monitorEndpoint, events: [.accepted, .disconnected])
        let monitor = try Socket(context, .pair)
        try monitor.connect(monitorEndpoint)
        try monitor.set(.receiveTimeout(.seconds(5)))
        let push = try Socket(context, .push)
        try link(pull, push, over: .tcp)
        #expect(try monitor.receiveMonitorEvent()?.event == .accepted)
        try push.send(Self.pattern(1024, seed: 1))  // at the limit: fine
        try pull.set(.receiveTimeout(.seconds(5)))
        #expect(try pull.receiveMessage()?.first?.count == 1024)
        try push.send(Self.pattern(2048, seed: 2))  // over the limit
        let event = try #require(try monitor.receiveMonitorEvent())
        #expect(event.event == .disconnected)
        try pull.set(.receiveTimeout(.milliseconds(100)))
        #expect(try pull.receiveMessage() == nil, "the oversized message must never be delivered")
    }

    @Test func pubDropsAtTheHighWaterMarkAndTheDropIsObservable() throws {
        let xpub = try Socket(context, .xpub)
        try xpub.set(.sendHighWaterMark(10))
        let sub = try Socket(context, .sub)
        try sub.set(.receiveHighWaterMark(10))
        try link(xpub, sub, over: .inproc)
        try sub.subscribe("")
        _ = try awaitSubscription(on: xpub)
        let sent = 10_000
        for i in 0..<sent {
            #expect(try xpub.send(multipart: [[UInt8(i % 256)], [UInt8(i / 256 % 256)]], dontWait: true))
        }
        var received = 0
        while let message = try sub.receiveMessage(dontWait: true) {
            #expect(message.count == 2, "a dropped message is dropped whole, never split")
            received += 1
        }
        #expect(received > 0)
        #expect(received < sent / 10, "PUB drops beyond the high-water mark: got \(received) of \(sent)")
    }

    @Test func xpubNoDropReportsWouldBlockAtTheHighWaterMark() throws {
        let xpub = try Socket(context, .xpub)
        try xpub.set(.sendHighWaterMark(10))
        try xpub.set(.xpubNoDrop(true))
        let sub = try Socket(context, .sub)
        try sub.set(.receiveHighWaterMark(10))
        try link(xpub, sub, over: .inproc)
        try sub.subscribe("")
        _ = try awaitSubscription(on: xpub)
        var accepted = 0
        while try xpub.send(multipart: [[1], [2]], dontWait: true) {
            accepted += 1
            #expect(accepted < 10_000, "no-drop XPUB never reported a full queue")
            if accepted >= 10_000 { break }
        }
        var received = 0
        while try sub.receiveMessage(dontWait: true) != nil { received += 1 }
        #expect(received == accepted, "every message accepted by a no-drop XPUB is delivered")
    }

    @Test func pollReportsTheReadySocketAndTimesOut() throws {
        let a = try Socket(context, .pull)
        let b = try Socket(context, .pull)
        let pushB = try Socket(context, .push)
        try a.bind(Transport.inproc.bindEndpoint())
        try link(b, pushB, over: .inproc)
        let poller = Poller()
        let ia = try poller.add(a)
        let ib = try poller.add(b)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try poller.poll(timeout: .milliseconds(50)) == 0)
        #expect(clock.now - start >= .milliseconds(40))
        try pushB.send([9])
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.events(at: ia).isEmpty)
        #expect(poller.events(at: ib).contains(.readable))
        a.close()
        #expect(throws: ZeroMQError.self) { try poller.poll(timeout: .zero) }
    }
}
