/// CRC-32C (Castagnoli): polynomial 0x1EDC6F41, reflected (0x82F63B78), initial value and final XOR
/// 0xFFFFFFFF — the checksum of iSCSI (RFC 3720), ext4 and Aeron. `CRC32C.checksum("123456789")` is
/// 0xE3069283.
///
/// Table-driven, slicing by eight: eight 256-entry tables (8 KiB, built once, never freed), eight bytes
/// per step.
/// - Complexity: O(n), one table step per byte at worst; no allocation after the tables.
public enum CRC32C {
    /// `table[k * 256 + b]`: the CRC of byte `b` followed by `k` zero bytes.
    nonisolated(unsafe) private static let table: UnsafePointer<UInt32> = {
        // nonisolated(unsafe): written once by this initialiser (Swift runs it exactly once), read-only after.
        let t = UnsafeMutablePointer<UInt32>.allocate(capacity: 8 * 256)
        for b in 0..<256 {
            var crc = UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[b] = crc
        }
        for k in 1..<8 {
            for b in 0..<256 {
                let previous = t[(k - 1) * 256 + b]
                t[k * 256 + b] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return UnsafePointer(t)
    }()

    /// The CRC-32C of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        ~update(0xFFFF_FFFF, bytes)
    }

    /// The CRC-32C of `bytes` (copies them once if they are not contiguous).
    public static func checksum(_ bytes: some Collection<UInt8>) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0)) }) { return crc }
        return Array(bytes).withUnsafeBytes { checksum($0) }
    }

    /// Continues a running CRC (before the final inversion) over more bytes.
    static func update(_ start: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let t = table
        var crc = start
        var i = 0
        let n = bytes.count
        while n - i >= 8 {
            let lo = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ crc
            let hi = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
            let a = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
            let b = t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
            let c = t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
            let d = t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
            crc = a ^ b ^ c ^ d
            i += 8
        }
        while i < n {
            crc = (crc >> 8) ^ t[Int((crc ^ UInt32(bytes[i])) & 0xFF)]
            i += 1
        }
        return crc
    }
}
