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
