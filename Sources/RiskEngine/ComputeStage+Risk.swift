#if canImport(Glibc)
import Glibc
#endif
import MarketEvents
import RiskModels

/// The risk measures and their alerts (issue 5): one-step VaR/ES with breaches, drawdown, liquidity
/// stress and news shock. Everything runs on event time, so a replay gives the same alerts.
extension ComputeStage {
    /// Updates the symbol's risk measures with one accepted tick. - Complexity: O(1), no allocation
    /// unless an alert goes out.
    func riskTick(_ tick: Tick, update: SymbolState.Update, slot id: Int) {
        let ts = tick.ts
        if let r = update.acceptedReturn {
            if let forecast = slots[id].risk.pendingForecast { scoreVaR(slot: id, return: r, forecast: forecast, at: ts) }
            slots[id].risk.var_.observe(return: r)
            slots[id].risk.pendingForecast = slots[id].risk.var_.forecast()
            if !slots[id].risk.pendingNews.isEmpty { learnNewsImpact(slot: id, return: r) }
        }
        updateBeta(slot: id, at: ts)
        drawdown(slot: id, at: ts)
        liquidity(tick, slot: id)
        decayNewsShock(slot: id, at: ts)
    }

    // MARK: - VaR breaches

    /// A 99 % one-step VaR is breached by 1 % of returns when it is right, so a breach alone is no news.
    /// `var_breach` is raised when breaches cluster, by the traffic light of the last
    /// `var_breach_window` returns (warning from the yellow zone's first count, critical from the red
    /// zone's, cleared below the yellow count × (1 − 0.4), at most one change per cooldown), and at once,
    /// critical, for a single loss of `var_breach_extreme` × VaR or more.
    private func scoreVaR(slot id: Int, return r: Double, forecast: RiskForecast, at ts: Int64) {
        let breached = forecast.isBreached(by: r)
        let before = slots[id].risk.backtest.recentBreaches
        slots[id].risk.backtest.record(breach: breached)
        let symbol = slots[id].symbol
        let risk = pipeline.risk
        let cooldown = risk.varBreachCooldownMilliseconds * 1_000_000
        let loss = -r
        if breached, loss >= risk.varBreachExtreme * forecast.valueAtRisk {
            let last = slots[id].risk.lastBreachAlert
            if last == .min || ts &- last >= cooldown {
                slots[id].risk.lastBreachAlert = ts
                emitAlert(
                    Alert(
                        seq: 0, ts: 0, eventTs: ts, symbol: symbol, kind: .varBreach, severity: .critical,
                        state: .raised, value: loss, threshold: risk.varBreachExtreme * forecast.valueAtRisk,
                        message: "\(symbol) lost \(formatBasisPoints(loss)) in one tick: "
                            + "\(formatRatio(loss / forecast.valueAtRisk))x its \(formatPercent(risk.confidence)) "
                            + "one-step VaR \(formatBasisPoints(forecast.valueAtRisk)) (\(risk.varMethod.rawValue); "
                            + "ES \(formatBasisPoints(forecast.expectedShortfall)))",
                        drivers: [
                            .init(feature: "log_return", contribution: r),
                            .init(feature: "value_at_risk", contribution: -forecast.valueAtRisk),
                        ] + forecastDriversIfLearning(slot: id)))
            }
        }
        let backtest = slots[id].risk.backtest
        guard backtest.recentBreaches != before, backtest.recentObservations == backtest.baselWindow,
            let t = slots[id].risk.breachRule.update(value: Double(backtest.recentBreaches), at: ts)
        else { return }
        let count = backtest.recentBreaches
        let window = backtest.baselWindow
        let expected = (1 - risk.confidence) * Double(window)
        let zone = BaselZone.zone(breaches: count, observations: window, confidence: risk.confidence)
        let message: String
        switch t.change {
        case .raised, .escalated, .deescalated:
            message = "\(symbol): \(count) breaches of the \(formatPercent(risk.confidence)) one-step VaR "
                + "(\(risk.varMethod.rawValue)) in the last \(window) returns, \(formatRatio(expected)) expected: "
                + "\(zone.rawValue) zone"
        case .cleared:
            message = "\(symbol): \(count) VaR breaches in the last \(window) returns, back near the "
                + "\(formatRatio(expected)) expected"
        }
        emitAlert(
            t, kind: .varBreach, symbol: symbol, at: ts, message: message,
            drivers: [
                .init(feature: "breaches", contribution: Double(count)),
                .init(feature: "expected_breaches", contribution: expected),
            ])
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
        for symbol in news.symbols {
            guard let id = slot(for: symbol) else { continue }
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

    func forecastDriversIfLearning(slot id: Int) -> [Alert.Driver] {
        pipeline.learning.enabled && slots[id].risk.forecastIsLearned ? forecastDrivers(slot: id, limit: 3) : []
    }
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
