import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// Noise when quiet is what makes a desk switch alerts off. Six symbols with exactly normal returns at
/// 20 % annualised for 30 minutes of event time, quoted on a one-cent grid: the default pipeline raises
/// no volatility and no VaR alert at all (before horizon VaR, such a feed drew 13.5 false var_breach
/// warnings a minute).
@Suite struct QuietMarketTests {
    @Test func aNormalMarketAt20PercentRaisesNoRiskAlerts() throws {
        let harness = try EngineHarness.risk {
            $0.learning.enabled = false
            $0.publish.riskSnapshotMilliseconds = 20
        }
        let symbols = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
        let step = 0.25  // seconds between a symbol's ticks
        let sigma = 0.20 / (252 * 6.5 * 3600).squareRoot() * step.squareRoot()
        var rng = Xoshiro256(seed: 21)
        var logMids = symbols.map { _ in log(100.0) }
        var events: [WireEvent] = []
        let steps = Int(30 * 60 / step)
        for i in 0..<steps {
            for (k, symbol) in symbols.enumerated() {
                logMids[k] += sigma * rng.nextGaussian()
                let mid = (exp(logMids[k]) * 100).rounded() / 100  // a one-cent grid
                events.append(Tape.tick(symbol, ms: Int64(Double(i) * step * 1_000) + Int64(k), mid: mid, seq: UInt64(i + 1)))
            }
        }
        try harness.send(events)
        let snapshot = try #require(try harness.snapshot(of: "AAA"))
        let raised = harness.streamAlerts.filter { $0.state == .raised }
        let risk = raised.filter { [.volatility, .varBreach, .drawdown].contains($0.kind) }
        #expect(risk.isEmpty, "\(risk.map(\.message))")
        // The estimate itself is right: about 20 % annualised, not thousands of percent.
        let volatility = try #require(snapshot.volatility)
        #expect(volatility > 0.12 && volatility < 0.30, "\(volatility)")
        #expect(snapshot.horizons.first?.windows ?? 0 >= 20, "\(snapshot.horizons)")
    }
}
