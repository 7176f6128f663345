import MarketEvents
import SeededRandom
import Testing

/// Seeded mutation fuzzing of both decoders: 16 chunks x 62,500 = 1,000,000 payloads. Nothing may
/// crash, and every accepted payload must satisfy the independent `ContractChecker` and re-encode
/// (both encodings) to an event that decodes to itself bit for bit.
@Suite struct FuzzTests {
    static let chunks = 16
    static let payloadsPerChunk = 62_500

    @Test(arguments: 0..<chunks)
    func mutatedPayloadsNeverCrashAndNeverBreakTheContract(chunk: Int) throws {
        var fuzzer = Fuzzer(seed: 0xF022_0000 + UInt64(chunk))
        let codec = WireCodec()
        var accepted = 0
        var rejected = 0
        var previous = WireCodec.encodeJSON(fuzzer.generator.anyEvent())
        var done = 0
        while done < Self.payloadsPerChunk {
            let event = fuzzer.generator.anyEvent()
            let topic = fuzzer.generator.topic(for: event)
            let valid = fuzzer.chance(0.5) ? WireCodec.encodeJSON(event) : WireCodec.encodeBinary(event)
            for _ in 0..<8 {
                let payload = fuzzer.mutate(valid, other: previous)
                let usedTopic = fuzzer.chance(0.03) ? fuzzer.mutateTopic(topic) : topic
                done += 1
                let decoded: WireEvent
                do {
                    decoded = try codec.decode(topic: Array(usedTopic.utf8), payload: payload)
                } catch {
                    rejected += 1
                    continue
                }
                accepted += 1
                let problems = ContractChecker.violations(of: decoded, topic: usedTopic)
                #expect(problems.isEmpty, "accepted \(decoded) on \(usedTopic): \(problems) from \(payload)")
                for encoded in [WireCodec.encodeJSON(decoded), WireCodec.encodeBinary(decoded)] {
                    let again = try codec.decode(topic: Array(usedTopic.utf8), payload: encoded)
                    #expect(identical(again, decoded), "re-encoding changed \(decoded)")
                }
                if !problems.isEmpty { return }
            }
            previous = valid
        }
        #expect(accepted + rejected == done)
        #expect(accepted > 0 && rejected > done / 2, "accepted \(accepted), rejected \(rejected)")
    }
}

struct Fuzzer {
    var generator: EventGenerator
    var rng: Xoshiro256

    init(seed: UInt64) {
        generator = EventGenerator(seed: seed)
        rng = Xoshiro256(seed: seed ^ 0xABCD)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }

    mutating func chance(_ p: Double) -> Bool { rng.nextUnitDouble() < p }

    static let interestingBytes: [UInt8] = [
        0x00, 0x01, 0x1F, 0x20, 0x22, 0x2C, 0x2D, 0x2E, 0x30, 0x31, 0x39, 0x3A, 0x45, 0x5B, 0x5C, 0x5D, 0x65, 0x6E,
        0x75, 0x7B, 0x7D, 0x7F, 0x80, 0xB1, 0xBF, 0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF,
    ]

    static let tokens: [String] = [
        "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-400", "-0", "-0.0", "0", "00", "01", "1.", ".5", "1e",
        "-", "18446744073709551615", "18446744073709551616", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-1", "1.5", "0.1", "null", "true", "false", "\"\"", "\"A\"", "[]", "{}", "[\"A\"]",
        "\"\\ud800\"", "\"\\u0041\"", "\"\\\"", ",", ":", "\"price\"", "\"symbol\"", "\"ts\"", "\"seq\"", "\"type\"",
        "\"symbols\"", "\"headline\"", "\"account\"", "\"drivers\"", "\"models\"", "\"lag_ns\"", "\"sentiment\"",
        "\"size\"", "\"kind\"", "\"volatility\"", "\"raised\"",
    ]

    /// One to three mutations: bit flips, byte insert/delete/overwrite, truncation, splicing with
    /// another payload, duplicated ranges, token substitutions, or wholly random bytes.
    mutating func mutate(_ payload: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = payload
        for _ in 0..<int(1...3) {
            let position = bytes.isEmpty ? 0 : int(0...bytes.count - 1)
            switch int(0...10) {
            case 0:
                if !bytes.isEmpty { bytes[position] ^= 1 << UInt8(int(0...7)) }
            case 1:
                let byte =
                    chance(0.5) ? Self.interestingBytes[int(0...Self.interestingBytes.count - 1)] : UInt8(int(0...255))
                bytes.insert(byte, at: int(0...bytes.count))
            case 2:
                if !bytes.isEmpty { bytes.remove(at: position) }
            case 3:
                if !bytes.isEmpty { bytes[position] = Self.interestingBytes[int(0...Self.interestingBytes.count - 1)] }
            case 4:
                bytes = Array(bytes[..<int(0...bytes.count)])
            case 5:
                let cut = int(0...bytes.count)
                let otherCut = int(0...other.count)
                bytes = Array(bytes[..<cut]) + Array(other[otherCut...])
            case 6:
                if !bytes.isEmpty {
                    let start = position
                    let end = min(bytes.count, start + int(1...16))
                    bytes.insert(contentsOf: bytes[start..<end], at: int(0...bytes.count))
                }
            case 7, 8:
                bytes = substituteToken(bytes)
            case 9:
                // Binary length and count fields live in small bytes: nudge one.
                if !bytes.isEmpty { bytes[position] = bytes[position] &+ (chance(0.5) ? 1 : 255) }
            default:
                if chance(0.2) {
                    let lead: [UInt8] = [0xB1, UInt8(ascii: "{"), UInt8(ascii: " "), UInt8(ascii: "[")]
                    bytes = [lead[int(0...3)]] + (0..<int(0...40)).map { _ in UInt8(int(0...255)) }
                } else if !bytes.isEmpty {
                    bytes[position] = UInt8(int(0...255))
                }
            }
        }
        return bytes
    }

    /// Replaces a run of digits, a literal or a quoted string with a token from `tokens`.
    private mutating func substituteToken(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return bytes }
        let token = Array(Self.tokens[int(0...Self.tokens.count - 1)].utf8)
        var start = int(0...bytes.count - 1)
        func isDigitLike(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
        }
        // Prefer a number or a string starting at or after `start`.
        if let found = bytes[start...].firstIndex(where: { isDigitLike($0) || $0 == UInt8(ascii: "\"") }) {
            start = found
        }
        var end = start + 1
        if bytes[start] == UInt8(ascii: "\"") {
            while end < bytes.count && bytes[end] != UInt8(ascii: "\"") { end += 1 }
            end = min(end + 1, bytes.count)
        } else {
            while end < bytes.count && isDigitLike(bytes[end]) { end += 1 }
        }
        var result = bytes
        result.replaceSubrange(start..<end, with: token)
        return result
    }

    mutating func mutateTopic(_ topic: String) -> String {
        let options = [
            "tick.AAPL", "news.AAPL", "heartbeat", "heartbeat.x", "alert.", "risk.A B", "tick", "",
            topic + "X", String(topic.dropLast()), "hedge.AAPL", "position.AAPL", "risk.\u{e9}",
        ]
        return options[int(0...options.count - 1)]
    }
}
