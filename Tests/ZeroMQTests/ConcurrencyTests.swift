import Testing
import ZeroMQ

/// Run under `swift test --sanitize=thread` by the test script: one shared context, sockets created on
/// one thread and used on another, several threads at once.
@Suite struct ConcurrencyTests {
    @Test func manyThreadsShareOneContextWithTheirOwnSockets() throws {
        let context = try Context(ioThreads: 2)
        let pull = try Socket(context, .pull)
        try pull.bind("inproc://fan-in")
        try pull.set(.receiveTimeout(.seconds(10)))
        let threads = 4
        let perThread = 5_000
        // Sockets made here, handed to the worker threads, used only there.
        let pushes = try (0..<threads).map { _ in try Socket(context, .push) }
        let workers = pushes.enumerated().map { index, push in
            TestThread {
                try! push.connect("inproc://fan-in")
                for i in 0..<perThread {
                    try! push.send(multipart: [[UInt8(index)], withUnsafeBytes(of: UInt32(i).littleEndian, Array.init)])
                }
                push.close()
            }
        }
        var next = [UInt32](repeating: 0, count: threads)
        for _ in 0..<(threads * perThread) {
            let message = try #require(try pull.receiveMessage())
            let sender = Int(message[0][0])
            let value = message[1].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            #expect(value == next[sender], "per-sender order is kept")
            next[sender] = value + 1
        }
        for worker in workers { #expect(worker.wait(timeout: 10)) }
        #expect(next == [UInt32](repeating: UInt32(perThread), count: threads))
    }

    @Test func contextsAndSocketsCreatedAndDestroyedConcurrently() throws {
        let workers = (0..<4).map { index in
            TestThread {
                for round in 0..<50 {
                    let context = try! Context()
                    let a = try! Socket(context, .pair)
                    let b = try! Socket(context, .pair)
                    try! a.bind("inproc://churn-\(index)-\(round)")
                    try! b.connect("inproc://churn-\(index)-\(round)")
                    try! a.send([UInt8(round)])
                    try! b.set(.receiveTimeout(.seconds(5)))
                    precondition(try! b.receiveMessage() == [[UInt8(round)]])
                }
            }
        }
        for worker in workers { #expect(worker.wait(timeout: 20)) }
    }
}
