#if canImport(Glibc)
import Glibc
#endif
import MarketEvents
import RiskModels

/// The risk measures and their alerts (issue 5): one-step VaR/ES with breaches, drawdown, liquidity
/// stress and news shock. Everything runs on event time, so a replay gives the same alerts.
extension ComputeStage {
    /// Updates the symbol's risk measures with one accepted tick: the horizon VaRs (scored on the
    /// variance known before this tick), then the variance, the volatility rule, beta, drawdown,
    /// liquidity and news shock. - Complexity: O(horizons), no allocation unless an alert goes out.
    func riskTick(_ tick: Tick, update: SymbolState.Update, slot id: Int) {
        let ts = tick.ts
        let price = SymbolState.referencePrice(of: tick)
        let intraday = slots[id].risk.intraday
        let variance = intraday.isWarm ? intraday.perSecondVariance : nil
        for h in slots[id].risk.horizons.indices {
            let outcome = slots[id].risk.horizons[h].observe(price: price, at: ts, perSecondVariance: variance)
            if let scored = outcome.scored { scoredWindow(scored, horizon: h, slot: id, at: ts) }
            if let extreme = outcome.extreme { extremeMove(extreme, horizon: h, slot: id, at: ts) }
        }
        if slots[id].risk.intraday.observe(price: price, at: ts) { volatilityRule(slot: id, at: ts) }
        if let r = update.acceptedReturn, !slots[id].risk.pendingNews.isEmpty { learnNewsImpact(slot: id, return: r) }
        updateBeta(slot: id, at: ts)
        drawdown(slot: id, at: ts)
        liquidity(tick, slot: id)
        decayNewsShock(slot: id, at: ts)
    }

    /// The annualised volatility the engine reports and alerts on: the learned forecast when a scored
    /// model drives (its rolling error below the EWMA's) and `volatility_source` is `forecast`, else the
    /// time-grid estimate; `nil` while warming up.
    func reportedVolatility(slot id: Int) -> (value: Double, learned: Bool)? {
        let risk = slots[id].risk
        guard risk.intraday.isWarm,
            let grid = risk.intraday.annualized(tradingSecondsPerYear: pipeline.volatility.tradingSecondsPerYear)
        else { return nil }
        if pipeline.risk.volatilitySource == .forecast, risk.forecastIsLearned, let learned = risk.forecast {
            return (learned, true)
        }
        return (grid, false)
    }

    /// The volatility rule, on every new variance sample once the estimate is warm.
    private func volatilityRule(slot id: Int, at ts: Int64) {
        guard let (vol, learned) = reportedVolatility(slot: id),
            let t = slots[id].volatilityRule.update(value: vol, at: ts)
        else { return }
        let symbol = slots[id].symbol
        let percent = { (x: Double) in Int((x * 100).rounded()) }
        let source = learned ? "forecast" : "realised"
        let message: String
        switch t.change {
        case .raised, .escalated:
            message = "\(symbol) \(source) volatility \(percent(t.value))% annualised is above the "
                + "\(t.severity.rawValue) threshold \(percent(t.threshold))%"
        case .deescalated:
            message = "\(symbol) \(source) volatility \(percent(t.value))% fell below \(percent(t.threshold))%: "
                + "back to warning"
        case .cleared:
            message = "\(symbol) \(source) volatility \(percent(t.value))% is back below \(percent(t.threshold))%"
        }
        // A learned forecast is explained by its features; the realised estimate by its level and the
        // price move of the current shortest-horizon window.
        var drivers = learned ? forecastDrivers(slot: id) : []
        if drivers.isEmpty {
            drivers.append(.init(feature: "volatility_annual_pct", contribution: vol * 100))
            if let first = slots[id].risk.horizons.first, let price = slots[id].lastPrice,
                let loss = first.lossSoFar(price: price)
            {
                drivers.append(
                    .init(feature: "move_\(HorizonVaR.label(seconds: first.horizonSeconds))_bp", contribution: -loss * 10_000))
            }
        }
        emitAlert(t, kind: .volatility, symbol: symbol, at: ts, message: message, drivers: drivers)
    }

    // MARK: - VaR over horizons

    /// A loss inside a horizon's window of `var_breach_extreme` × its VaR: critical at once.
    private func extremeMove(_ move: HorizonVaR.ExtremeMove, horizon h: Int, slot id: Int, at ts: Int64) {
        let symbol = slots[id].symbol
        let risk = pipeline.risk
        let label = HorizonVaR.label(seconds: slots[id].risk.horizons[h].horizonSeconds)
        let threshold = risk.varBreachExtreme * move.forecast.valueAtRisk
        // Already open for this or another horizon: the same move going on, not a new alert.
        let alreadyOpen = slots[id].risk.extremeOpen.contains(true)
        slots[id].risk.extremeOpen[h] = true
        guard !alreadyOpen else { return }
        emitAlert(
            Alert(
                seq: 0, ts: 0, eventTs: ts, symbol: symbol, kind: .varBreach, severity: .critical, state: .raised,
                value: -expm1(-move.loss), threshold: -expm1(-threshold),
                message: "\(symbol) fell \(formatPercent(-expm1(-move.loss))) in \(formatSeconds(move.elapsedSeconds)): "
                    + "\(formatRatio(move.loss / move.forecast.valueAtRisk))x its \(formatPercent(risk.confidence)) "
                    + "\(label) VaR of \(formatPercent(move.forecast.priceLossFraction)) (\(risk.varMethod.rawValue)); "
                    + "far outside the forecast distribution",
                drivers: [
                    .init(feature: "loss_\(label)_pct", contribution: -expm1(-move.loss) * 100),
                    .init(feature: "var_\(label)_pct", contribution: move.forecast.priceLossFraction * 100),
                    .init(feature: "elapsed_s", contribution: move.elapsedSeconds),
                ]))
    }

    /// A horizon's window closed: its breach joins the backtest; an open extreme alert clears on a
    /// window inside its VaR; the traffic light of the recent windows (yellow: warning, red: critical)
    /// runs once 20 windows are scored.
    private func scoredWindow(_ window: HorizonVaR.ScoredWindow, horizon h: Int, slot id: Int, at ts: Int64) {
        let symbol = slots[id].symbol
        let horizon = slots[id].risk.horizons[h]
        let label = HorizonVaR.label(seconds: horizon.horizonSeconds)
        let risk = pipeline.risk
        let drivers: [Alert.Driver] = [
            .init(feature: "return_\(label)_pct", contribution: expm1(window.realizedReturn) * 100),
            .init(feature: "var_\(label)_pct", contribution: window.forecast.priceLossFraction * 100),
        ]
        if slots[id].risk.extremeOpen[h], !window.breached {
            slots[id].risk.extremeOpen[h] = false
            // One alert covers every horizon's extreme move: it clears when the last of them does.
            if !slots[id].risk.extremeOpen.contains(true) {
                emitAlert(
                Alert(
                    seq: 0, ts: 0, eventTs: ts, symbol: symbol, kind: .varBreach, severity: .critical, state: .cleared,
                    value: -expm1(-window.realizedReturn), threshold: window.forecast.priceLossFraction,
                    message: "\(symbol) back inside its \(label) VaR: \(formatPercent(expm1(window.realizedReturn))) "
                        + "over the last \(label)",
                    drivers: drivers))
            }
        }
        let backtest = horizon.backtest
        guard backtest.recentObservations >= 20 else { return }
        let zone = BaselZone.zone(
            breaches: backtest.recentBreaches, observations: backtest.recentObservations, confidence: risk.confidence)
        let level: Double = zone == .red ? 2 : zone == .yellow ? 1 : 0
        guard let t = slots[id].risk.breachRules[h].update(value: level, at: ts) else { return }
        let count = backtest.recentBreaches
        let n = backtest.recentObservations
        let expected = (1 - risk.confidence) * Double(n)
        let message: String
        switch t.change {
        case .raised, .escalated, .deescalated:
            message = "\(symbol): \(count) of the last \(n) \(label) windows breached the \(formatPercent(risk.confidence)) "
                + "\(label) VaR, \(formatRatio(expected)) expected: \(zone.rawValue) zone; the VaR understates risk"
        case .cleared:
            message = "\(symbol): \(count) breaches in the last \(n) \(label) windows, back in the green zone"
        }
        emitAlert(
            Alert(
                seq: 0, ts: 0, eventTs: ts, symbol: symbol, kind: .varBreach, severity: t.severity, state: t.alertState,
                value: Double(count), threshold: expected, message: message,
                drivers: [
                    .init(feature: "breaches_\(label)", contribution: Double(count)),
                    .init(feature: "expected_breaches_\(label)", contribution: expected),
                ] + drivers))
    }

    // MARK: - Drawdown and liquidity

    private func drawdown(slot id: Int, at ts: Int64) {
        guard let price = slots[id].lastPrice, slots[id].highWater > 0 else { return }
        let value = 1 - price / slots[id].highWater
        guard let t = slots[id].risk.drawdownRule.update(value: value, at: ts) else { return }
        let symbol = slots[id].symbol
        let message: String
        switch t.change {
        case .raised, .escalated:
            message = "\(symbol) is \(formatPercent(value)) below its high-water mark "
                + "\(slots[id].highWater) (\(t.severity.rawValue) at \(formatPercent(t.threshold)))"
        case .deescalated, .cleared:
            message = "\(symbol) drawdown \(formatPercent(value)) is back below \(formatPercent(t.threshold))"
        }
        emitAlert(
            t, kind: .drawdown, symbol: symbol, at: ts, message: message,
            drivers: [
                .init(feature: "price", contribution: price),
                .init(feature: "high_water_mark", contribution: slots[id].highWater),
            ])
    }

    /// Spread against its own EWMA: the ratio is taken before the tick joins the baseline.
    private func liquidity(_ tick: Tick, slot id: Int) {
        guard let bid = tick.bid, let ask = tick.ask, ask >= bid, bid > 0 else { return }
        let spread = (ask - bid) / ((ask + bid) / 2) * 10_000
        let lambda = pipeline.risk.liquidityLambda
        defer {
            let base = slots[id].risk.spreadBaseline
            slots[id].risk.spreadBaseline = base.map { lambda * $0 + (1 - lambda) * spread } ?? spread
            slots[id].risk.spreadTicks += 1
        }
        guard let baseline = slots[id].risk.spreadBaseline, baseline > 0,
            slots[id].risk.spreadTicks >= pipeline.volatility.warmUp
        else { return }
        let ratio = spread / baseline
        guard let t = slots[id].risk.liquidityRule.update(value: ratio, at: tick.ts) else { return }
        let symbol = slots[id].symbol
        let message: String
        switch t.change {
        case .raised, .escalated:
            message = "\(symbol) spread \(formatRatio(spread)) bps is \(formatRatio(ratio))x its EWMA "
                + "\(formatRatio(baseline)) bps (\(t.severity.rawValue) at \(formatRatio(t.threshold))x)"
        case .deescalated, .cleared:
            message = "\(symbol) spread back to \(formatRatio(ratio))x its EWMA"
        }
        var drivers: [Alert.Driver] = [
            .init(feature: "spread_bps", contribution: spread), .init(feature: "spread_ewma_bps", contribution: baseline),
        ]
        if let b = tick.bidSize, let a = tick.askSize, a + b > 0 {
            drivers.append(.init(feature: "quote_imbalance", contribution: (b - a) / (b + a)))
        }
        emitAlert(t, kind: .liquidity, symbol: symbol, at: tick.ts, message: message, drivers: drivers)
    }

    // MARK: - News

    /// One news item: its sentiment (the feed's, or the lexicon's when absent) feeds the named symbols'
    /// features and their news shock. News naming the reference symbol is market news: it reaches every
    /// symbol's features.
    func processNews(_ news: News) {
        let analysis = news.sentiment == nil ? lexicon.analyze(headline: news.headline, body: news.body) : nil
        let sentiment = news.sentiment ?? analysis!.score
        var drivers: [Alert.Driver] = [.init(feature: "sentiment", contribution: sentiment)]
        if let analysis {
            drivers += analysis.matches.sorted { abs($0.contribution) > abs($1.contribution) }.prefix(4)
                .map { .init(feature: "word:\($0.term)", contribution: $0.contribution) }
        }
        // The news-impact model: which words have preceded volatility.
        let words = newsModel.prepare(headline: news.headline, body: news.body)
        let impact = newsModel.updateCount > 0 ? newsModel.predict(words) : 0
        if newsModel.updateCount > 0 && !words.isEmpty {
            drivers.append(.init(feature: "news_impact", contribution: impact))
            drivers += newsModel.contributions(of: words, limit: 3).map {
                .init(feature: "impact:\($0.term)", contribution: $0.contribution)
            }
        }
        let market = pipeline.learning.referenceSymbol.map { news.symbols.contains($0) } ?? false
        if market && pipeline.learning.enabled {
            for id in slots.indices {
                slots[id].risk.features.observeNews(sentiment: sentiment, at: news.ts)
                slots[id].risk.features.observeNewsImpact(impact, at: news.ts)
            }
        }
        // A story naming a hundred tickers (or a thousand stories) must not take the symbol slots that
        // traded symbols need: news starts tracking at most `newsSymbolsTracked` unseen symbols per item,
        // from its own budget (`symbols.news_max`, see `slot(for:fromNews:)`); other mentions are counted.
        var started = 0
        for symbol in news.symbols {
            if index[symbol] == nil {
                guard started < Self.newsSymbolsTracked else {
                    counters.rejectedSymbols.wrappingAdd(1, ordering: .relaxed)
                    continue
                }
                started += 1
            }
            guard let id = slot(for: symbol, fromNews: true) else { continue }
            if !market && pipeline.learning.enabled {
                slots[id].risk.features.observeNews(sentiment: sentiment, at: news.ts)
                slots[id].risk.features.observeNewsImpact(impact, at: news.ts)
            }
            let sigma = slots[id].state.volatility.perEventVolatility
            if slots[id].state.volatility.isWarm, sigma > 0, !words.isEmpty {
                if slots[id].risk.pendingNews.count == SymbolRisk.maximumPendingNews {
                    slots[id].risk.pendingNews.removeFirst()
                }
                slots[id].risk.pendingNews.append(PendingNews(features: words, sigmaBefore: sigma))
            }
            let level = decayedNewsShock(slot: id, at: news.ts) + max(0, -sentiment)
            slots[id].risk.newsShock = level
            slots[id].risk.newsShockAt = max(slots[id].risk.newsShockAt, news.ts)
            slots[id].risk.newsDrivers = drivers
            newsShockRule(slot: id, value: level, at: news.ts, headline: news.headline)
        }
    }

    /// New symbols one news item may start tracking; its other unseen symbols are counted as rejected.
    static let newsSymbolsTracked = 4

    /// Adds the return to every pending news item of the symbol; an item whose horizon (the label
    /// horizon in events) is complete teaches the news model log(realised σ after ÷ EWMA σ before).
    private func learnNewsImpact(slot id: Int, return r: Double) {
        let horizon = pipeline.learning.horizonEvents
        for k in slots[id].risk.pendingNews.indices {
            slots[id].risk.pendingNews[k].returns += 1
            slots[id].risk.pendingNews[k].sumOfSquares += r * r
        }
        while let first = slots[id].risk.pendingNews.first, first.returns >= horizon {
            slots[id].risk.pendingNews.removeFirst()
            let after = (first.sumOfSquares / Double(first.returns)).squareRoot()
            let target = log(max(after, 1e-12) / first.sigmaBefore)
            if target.isFinite { newsModel.learn(first.features, target: target) }
        }
    }

    private func decayedNewsShock(slot id: Int, at ts: Int64) -> Double {
        let elapsed = Double(max(0, ts - slots[id].risk.newsShockAt)) / 1e9
        return slots[id].risk.newsShock * exp2(-elapsed / pipeline.risk.newsHalfLifeSeconds)
    }

    /// Lets a raised news shock decay (and clear) as ticks move event time on.
    private func decayNewsShock(slot id: Int, at ts: Int64) {
        guard slots[id].risk.newsRule.level != nil else { return }
        newsShockRule(slot: id, value: decayedNewsShock(slot: id, at: ts), at: ts, headline: nil)
    }

    private func newsShockRule(slot id: Int, value: Double, at ts: Int64, headline: String?) {
        guard let t = slots[id].risk.newsRule.update(value: value, at: ts) else { return }
        let symbol = slots[id].symbol
        let message: String
        switch t.change {
        case .raised, .escalated:
            message = "\(symbol) news shock \(formatRatio(value)) (\(t.severity.rawValue) at \(formatRatio(t.threshold)))"
                + (headline.map { ": \"\($0)\"" } ?? "")
        case .deescalated, .cleared:
            message = "\(symbol) news shock decayed to \(formatRatio(value))"
        }
        emitAlert(t, kind: .newsShock, symbol: symbol, at: ts, message: message, drivers: slots[id].risk.newsDrivers)
    }

    /// Publishes a rule's transition as an alert: its severity (for a clear, the level cleared), state,
    /// value and threshold.
    func emitAlert(
        _ t: ThresholdRule.Transition, kind: Alert.Kind, symbol: String, at ts: Int64, message: String,
        drivers: [Alert.Driver]
    ) {
        emitAlert(
            Alert(
                seq: 0, ts: 0, eventTs: ts, symbol: symbol, kind: kind, severity: t.severity,
                state: t.alertState, value: t.value, threshold: t.threshold, message: message, drivers: drivers))
    }

}

/// Seconds for alert messages: `8.2 s`.
func formatSeconds(_ x: Double) -> String {
    "\((x * 10).rounded() / 10) s"
}

/// A small fraction in basis points with two decimals, for alert messages.
func formatBasisPoints(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    return "\((x * 1_000_000).rounded() / 100) bp"
}

/// A fraction as a percentage with two decimals, for alert messages.
func formatPercent(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    return "\((x * 10_000).rounded() / 100)%"
}
