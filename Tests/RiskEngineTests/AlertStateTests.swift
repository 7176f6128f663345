import Foundation
import MarketEvents
@testable import RiskEngine
import SeededRandom
import Testing
import ZeroMQ

/// What a desk sees of alerts as a whole: market-wide folding, and the open state a late subscriber
/// gets from the snapshot socket.
@Suite struct AlertStateTests {
    static func alert(_ symbol: String, _ kind: Alert.Kind = .volatility, _ state: Alert.State = .raised,
        severity: Alert.Severity = .warning, at seconds: Int64, value: Double = 1) -> Alert {
        Alert(
            seq: 0, ts: 0, eventTs: seconds * 1_000_000_000, symbol: symbol, kind: kind, severity: severity,
            state: state, value: value, threshold: 0.5, message: "\(symbol) \(kind.rawValue)",
            drivers: [.init(feature: "x", contribution: value)])
    }

    /// Six active symbols, three needed: the first two go out, the third opens one MARKET alert that
    /// names all three, the rest fold into it; a critical one escalates it; it clears once fewer than
    /// half of the three are still open, and later clears of folded symbols stay quiet.
    @Test func mostSymbolsAtOnceMakeOneMarketAlert() {
        var market = MarketWideAlerts(configuration: .init(minimumSymbols: 3, fraction: 0.5, windowMilliseconds: 10_000))
        var out: [Alert] = []
        for (k, symbol) in ["A", "B", "C", "D", "E"].enumerated() {
            out += market.route(Self.alert(symbol, at: Int64(k)), symbolsSeen: 6)
        }
        // The fifth symbol is two more than the market alert named: it is sent again, naming all five.
        #expect(out.map(\.symbol) == ["A", "B", "MARKET", "MARKET"])
        #expect(out[2].value == 3 && out[2].message.contains("A, B, C"), "\(out[2].message)")
        #expect(out[3].value == 5 && out[3].drivers.count == 5, "\(out[3].message)")
        #expect(Set(out[2].drivers.map(\.feature)) == ["symbol:A", "symbol:B", "symbol:C"])
        #expect(market.folded == 3)
        let escalated = market.route(Self.alert("F", severity: .critical, at: 6), symbolsSeen: 6)
        #expect(escalated.map(\.symbol) == ["MARKET"] && escalated.first?.severity == .critical)
        // Clears: A and B were published, so their clears are too; the market alert clears once fewer
        // than half of 3 symbols (so 1) remain open... of the six open now, after five clears.
        var clears: [Alert] = []
        for (k, symbol) in ["A", "B", "C", "D", "E"].enumerated() {
            clears += market.route(Self.alert(symbol, .volatility, .cleared, at: 20 + Int64(k)), symbolsSeen: 6)
        }
        #expect(clears.map(\.symbol) == ["A", "B", "MARKET"], "\(clears.map { ($0.symbol, $0.state) })")
        #expect(clears.last?.state == .cleared)
        // F was folded: its clear is not published.
        #expect(market.route(Self.alert("F", .volatility, .cleared, at: 30), symbolsSeen: 6).isEmpty)
        // Raises spread over more than the window never make a market alert; data_quality is never folded.
        var spread: [Alert] = []
        for (k, symbol) in ["A", "B", "C", "D"].enumerated() {
            spread += market.route(Self.alert(symbol, .drawdown, at: 100 + 20 * Int64(k)), symbolsSeen: 6)
            spread += market.route(Self.alert(symbol, .dataQuality, at: 100 + Int64(k)), symbolsSeen: 6)
        }
        #expect(!spread.contains { $0.symbol == "MARKET" } && spread.count == 8)
    }

    /// A subscriber that joins after a drawdown was raised asks the snapshot socket and gets that alert
    /// (the very message published, same seq) and each symbol's newest risk snapshot, then the end
    /// marker with the last seq; once the drawdown clears, it is no longer in the snapshot.
    @Test func aLateSubscriberLearnsWhichAlertsAreOpen() throws {
        let harness = try EngineHarness.risk {
            $0.learning.enabled = false
            $0.publish.riskSnapshotMilliseconds = 20
            $0.publish.snapshotEndpoint = "tcp://127.0.0.1:*"
            $0.risk.drawdown = .init(warning: 0.02, critical: 0.5, hysteresis: 0.2, minimumDwellMilliseconds: 0)
        }
        var mid = 100.0
        var seq: UInt64 = 0
        func send(_ n: Int, step: Double) throws {
            for _ in 0..<n {
                seq += 1
                mid *= Foundation.exp(step)
                try harness.send(Tape.tick("ACME", ms: Int64(seq) * 1_000, mid: mid, seq: seq))
            }
        }
        try send(10, step: 0)
        try send(5, step: -0.006)  // 3 % below the high-water mark
        _ = try harness.snapshot(of: "ACME")
        let raised = try #require(harness.streamAlerts.first { $0.kind == .drawdown && $0.state == .raised })

        let context = try Context()
        let client = try Socket(context, .dealer)
        try client.set(.receiveTimeout(.seconds(10)))
        try client.connect(try #require(harness.engine.snapshotEndpoint))
        func ask(_ prefix: String) throws -> (messages: [WireEvent], lastSeq: UInt64) {
            _ = try client.send(prefix)
            let frames = try #require(try client.receiveMessage(), "no snapshot reply")
            #expect(frames.count % 2 == 0 && frames.count >= 2)
            let codec = WireCodec()
            var messages: [WireEvent] = []
            for pair in stride(from: 0, to: frames.count - 2, by: 2) {
                messages.append(try codec.decode(frames: [frames[pair], frames[pair + 1]]))
            }
            #expect(String(decoding: frames[frames.count - 2], as: UTF8.self) == "snapshot.end")
            let end = String(decoding: frames[frames.count - 1], as: UTF8.self)
            let lastSeq = UInt64(end.split(separator: ":").last!.dropLast()) ?? 0
            return (messages, lastSeq)
        }
        let all = try ask("")
        let open = all.messages.compactMap { if case .alert(let a) = $0 { a } else { nil } }
        #expect(open.contains { $0 == raised }, "the alert exactly as published: \(open)")
        #expect(all.messages.contains { if case .risk(let r) = $0 { r.symbol == "ACME" } else { false } })
        #expect(all.lastSeq >= raised.seq)
        let alertsOnly = try ask("alert.")
        #expect(alertsOnly.messages.allSatisfy { $0.topic.hasPrefix("alert.") } && !alertsOnly.messages.isEmpty)

        try send(5, step: 0.007)  // back to the high-water mark: cleared
        try harness.sync()
        #expect(harness.streamAlerts.contains { $0.kind == .drawdown && $0.state == .cleared })
        let after = try ask("alert.ACME")
        #expect(!after.messages.contains { if case .alert(let a) = $0 { a.kind == .drawdown } else { false } })
    }
}
