import Foundation
import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// The learning and risk stage end to end, over real tcp sockets: streams written for each test go in
/// through the feed socket, and alerts, hedges and snapshots are read off the engine's PUB socket.
@Suite struct RiskStageEndToEndTests {
    static let start: Int64 = 1_700_000_000_000_000_000

    /// A tick at event time `start + ms`, with a quote `spreadBps` wide around `mid`.
    static func tick(_ symbol: String, ms: Int64, mid: Double, seq: UInt64, spreadBps: Double = 2) -> WireEvent {
        let half = mid * spreadBps / 20_000
        return .tick(
            Tick(
                symbol: symbol, ts: start + ms * 1_000_000, price: mid, size: 100, bid: mid - half, ask: mid + half,
                bidSize: 500, askSize: 500, seq: seq))
    }

    /// A calm stretch, then negative news with no sentiment (the engine scores the headline), then a
    /// volatility burst: `news_shock` is raised at the news, `volatility` after it, both with drivers.
    @Test func negativeNewsThenABurstRaisesNewsShockAndThenVolatility() throws {
        let harness = try EngineHarness {
            $0.dataQuality.jumpSigmas = 1_000
            $0.volatility.warning = 1.0
            $0.volatility.critical = 3.0
            $0.volatility.warmUp = 20
            $0.learning.horizonEvents = 20
        }
        var rng = Xoshiro256(seed: 5)
        var mid = 100.0
        var seq: UInt64 = 0
        var ms: Int64 = 0
        func step(sigma: Double) throws {
            mid *= (sigma * rng.nextGaussian()).exp
            seq += 1
            ms += 1_000
            try harness.send(Self.tick("ACME", ms: ms, mid: mid, seq: seq))
        }
        for _ in 0..<400 { try step(sigma: 1e-4) }  // ~24 % annualised
        let newsTs = Self.start + (ms + 500) * 1_000_000
        try harness.send(
            .news(
                News(
                    id: "n1", ts: newsTs, symbols: ["ACME"],
                    headline: "Regulator opens fraud probe into ACME as shares plunge", sentiment: nil)))
        var sigma = 1e-4
        for _ in 0..<400 {
            sigma = min(sigma * 1.02, 1.5e-3)  // ramps to ~360 % annualised
            try step(sigma: sigma)
        }
        try harness.sync()
        let alerts = harness.alerts
        let shock = try #require(
            alerts.first { $0.kind == .newsShock && $0.state == .raised }, "no news_shock: \(alerts.map(\.kind))")
        let burst = try #require(alerts.first { $0.kind == .volatility && $0.state == .raised }, "no volatility alert")
        #expect(shock.symbol == "ACME")
        #expect(shock.eventTs == newsTs)
        #expect(!shock.drivers.isEmpty)
        #expect(burst.eventTs > shock.eventTs, "volatility came after the news")
        #expect(!burst.drivers.isEmpty)
        let shockIndex = try #require(alerts.firstIndex(of: shock))
        let burstIndex = try #require(alerts.firstIndex(of: burst))
        #expect(shockIndex < burstIndex)
    }

    /// A pair with a known beta: a position over its account's limit receives one hedge signal in the
    /// index, sized by the learned beta; the same position again gets none; a doubled one gets a new one.
    @Test func aPositionOverItsLimitReceivesAHedgeSizedByTheLearnedBeta() throws {
        let harness = try EngineHarness {
            $0.learning.referenceSymbol = "IDX"
            $0.dataQuality.jumpSigmas = 1_000
            $0.hedging.accounts["DESK1"] = .init(varLimit: 100)
            $0.hedging.betaLambda = 0.999
        }
        var rng = Xoshiro256(seed: 11)
        var index = 4_000.0
        var stock = 50.0
        var ms: Int64 = 0
        let beta = 1.3
        for i in 0..<600 {
            let market = 2e-4 * rng.nextGaussian()
            index *= market.exp
            stock *= (beta * market + 1e-4 * rng.nextGaussian()).exp
            ms += 1_000
            try harness.send(Self.tick("IDX", ms: ms, mid: index, seq: UInt64(i + 1)))
            try harness.send(Self.tick("ACME", ms: ms + 1, mid: stock, seq: UInt64(i + 1)))
        }
        let position = Position(account: "DESK1", symbol: "ACME", quantity: 10_000, ts: Self.start + (ms + 2) * 1_000_000)
        try harness.send(.position(position))
        try harness.settle(events: 1_201)
        let hedge = try #require(harness.hedges.first, "no hedge signal; alerts: \(harness.alerts.map(\.message))")
        #expect(hedge.account == "DESK1")
        #expect(hedge.symbol == "ACME")
        #expect(hedge.hedgeSymbol == "IDX")
        #expect(abs(hedge.ratio - beta) < 0.15, "beta \(hedge.ratio)")
        let notional = 10_000 * stock
        #expect(hedge.quantity < 0, "a long position with positive beta sells the index")
        #expect(abs(hedge.quantity - (-hedge.ratio * notional / index)) < 0.02 * abs(hedge.quantity))
        #expect(abs(hedge.notional - hedge.quantity * index) < 0.02 * abs(hedge.notional), "signed, like quantity")
        #expect(!hedge.reason.isEmpty)

        // The same position again: nothing material changed, no new signal.
        try harness.send(.position(position))
        try harness.send(.position(Position(account: "DESK1", symbol: "ACME", quantity: 20_000, ts: position.ts + 1)))
        // Closed: the hedge signalled for it is unwound, once.
        try harness.send(.position(Position(account: "DESK1", symbol: "ACME", quantity: 0, ts: position.ts + 2)))
        try harness.send(.position(Position(account: "DESK1", symbol: "ACME", quantity: 0, ts: position.ts + 3)))
        let beat = try harness.settle(events: 1_205)
        let hedges = harness.hedges
        #expect(hedges.count == 3, "\(hedges)")
        if hedges.count == 3 {
            #expect(abs(hedges[1].quantity - 2 * hedges[0].quantity) < 0.05 * abs(hedges[1].quantity))
            #expect(hedges[2].quantity == 0 && hedges[2].delta == -hedges[1].quantity, "the unwind: target 0")
            #expect(hedges[0].position == 0 && hedges[0].delta == hedges[0].quantity, "nothing held before")
            #expect(hedges[2].reason.contains("unwind"))
        }
        #expect(beat.hedgesOut == UInt64(hedges.count))
    }

    /// A fall far beyond the one-minute VaR raises a critical `var_breach` on the tick that makes it; a
    /// long slide raises `drawdown`; a spread blowing out raises `liquidity`.
    @Test func breachesDrawdownsAndWideSpreadsRaiseTheirAlerts() throws {
        let harness = try EngineHarness {
            $0.dataQuality.jumpSigmas = 1_000
            $0.risk.drawdown = .init(warning: 0.03, critical: 0.08)
        }
        var rng = Xoshiro256(seed: 3)
        var mid = 100.0
        var seq: UInt64 = 0
        var ms: Int64 = 0
        func send(spreadBps: Double = 2) throws {
            seq += 1
            ms += 1_000
            try harness.send(Self.tick("ACME", ms: ms, mid: mid, seq: seq, spreadBps: spreadBps))
        }
        for _ in 0..<300 {
            mid *= (1e-4 * rng.nextGaussian()).exp
            try send()
        }
        mid *= (-0.01).exp  // ~13 one-minute VaRs of a 1e-4-per-second market
        try send()
        for _ in 0..<200 {  // a slide of ~10 %
            mid *= (-5e-4 + 1e-4 * rng.nextGaussian()).exp
            try send()
        }
        for _ in 0..<50 { try send(spreadBps: 20) }
        try harness.sync()
        let raised = harness.alerts.filter { $0.state == .raised }
        // Before the jump the market is calm: no var_breach at all.
        let jumpTs = Self.start + 301 * 1_000_000_000
        #expect(!raised.contains { $0.kind == .varBreach && $0.eventTs < jumpTs }, "\(raised.map { ($0.kind, $0.eventTs) })")
        let breach = try #require(
            raised.first { $0.kind == .varBreach && $0.eventTs == jumpTs }, "\(raised.map { ($0.kind, $0.eventTs) })")
        #expect(breach.value > 0.008 && breach.value > breach.threshold)
        #expect(breach.severity == .critical, "far outside the forecast distribution: critical at once")
        #expect(breach.message.contains("1m VaR"), "\(breach.message)")
        #expect(breach.drivers.contains { $0.feature == "loss_1m_pct" })
        let drawdown = try #require(raised.first { $0.kind == .drawdown })
        #expect(drawdown.value >= 0.03)
        #expect(raised.contains { $0.kind == .drawdown && $0.severity == .critical })
        let liquidity = try #require(raised.first { $0.kind == .liquidity })
        #expect(liquidity.value >= 2.5)
        #expect(liquidity.eventTs > Self.start + 501 * 1_000_000_000)
    }

    /// Snapshots carry the learned forecasts and their rolling scores once labels have matured.
    @Test func snapshotsCarryForecastsAndScores() throws {
        let harness = try EngineHarness {
            $0.publish.riskSnapshotMilliseconds = 50
            $0.learning.horizonEvents = 10
            $0.risk.variance.samplingSeconds = 1
            $0.risk.variance.warmupSamples = 10
            $0.risk.horizonsSeconds = [10, 60]
        }
        var rng = Xoshiro256(seed: 8)
        var mid = 20.0
        for i in 0..<500 {
            mid *= (2e-4 * rng.nextGaussian()).exp
            try harness.send(Self.tick("ACME", ms: Int64(i) * 100, mid: mid, seq: UInt64(i + 1)))
        }
        try harness.sync()
        let event = try harness.waitFor(seconds: 30) {
            if case .risk(let r) = $0 { r.models.contains { $0.mae != nil } } else { false }
        }
        guard case .risk(let snapshot) = event else {
            Issue.record("no snapshot with scores")
            return
        }
        let names = Set(snapshot.models.map(\.model))
        #expect(names.isSuperset(of: ["ewma", "sgd", "arf"]), "\(names)")
        for model in snapshot.models where model.model != "ewma" {
            #expect(model.forecast.map { $0.isFinite && $0 > 0 } == true, "\(model)")
            #expect(model.mae.map { $0.isFinite && $0 >= 0 } == true, "\(model)")
        }
        #expect(snapshot.valueAtRisk.map { $0 > 0 } == true)
        #expect(snapshot.expectedShortfall! > snapshot.valueAtRisk!)
        #expect(snapshot.horizonSeconds == 10 && !snapshot.warming)
        #expect(snapshot.horizons.map(\.horizonSeconds) == [10, 60])
        // The longer horizon's VaR is the larger (each was forecast at its own window's start).
        if let short = snapshot.horizons[0].valueAtRisk, let long = snapshot.horizons[1].valueAtRisk {
            #expect(long > 1.5 * short, "\(snapshot.horizons)")
        }
    }
}

extension Double {
    fileprivate var exp: Double { Foundation.exp(self) }
}
