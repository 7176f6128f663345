internal import CZeroMQ

/// What one frame received into a caller's buffer looked like.
public struct ReceivedFrame: Sendable, Hashable {
    /// The frame's full size in bytes, which may exceed the buffer.
    public var size: Int
    /// Bytes actually written into the buffer: `min(size, buffer.count)`.
    public var copied: Int
    /// More frames of the same message follow.
    public var more: Bool
    /// The frame was larger than the buffer and was cut to `copied` bytes.
    public var isTruncated: Bool { size > copied }
}

extension Socket {
    /// Receives one frame into `buffer`, copying at most `buffer.count` bytes: a larger frame is cut,
    /// never written past the buffer, and reported by `ReceivedFrame.isTruncated`.
    ///
    /// - Returns: `nil` when `dontWait` is set and nothing is waiting (or a receive timeout expired).
    /// - Complexity: O(min(size, buffer.count)); no allocation.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, dontWait: Bool = false) throws(ZeroMQError)
        -> ReceivedFrame?
    {
        let h = try live("receive")
        let flags = dontWait ? ZMQ_DONTWAIT : 0
        while true {
            let n = zmq_recv(h, buffer.baseAddress, buffer.count, flags)
            if n >= 0 {
                let size = Int(n)
                return ReceivedFrame(size: size, copied: min(size, buffer.count), more: try hasMoreFrames)
            }
            let code = zmq_errno()
            if code == ZeroMQError.interrupted { continue }
            if code == ZeroMQError.wouldBlock { return nil }
            throw ZeroMQError(code: code, operation: "receive")
        }
    }

    /// Receives a whole multipart message as arrays, one per frame.
    ///
    /// - Returns: `nil` when `dontWait` is set and nothing is waiting (or a receive timeout expired).
    /// - Complexity: allocates one array per frame; use `receive(into: MessageBuffer)` on hot paths.
    public func receiveMessage(dontWait: Bool = false) throws(ZeroMQError) -> [[UInt8]]? {
        var frames: [[UInt8]] = []
        var first = true
        while true {
            guard try receiveFrame(scratch, dontWait: dontWait && first) else { return nil }
            first = false
            let size = zmq_msg_size(scratch)
            let data = zmq_msg_data(scratch)
            frames.append(size == 0 ? [] : Array(UnsafeRawBufferPointer(start: data, count: size)))
            if zmq_msg_more(scratch) == 0 { return frames }
        }
    }

    /// Receives a whole multipart message into `buffer`, reusing its libzmq messages: no copy and no
    /// Swift allocation per frame. Frames beyond the buffer's capacity are received and released (so the
    /// next call starts at a message boundary) but still counted in `buffer.frameCount`.
    ///
    /// - Returns: `false` when `dontWait` is set and nothing is waiting (or a receive timeout expired).
    public func receive(into buffer: MessageBuffer, dontWait: Bool = false) throws(ZeroMQError) -> Bool {
        var count = 0
        while true {
            let target = count < buffer.capacity ? buffer.messages + count : scratch
            guard try receiveFrame(target, dontWait: dontWait && count == 0) else { return false }
            count += 1
            if zmq_msg_more(target) == 0 { break }
        }
        buffer.frameCount = count
        return true
    }

    /// One frame into `message` (whose previous content libzmq releases). False only on would-block.
    func receiveFrame(_ message: UnsafeMutablePointer<zmq_msg_t>, dontWait: Bool) throws(ZeroMQError) -> Bool {
        let h = try live("receive")
        let flags = dontWait ? ZMQ_DONTWAIT : 0
        while true {
            if zmq_msg_recv(message, h, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == ZeroMQError.interrupted { continue }
            if code == ZeroMQError.wouldBlock { return false }
            throw ZeroMQError(code: code, operation: "receive")
        }
    }
}

/// Reusable storage for received multipart messages: a fixed set of libzmq messages that each
/// `Socket.receive(into:)` refills in place.
///
/// Not thread-safe: owned by the thread that owns the socket. Frame views are valid until the next
/// receive into this buffer.
public final class MessageBuffer {
    /// How many frames are kept; further frames of a message are counted and released.
    public let capacity: Int
    /// Frames in the last message received, including any beyond `capacity`.
    public internal(set) var frameCount = 0
    let messages: UnsafeMutablePointer<zmq_msg_t>

    /// - Parameter capacity: frames kept per message (at least 1). The wire contract has two.
    public init(capacity: Int = 2) {
        precondition(capacity >= 1, "a MessageBuffer keeps at least one frame")
        self.capacity = capacity
        messages = .allocate(capacity: capacity)
        for i in 0..<capacity { zmq_msg_init(messages + i) }
    }

    deinit {
        for i in 0..<capacity { zmq_msg_close(messages + i) }
        messages.deallocate()
    }

    /// The bytes of frame `index` of the last message, valid until the next receive into this buffer.
    /// - Precondition: `index < min(frameCount, capacity)`.
    public func frame(_ index: Int) -> UnsafeRawBufferPointer {
        precondition(index < min(frameCount, capacity), "frame index out of range")
        let message = messages + index
        return UnsafeRawBufferPointer(start: zmq_msg_data(message), count: zmq_msg_size(message))
    }

    /// A copy of frame `index`.
    public func copyFrame(_ index: Int) -> [UInt8] {
        Array(frame(index))
    }
}
