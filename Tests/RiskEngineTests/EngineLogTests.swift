@testable import RiskEngine
import Testing

/// Log lines carry text from the wire (topics, symbols): no byte of it may act on the terminal.
@Suite struct EngineLogTests {
    @Test func controlCharactersAreEscapedNotWritten() {
        let hostile = "tick.\u{1B}[2J\u{07}A\rB\u{9B}C\u{7F}"
        let quoted = EngineLog.quote(hostile)
        #expect(quoted == #""tick.\u001b[2J\u0007A\rB\u009bC\u007f""#, "\(quoted)")
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        #expect(EngineLog.quote("plain") == "plain")
        #expect(EngineLog.quote("a b") == #""a b""#)
    }
}

extension EngineLogTests {
    @Test func bytesThatAreNotUTF8ShowAsHexAndValidTextStays() {
        let bytes: [UInt8] = Array("tick.".utf8) + [0xFF, 0xC3, 0xA9, 0xE2, 0x82, 0x41, 0xED, 0xA0, 0x80, 0x1B]
        let text = EngineLog.printable(bytes)
        // é is valid UTF-8; 0xFF, a truncated 3-byte sequence and an encoded surrogate are not.
        #expect(text == "tick.\\xffé\\xe2\\x82A\\xed\\xa0\\x80\u{1B}", "\(text)")
        #expect(EngineLog.quote(text) == #""tick.\\xffé\\xe2\\x82A\\xed\\xa0\\x80\u001b""#)
    }

    @Test func bidirectionalOverridesAndLineSeparatorsAreEscaped() {
        let spoof = "AAPL\u{202E}LPAA\u{2028}x\u{2066}"
        #expect(EngineLog.escapingControls(spoof) == #"AAPL\u202eLPAA\u2028x\u2066"#)
        #expect(EngineLog.escapingControls("plain ünïcode") == "plain ünïcode")
    }

    /// End to end: a hostile topic reaches the malformed log only in printable form.
    @Test func aHostileTopicIsKeptPrintable() throws {
        let harness = try EngineHarness()
        try harness.sendRaw([[0x74, 0x69, 0x63, 0x6B, 0x2E, 0x1B, 0x5B, 0x32, 0x4A, 0xFF, 0x07], Array("{}".utf8)])
        let heartbeat = try harness.heartbeat { $0.malformed == 1 }
        #expect(heartbeat != nil)
        let entry = try #require(harness.engine.malformedLog.recent.last)
        #expect(entry.topic == "tick.\u{1B}[2J\\xff\u{07}")
        #expect(!EngineLog.quote(entry.topic).unicodeScalars.contains { $0.value < 0x20 || $0.value == 0xFF })
    }
}
