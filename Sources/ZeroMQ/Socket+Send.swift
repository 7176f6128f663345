internal import CZeroMQ

extension Socket {
    /// Sends one frame.
    ///
    /// - Parameters:
    ///   - more: more frames of the same message follow (`ZMQ_SNDMORE`).
    ///   - dontWait: return `false` instead of blocking when the message cannot be queued now.
    /// - Returns: `true` when queued; `false` only with `dontWait` when the socket would block
    ///   (or a send timeout expired).
    /// - Complexity: O(n) copy of the bytes into a libzmq message; no Swift allocation.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws(ZeroMQError)
        -> Bool
    {
        let h = try live("send")
        let flags = (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
        while true {
            if zmq_send(h, bytes.baseAddress, bytes.count, flags) >= 0 { return true }
            let code = zmq_errno()
            if code == ZeroMQError.interrupted { continue }
            if code == ZeroMQError.wouldBlock { return false }
            throw ZeroMQError(code: code, operation: "send(\(bytes.count) bytes)")
        }
    }

    /// Sends one frame from an array. See `send(_:more:dontWait:)` for the contract.
    @discardableResult
    public func send(_ bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws(ZeroMQError) -> Bool {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ZeroMQError) in try send(raw, more: more, dontWait: dontWait) }
        }
        return try result.get()
    }

    /// Sends a string's UTF-8 bytes as one frame.
    @discardableResult
    public func send(_ text: String, more: Bool = false, dontWait: Bool = false) throws(ZeroMQError) -> Bool {
        try send(Array(text.utf8), more: more, dontWait: dontWait)
    }

    /// Sends a multipart message atomically: peers receive all of its frames or none.
    ///
    /// With `dontWait`, only the first frame may report "would block" (then nothing was queued and the
    /// result is `false`); once the first frame is queued libzmq accepts the rest of the message.
    @discardableResult
    public func send(multipart frames: [[UInt8]], dontWait: Bool = false) throws(ZeroMQError) -> Bool {
        guard let last = frames.indices.last else { return true }
        for i in frames.indices {
            let ok = try send(frames[i], more: i != last, dontWait: dontWait && i == 0)
            if !ok { return false }
        }
        return true
    }

    /// Sends the two-frame `[topic, payload]` message of the wire contract without copying into arrays.
    @discardableResult
    public func send(topic: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer, dontWait: Bool = false)
        throws(ZeroMQError) -> Bool
    {
        guard try send(topic, more: true, dontWait: dontWait) else { return false }
        return try send(payload, more: false, dontWait: false)
    }
}
