internal import CZeroMQ

/// A 32-byte CURVE (Curve25519) key, public or secret. Printable as Z85, libzmq's 40-character text form.
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The raw 32 bytes.
    public let bytes: [UInt8]

    /// A key from its 32 raw bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(uncheckedBytes bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A key from its 40-character Z85 text; `nil` if the text is not valid Z85 of that length.
    public init?(z85: String) {
        let text = Array(z85.utf8)
        guard text.count == 40 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        let ok = (text + [0]).withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                src.withMemoryRebound(to: CChar.self) { zmq_z85_decode(dst.baseAddress, $0.baseAddress) != nil }
            }
        }
        guard ok else { return nil }
        bytes = out
    }

    /// The 40-character Z85 text of the key.
    public var z85: String {
        var out = [CChar](repeating: 0, count: 41)
        bytes.withUnsafeBufferPointer { src in _ = zmq_z85_encode(&out, src.baseAddress, 32) }
        return String(decoding: out.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The Z85 text of a public key; a secret key prints redacted so it never reaches a log.
    public var description: String { "CurveKey(\(z85.prefix(4))…)" }
}

/// A CURVE key pair for a server or a client.
public struct CurveKeyPair: Sendable, Hashable {
    public var publicKey: CurveKey
    public var secretKey: CurveKey

    /// Generates a fresh key pair with libzmq (libsodium's random source).
    /// - Throws: `ZeroMQError` when libzmq was built without CURVE (`Context.supports("curve")`).
    public static func generate() throws(ZeroMQError) -> CurveKeyPair {
        var pub = [CChar](repeating: 0, count: 41)
        var sec = [CChar](repeating: 0, count: 41)
        if zmq_curve_keypair(&pub, &sec) != 0 { throw ZeroMQError.last("zmq_curve_keypair") }
        let text = { (chars: [CChar]) in String(decoding: chars.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CurveKeyPair(publicKey: CurveKey(z85: text(pub))!, secretKey: CurveKey(z85: text(sec))!)
    }
}
