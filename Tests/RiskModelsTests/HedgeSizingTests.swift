import OnlineLearning
import RiskModels
import Testing

@Suite struct HedgeSizingTests {
    static let sizing = HedgeSizing()
    static func request(risk: Double = 12_000, limit: Double = 10_000, existing: Double = 0) -> HedgeSizing.Request {
        .init(hedgeSymbol: "SPY", hedgePrice: 500, risk: risk, limit: limit, measure: "VaR99", existingHedge: existing)
    }

    static func proposal(_ decision: HedgeSizing.Decision) -> HedgeSizing.Proposal? {
        if case .hedge(let p) = decision { return p }
        return nil
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var quantity: Double
        var beta: Double
        /// −β·q·P/P_h with P = 100, P_h = 500.
        var expected: Double
        var testDescription: String { "q=\(quantity) β=\(beta)" }
    }

    @Test(arguments: [
        Case(quantity: 1000, beta: 1.25, expected: -250),  // long, β > 0: sell the hedge
        Case(quantity: -1000, beta: 1.25, expected: 250),  // short, β > 0: buy it
        Case(quantity: 1000, beta: -0.5, expected: 100),  // long, β < 0: buy it
        Case(quantity: -400, beta: -0.5, expected: -40),  // short, β < 0: sell it
    ])
    func minimumVarianceQuantitySignAndSize(_ c: Case) throws {
        let position = HedgeSizing.Exposure(symbol: "ACME", quantity: c.quantity, price: 100, beta: c.beta, rSquared: 0.6)
        let p = try #require(Self.proposal(Self.sizing.size(position: position, request: Self.request())))
        #expect(abs(p.quantity - c.expected) < 1e-9)
        #expect(abs(p.notional - c.expected * 500) < 1e-6)
        #expect(abs(p.ratio - c.beta * 100 / 500) < 1e-12)
        #expect(abs(-p.ratio * c.quantity - p.quantity) < 1e-9)
        #expect(p.coverage == 1 && p.targetHedge == p.quantity)
        #expect(p.hedgeSymbol == "SPY")
        #expect(p.reason.contains("VaR99 12000.00 over limit 10000.00"))
        #expect(p.reason.contains(c.expected < 0 ? "sell" : "buy"))
    }

    @Test func noHedgeWithinTheLimitOrWithoutConfidence() {
        let position = HedgeSizing.Exposure(symbol: "ACME", quantity: 1000, price: 100, beta: 1.2, rSquared: 0.6)
        #expect(Self.sizing.size(position: position, request: Self.request(risk: 10_000)) == .withinLimit)
        var weak = position
        weak.rSquared = 0.1
        guard case .notHedgeable(let why) = Self.sizing.size(position: weak, request: Self.request()) else {
            Issue.record("hedged on a weak beta")
            return
        }
        #expect(why.contains("not confident"))
        var flat = position
        flat.quantity = 0
        #expect(Self.proposal(Self.sizing.size(position: flat, request: Self.request())) == nil)
        var badHedge = Self.request()
        badHedge.hedgePrice = 0
        #expect(Self.proposal(Self.sizing.size(position: position, request: badHedge)) == nil)
    }

    @Test func existingHedgeAndLotRounding() throws {
        let position = HedgeSizing.Exposure(symbol: "ACME", quantity: 1000, price: 100, beta: 1.3, rSquared: 0.6)
        // Target −260; 200 already short: trade −60, rounded to lots of 25 → −50.
        let sizing = HedgeSizing(lotSize: 25)
        let p = try #require(Self.proposal(sizing.size(position: position, request: Self.request(existing: -200))))
        #expect(p.quantity == -50 && p.targetHedge == -250)
        // Already hedged to within a lot: nothing to trade.
        #expect(Self.proposal(sizing.size(position: position, request: Self.request(existing: -250))) == nil)
    }

    @Test func withinLimitCoverageBringsRiskToTheTarget() throws {
        let sizing = HedgeSizing(coverage: .withinLimit(target: 0.9))
        let r2 = 0.8
        let position = HedgeSizing.Exposure(symbol: "ACME", quantity: 1000, price: 100, beta: 1, rSquared: r2)
        let p = try #require(Self.proposal(sizing.size(position: position, request: Self.request(risk: 15_000))))
        // Remaining risk 15000·sqrt((1−c)²R² + 1 − R²) must equal 0.9·10000.
        let remaining = 15_000 * ((1 - p.coverage) * (1 - p.coverage) * r2 + 1 - r2).squareRoot()
        #expect(abs(remaining - 9_000) < 1e-6)
        #expect(p.coverage > 0 && p.coverage < 1)
        #expect(abs(p.quantity + p.coverage * 100_000 / 500) < 1e-9)
        // Unreachable: idiosyncratic risk alone is over the target → full hedge, said in the reason.
        let weak = HedgeSizing.Exposure(symbol: "ACME", quantity: 1000, price: 100, beta: 1, rSquared: 0.3)
        let q = try #require(Self.proposal(sizing.size(position: weak, request: Self.request(risk: 20_000))))
        #expect(q.coverage == 1 && q.reason.contains("residual risk stays over the limit"))
    }

    @Test func portfolioHedgesTheBetaWeightedSum() throws {
        let legs = [
            HedgeSizing.Exposure(symbol: "ACME", quantity: 1000, price: 100, beta: 1.2, rSquared: 0.6),  // +120000
            HedgeSizing.Exposure(symbol: "BOLT", quantity: -500, price: 40, beta: 0.8, rSquared: 0.5),  // −16000
            HedgeSizing.Exposure(symbol: "CRUX", quantity: 300, price: 50, beta: 2, rSquared: 0.05),  // skipped
        ]
        let p = try #require(Self.proposal(Self.sizing.size(portfolio: legs, request: Self.request())))
        #expect(abs(p.quantity - (-104_000 / 500)) < 1e-9)
        #expect(abs(p.ratio - 104_000 / 120_000) < 1e-12)
        #expect(p.reason.contains("CRUX"))
        // A beta-neutral book needs no hedge trade.
        let neutral = [
            HedgeSizing.Exposure(symbol: "ACME", quantity: 100, price: 100, beta: 1, rSquared: 0.6),
            HedgeSizing.Exposure(symbol: "BOLT", quantity: -100, price: 100, beta: 1, rSquared: 0.6),
        ]
        #expect(Self.proposal(Self.sizing.size(portfolio: neutral, request: Self.request())) == nil)
        #expect(Self.sizing.size(portfolio: legs, request: Self.request(risk: 1)) == .withinLimit)
    }
}

@Suite struct HedgeSignalGateTests {
    static func decision(target: Double, existing: Double = 0) -> HedgeSizing.Decision {
        .hedge(
            .init(
                hedgeSymbol: "SPY", ratio: 0.2, quantity: target - existing, notional: (target - existing) * 500,
                targetHedge: target, coverage: 1, reason: "test"))
    }

    static func admit(
        _ gate: inout HedgeSignalGate, _ decision: HedgeSizing.Decision, at ts: Int64
    ) -> HedgeSizing.Proposal? {
        gate.admit(decision, at: ts)
    }

    @Test func noRepeatWithoutMaterialChange() {
        var gate = HedgeSignalGate(materialChange: 0.1)
        #expect(Self.admit(&gate, Self.decision(target: -250), at: 1) != nil)
        // Same, or within 10%: nothing.
        #expect(Self.admit(&gate, Self.decision(target: -250), at: 2) == nil)
        #expect(Self.admit(&gate, Self.decision(target: -270), at: 3) == nil)
        #expect(Self.admit(&gate, Self.decision(target: -230), at: 4) == nil)
        #expect(Self.admit(&gate, .notHedgeable("x"), at: 5) == nil)
        // Executed hedge: trade near 0, target unchanged: nothing.
        #expect(Self.admit(&gate, Self.decision(target: -255, existing: -250), at: 6) == nil)
        // More than 10% from the last signalled −250: signal, and it becomes the reference.
        #expect(Self.admit(&gate, Self.decision(target: -280), at: 7)?.targetHedge == -280)
        #expect(Self.admit(&gate, Self.decision(target: -300), at: 8) == nil)
        // Sign flip always signals.
        #expect(Self.admit(&gate, Self.decision(target: 10), at: 9) != nil)
    }

    @Test func aNewBreachSignalsAgainAfterTheRiskCleared() {
        var gate = HedgeSignalGate()
        #expect(Self.admit(&gate, Self.decision(target: -250), at: 1) != nil)
        #expect(Self.admit(&gate, .withinLimit, at: 2) == nil)
        #expect(gate.lastTarget == nil)
        #expect(Self.admit(&gate, Self.decision(target: -250), at: 3) != nil)
    }

    @Test func cooldownDelaysSignals() {
        var gate = HedgeSignalGate(materialChange: 0.1, cooldown: 100)
        #expect(Self.admit(&gate, Self.decision(target: -250), at: 1_000) != nil)
        #expect(Self.admit(&gate, Self.decision(target: -500), at: 1_050) == nil)
        #expect(Self.admit(&gate, Self.decision(target: -500), at: 1_100) != nil)
    }

    @Test func checkpointRoundTrip() throws {
        var gate = HedgeSignalGate(materialChange: 0.2, cooldown: 7)
        _ = gate.admit(Self.decision(target: -250), at: 42)
        let restored = try HedgeSignalGate(savedState: gate.savedState())
        #expect(restored == gate)
        #expect(restored.lastTarget == -250 && restored.lastSignal == 42)
        let fresh = try HedgeSignalGate(savedState: HedgeSignalGate().savedState())
        #expect(fresh == HedgeSignalGate())
        _ = gate.admit(.withinLimit, at: 50)
        #expect(restored != gate)
    }
}
