import MarketEvents
import Testing

@Suite struct SymbolRuleTests {
    @Test(arguments: [
        ("AAPL", true), ("BRK.B", true), ("ES_Z6", true), (String(repeating: "X", count: 64), true),
        ("", false), ("A B", false), ("TAB\t", false), ("ÉTÉ", false), (String(repeating: "X", count: 65), false),
    ])
    func thePublicSymbolRuleIsTheDecoders(symbol: String, valid: Bool) throws {
        #expect(WireCodec.isValidSymbol(symbol) == valid)
        let payload = Array(#"{"symbol":"\#(symbol)","ts":1,"price":1}"#.utf8)
        let decoded = try? WireCodec().decode(topic: Array("tick.\(symbol)".utf8), payload: payload)
        #expect((decoded != nil) == valid, "decoding agrees with isValidSymbol for '\(symbol)'")
    }
}
