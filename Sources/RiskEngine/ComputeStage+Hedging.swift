#if canImport(Glibc)
import Glibc
#endif
import MarketEvents
import RiskModels

/// Positions and hedge signals (issue 5): `position.<ACCOUNT>` events set exposures; an online beta of
/// each symbol to its hedge instrument gives the minimum-variance hedge; a position (or an account's
/// beta-weighted exposure) over its account's limit gets a `hedge.<SYMBOL>` signal, not repeated while
/// nothing material changed.
extension ComputeStage {
    /// Records a position and checks it against its account's limits. A position closed (quantity 0)
    /// after a hedge was signalled for it gets an unwind signal: the opposite of the last target.
    func processPosition(_ position: Position) {
        // A new account beyond `hedging.max_accounts` is refused before it takes a symbol slot.
        if accountPositions[position.account] == nil, position.quantity != 0,
            accountPositions.count >= pipeline.hedging.maxAccounts
        {
            counters.rejectedAccounts.wrappingAdd(1, ordering: .relaxed)
            if !accountLimitReported {
                accountLimitReported = true
                EngineLog.write(
                    .warn, "compute", "account limit reached; positions of further accounts are rejected",
                    [("account", position.account), ("max_accounts", "\(pipeline.hedging.maxAccounts)")])
            }
            return
        }
        guard let id = slot(for: position.symbol) else { return }
        let key = PositionKey(account: position.account, symbol: position.symbol)
        if position.quantity == 0 {
            if positions.removeValue(forKey: key) != nil {
                accountPositions[position.account, default: 1] -= 1
                if accountPositions[position.account] == 0 { accountPositions[position.account] = nil }
            }
            if let gate = hedgeGates.removeValue(forKey: key), let target = gate.lastTarget, target != 0,
                let h = hedgeInstrument(of: position.symbol), let hid = index[h], slots[hid].lastPrice != nil
            {
                publisher.publish(
                    .hedge(
                        Hedge(
                            seq: 0, ts: 0, account: key.account, symbol: key.symbol, hedgeSymbol: h, ratio: 0,
                            quantity: 0, notional: 0,
                            reason: "position closed: target hedge 0, unwind the \(formatRatio(target)) \(h) "
                                + "signalled for it", position: target, delta: -target)))
                counters.hedgesOut.wrappingAdd(1, ordering: .relaxed)
            }
        } else {
            if positions.updateValue(position, forKey: key) == nil { accountPositions[position.account, default: 0] += 1 }
            slots[id].risk.hasPositions = true
        }
        checkHedges(account: position.account, symbol: position.symbol, at: position.ts)
    }

    /// The slot of `slot`'s hedge instrument, once the instrument has been seen; remembered, so the
    /// per-tick beta update does no string lookups.
    private func hedgeSlot(of id: Int) -> Int? {
        if let hid = slots[id].risk.hedgeSlot { return hid }
        guard let h = hedgeInstrument(of: slots[id].symbol), let hid = index[h] else { return nil }
        slots[id].risk.hedgeSlot = hid
        return hid
    }

    /// The hedge instrument of `symbol`: the pipeline's mapping, else the reference symbol.
    func hedgeInstrument(of symbol: String) -> String? {
        let h = pipeline.hedging.instruments[symbol] ?? pipeline.learning.referenceSymbol
        return h == symbol ? nil : h
    }

    /// Updates the beta to the hedge instrument once per `hedging.beta_interval_ms` of event time, on
    /// the log returns of both over that interval (the symbol's price and the instrument's latest price
    /// against their values at the interval's start). Sampling on an interval rather than tick by tick
    /// keeps non-synchronous ticks and sub-tick-size moves from biasing the beta towards zero.
    func updateBeta(slot id: Int, at ts: Int64) {
        guard let hid = hedgeSlot(of: id), let hedgePrice = slots[hid].lastPrice, let price = slots[id].lastPrice, hedgePrice > 0, price > 0
        else { return }
        let now = (ts: ts, symbol: log(price), hedge: log(hedgePrice))
        guard let start = slots[id].risk.betaAnchor else {
            slots[id].risk.betaAnchor = now
            return
        }
        guard ts &- start.ts >= pipeline.hedging.betaIntervalMilliseconds * 1_000_000 else { return }
        slots[id].risk.betaAnchor = now
        _ = slots[id].risk.beta.observe(symbolReturn: now.symbol - start.symbol, hedgeReturn: now.hedge - start.hedge)
        if slots[id].risk.hasPositions { checkHedges(symbol: slots[id].symbol, at: ts) }
    }

    /// Checks every account holding `symbol`.
    private func checkHedges(symbol: String, at ts: Int64) {
        // Sorted: dictionary order changes from run to run, and signal order must not.
        for account in positions.keys.filter({ $0.symbol == symbol }).map(\.account).sorted() {
            checkHedges(account: account, symbol: symbol, at: ts)
        }
    }

    /// Whether `symbol` is some symbol's hedge instrument.
    private func isHedgeInstrument(_ symbol: String) -> Bool {
        symbol == pipeline.learning.referenceSymbol || pipeline.hedging.instruments.values.contains(symbol)
    }

    /// Checks one account's position in `symbol`, then that account's portfolio exposure to the
    /// symbol's hedge instrument (to `symbol` itself when it is a hedge instrument with none of its own).
    private func checkHedges(account: String, symbol: String, at ts: Int64) {
        let limits = pipeline.hedging.accounts[account] ?? pipeline.hedging.defaultLimits
        guard let h = hedgeInstrument(of: symbol) ?? (isHedgeInstrument(symbol) ? symbol : nil),
            let id = index[symbol], let hid = index[h], let hedgePrice = slots[hid].lastPrice
        else { return }
        let key = PositionKey(account: account, symbol: symbol)
        if h != symbol, let exposure = exposure(key) {
            let measures = riskOf(notional: exposure.notional, slot: id)
            let request = worstBreach(
                [
                    ("VaR", measures.valueAtRisk, limits.varLimit),
                    ("volatility-scaled notional", measures.volatilityNotional, limits.volatilityNotionalLimit),
                ], hedgeSymbol: h, hedgePrice: hedgePrice)
            if let decision = request.map({ hedgeSizing.size(position: exposure, request: $0) }) {
                signal(decision, key: key, symbol: symbol, valueRatioScale: hedgePrice / exposure.price, at: ts)
            } else if clearlyWithin(
                [(measures.valueAtRisk, limits.varLimit), (measures.volatilityNotional, limits.volatilityNotionalLimit)])
            {
                signal(.withinLimit, key: key, symbol: symbol, valueRatioScale: 1, at: ts)
            }
        }
        guard let limit = limits.portfolioVaRLimit else { return }
        // A position in the instrument itself is a leg with beta 1.
        let held = positions.keys.filter { $0.account == account && ($0.symbol == h || hedgeInstrument(of: $0.symbol) == h) }
        let legs = held.sorted { $0.symbol < $1.symbol }.compactMap { exposure($0, hedgedWith: h) }
        // The portfolio's VaR: its beta-weighted exposure held in the hedge instrument.
        let betaNotional = legs.reduce(0.0) { $0 + ($1.rSquared >= pipeline.hedging.minimumRSquared ? $1.betaNotional : 0) }
        let risk = riskOf(notional: betaNotional, slot: hid).valueAtRisk
        let request = worstBreach([("portfolio VaR", risk, limit)], hedgeSymbol: h, hedgePrice: hedgePrice)
        let portfolioKey = PositionKey(account: account, symbol: "*" + h)
        if let decision = request.map({ hedgeSizing.size(portfolio: legs, request: $0) }) {
            signal(decision, key: portfolioKey, symbol: h, valueRatioScale: 1, at: ts)
        } else if clearlyWithin([(risk, limit)]) {
            signal(.withinLimit, key: portfolioKey, symbol: h, valueRatioScale: 1, at: ts)
        }
    }

    /// A position with its symbol's price and beta to its hedge instrument (1 when the position is in
    /// `instrument` itself); `nil` without a price.
    private func exposure(_ key: PositionKey, hedgedWith instrument: String? = nil) -> HedgeSizing.Exposure? {
        guard let position = positions[key], let id = index[key.symbol],
            let price = position.price ?? slots[id].lastPrice
        else { return nil }
        if key.symbol == instrument {
            return HedgeSizing.Exposure(symbol: key.symbol, quantity: position.quantity, price: price, beta: 1, rSquared: 1)
        }
        let beta = slots[id].risk.beta
        return HedgeSizing.Exposure(
            symbol: key.symbol, quantity: position.quantity, price: price, beta: beta.beta ?? .nan,
            rSquared: beta.beta == nil ? 0 : beta.rSquared)
    }

    /// The request for the measure furthest over its limit (by risk ÷ limit), or `nil` when every
    /// configured limit holds.
    private func worstBreach(
        _ measures: [(name: String, risk: Double?, limit: Double?)], hedgeSymbol: String, hedgePrice: Double
    ) -> HedgeSizing.Request? {
        var worst: HedgeSizing.Request?
        var worstRatio = 1.0
        for measure in measures {
            guard let risk = measure.risk, let limit = measure.limit, limit > 0, risk / limit > worstRatio else { continue }
            worstRatio = risk / limit
            worst = .init(hedgeSymbol: hedgeSymbol, hedgePrice: hedgePrice, risk: risk, limit: limit, measure: measure.name)
        }
        return worst
    }

    /// Whether every measure is below 80 % of its limit: only then does a key's gate re-arm (so a risk
    /// hovering at its limit does not resend the same hedge each time it dips under).
    private func clearlyWithin(_ measures: [(risk: Double?, limit: Double?)]) -> Bool {
        measures.allSatisfy { m in
            guard let limit = m.limit else { return true }
            return (m.risk ?? 0) < 0.8 * limit
        }
    }

    /// Publishes a hedge the gate admits (new, or materially changed since the last one for `key`).
    /// The wire `ratio` is in value terms: hedge notional per unit of position notional (the beta, scaled
    /// by the coverage); `valueRatioScale` converts the sizing's per-unit ratio to it.
    private func signal(
        _ decision: HedgeSizing.Decision, key: PositionKey, symbol: String, valueRatioScale: Double, at ts: Int64
    ) {
        if case .notHedgeable = decision, hedgeGates[key] == nil { return }
        guard let proposal = hedgeGates[key, default: HedgeSignalGate(materialChange: pipeline.hedging.materialChange)]
            .admit(decision, at: ts)
        else { return }
        // On the wire: the target position in the hedge instrument, the position held in it now, and
        // the trade between them.
        let price = proposal.quantity != 0 ? proposal.notional / proposal.quantity : 0
        publisher.publish(
            .hedge(
                Hedge(
                    seq: 0, ts: 0, account: key.account, symbol: symbol, hedgeSymbol: proposal.hedgeSymbol,
                    ratio: proposal.ratio * valueRatioScale, quantity: proposal.targetHedge,
                    notional: proposal.targetHedge * price, reason: "target hedge position: " + proposal.reason,
                    position: proposal.targetHedge - proposal.quantity, delta: proposal.quantity)))
        counters.hedgesOut.wrappingAdd(1, ordering: .relaxed)
    }

    /// VaR in currency over `hedging.var_horizon_days` and volatility-scaled notional (|notional| ×
    /// annualised volatility) of a notional held in `slot`'s symbol. The VaR is the horizon shape's
    /// quantile (normal or Student-t) times the reported annualised volatility scaled to the holding
    /// period by √(days / 252).
    private func riskOf(notional: Double, slot id: Int) -> (valueAtRisk: Double?, volatilityNotional: Double?) {
        guard let annual = reportedVolatility(slot: id)?.value, let shape = slots[id].risk.horizons.first else {
            return (nil, nil)
        }
        let sigma = annual * (pipeline.hedging.varHorizonDays / 252).squareRoot()
        return (abs(notional) * -expm1(-shape.quantilePerSigma * sigma), abs(notional) * annual)
    }
}

struct PositionKey: Hashable {
    var account: String
    var symbol: String
}
