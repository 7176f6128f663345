import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// Streams for the risk-stage tests: events at event time `start + ms`, written by each test.
enum Tape {
    static let start: Int64 = 1_700_000_000_000_000_000

    /// Event time `ms` milliseconds after `start`, in nanoseconds.
    static func ts(_ ms: Int64) -> Int64 { start + ms * 1_000_000 }

    /// A tick at `ms` with a quote `spreadBps` wide around `mid`.
    static func tick(_ symbol: String, ms: Int64, mid: Double, seq: UInt64, spreadBps: Double = 2) -> WireEvent {
        let half = mid * spreadBps / 20_000
        return .tick(
            Tick(
                symbol: symbol, ts: ts(ms), price: mid, size: 100, bid: mid - half, ask: mid + half, bidSize: 500,
                askSize: 500, seq: seq))
    }

    /// An index and stocks with known betas to it, one tick each per second of event time (the stocks 1 ms
    /// after the index): `seconds` ticks per symbol from `ms = 1_000`.
    static func pairs(
        index: String = "IDX", betas: [(symbol: String, beta: Double)], seconds: Int, seed: UInt64 = 11
    ) -> (events: [WireEvent], lastMs: Int64, prices: [String: Double]) {
        var rng = Xoshiro256(seed: seed)
        var level = 4_000.0
        var prices = Dictionary(uniqueKeysWithValues: betas.map { ($0.symbol, 50.0) })
        var events: [WireEvent] = []
        var ms: Int64 = 0
        for i in 0..<seconds {
            let market = 2e-4 * rng.nextGaussian()
            level *= Foundation.exp(market)
            ms += 1_000
            events.append(tick(index, ms: ms, mid: level, seq: UInt64(i + 1)))
            for (k, leg) in betas.enumerated() {
                prices[leg.symbol]! *= Foundation.exp(leg.beta * market + 1e-4 * rng.nextGaussian())
                events.append(tick(leg.symbol, ms: ms + 1 + Int64(k), mid: prices[leg.symbol]!, seq: UInt64(i + 1)))
            }
        }
        prices[index] = level
        return (events, ms + Int64(betas.count), prices)
    }
}

extension EngineHarness {
    /// A harness for the risk stage: wall-clock staleness and jump quarantine out of the way (so alerts
    /// depend on the stream alone), then `configure`.
    static func risk(_ configure: (inout Pipeline) -> Void = { _ in }) throws -> EngineHarness {
        try EngineHarness {
            $0.dataQuality.staleAfterMilliseconds = 86_400_000
            $0.dataQuality.jumpSigmas = 1_000
            configure(&$0)
        }
    }

    func send(_ events: [WireEvent]) throws {
        for event in events { try send(event) }
    }

    /// A barrier: sends a crossed quote on a fresh symbol and waits for its `data_quality` alert. The
    /// compute thread handles events in order and publishes in order, so once that alert arrives every
    /// message caused by what was sent before it has arrived too. Fails the test (and stops it) if the
    /// alert does not come within `seconds`.
    func sync(within seconds: Double = 120, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let symbol = "SYNC\(alerts.filter { $0.symbol.hasPrefix("SYNC") }.count)"
        try send(
            .tick(Tick(symbol: symbol, ts: Tape.start, price: 1, size: 1, bid: 1.01, ask: 0.99, bidSize: 1, askSize: 1))
        )
        let barrier = try waitFor(seconds: seconds) {
            if case .alert(let a) = $0 { a.symbol == symbol } else { false }
        }
        try #require(
            barrier != nil, "the engine did not get through the stream in \(seconds) s", sourceLocation: sourceLocation)
    }

    /// Alerts about the stream (barrier alerts left out).
    var streamAlerts: [Alert] { alerts.filter { !$0.symbol.hasPrefix("SYNC") } }

    var hedges: [Hedge] {
        received.compactMap { if case .hedge(let h) = $0 { h } else { nil } }
    }

    /// The first `risk.<symbol>` snapshot published after everything sent so far was processed.
    func snapshot(of symbol: String, within seconds: Double = 10) throws -> RiskSnapshot? {
        try sync()
        let event = try waitFor(seconds: seconds) { if case .risk(let r) = $0 { r.symbol == symbol } else { false } }
        if case .risk(let snapshot) = event { return snapshot }
        return nil
    }
}
