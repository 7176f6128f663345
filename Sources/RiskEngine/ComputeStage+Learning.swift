import MarketEvents
import OnlineLearning
import RiskModels

/// The learning stage (issue 5): per-symbol features, delayed labels, models scored before they learn,
/// and the learned volatility forecast.
///
/// Every model predicts the ratio of forward realised volatility (over the label horizon) to the EWMA
/// volatility at the time of the row. A row is `[features…, EWMA σ per event, EWMA σ annualised,
/// each model's prediction…]`: the predictions made at the row's time are stored with it, so when the
/// label matures each model is scored on the forecast it actually made, then learns the row.
extension ComputeStage {
    /// Feeds one accepted tick to the symbol's features and labels, learns the rows it matures, and
    /// refreshes the symbol's forecast. - Complexity: O(features × models) per tick plus the models' own
    /// cost (a forest's learn dominates); no allocation after warm-up.
    func learningTick(_ tick: Tick, update: SymbolState.Update, slot id: Int) {
        let isReference = slots[id].symbol == pipeline.learning.referenceSymbol
        if !isReference { slots[id].risk.features.setIndexReturn(indexReturn) }
        slots[id].risk.features.observe(tick: tick, update: update, state: slots[id].state)
        if let r = update.acceptedReturn {
            if isReference { indexReturn = r }
            slots[id].risk.labels.observe(return: r, ts: tick.ts)
        } else {
            slots[id].risk.labels.advance(to: tick.ts)
        }
        learnMatured(slot: id, at: tick.ts)
        clearDriftIfQuiet(slot: id, at: tick.ts)
        forecast(slot: id, at: tick.ts)
    }

    /// Scores and learns every row whose label has matured.
    private func learnMatured(slot id: Int, at ts: Int64) {
        let w = featureWidth
        let rowWidth = w + 2 + modelCount
        var n = 0
        maturedRows.removeAll(keepingCapacity: true)
        maturedTargets.removeAll(keepingCapacity: true)
        slots[id].risk.labels.popMatured { row, labels, _ in
            maturedRows.append(contentsOf: row)
            maturedTargets.append(labels[0])
            n += 1
        }
        guard n > 0 else { return }
        for k in 0..<n {
            let base = k * rowWidth
            let perEvent = maturedRows[base + w]
            let annual = maturedRows[base + w + 1]
            guard perEvent > 0, annual > 0 else { continue }
            let target = maturedTargets[k] / perEvent
            guard target.isFinite else { continue }
            for j in 0..<w { learnScratch[j] = maturedRows[base + j] }
            let driving = drivingModel(slot: id)
            // Drift is watched on one scored model at a time: a new driving model starts a fresh window.
            let watched = slots[id].risk.scores.mae(driving, minimumScored: minimumScored) != nil
            if watched && slots[id].risk.driftModel != driving {
                slots[id].risk.driftModel = driving
                slots[id].risk.drift.reset()
            }
            for m in 0..<modelCount {
                let prediction = maturedRows[base + w + 2 + m]
                slots[id].risk.scores.score(model: m, prediction: prediction * annual, target: target * annual)
                if m == driving && watched { driftCheck(slot: id, residual: abs(prediction - target), at: ts) }
                if slots[id].risk.models[m] != nil {
                    slots[id].risk.models[m]!.learn(learnScratch, target)
                } else {
                    sharedModels[m]!.learn(learnScratch, target)
                }
            }
            slots[id].risk.scores.score(model: modelCount, prediction: annual, target: target * annual)
        }
    }

    /// Refreshes the symbol's forecast ratios and, when the volatility is warm, enqueues the row (one
    /// accepted tick in `learning.row_every`).
    private func forecast(slot id: Int, at ts: Int64) {
        let volatility = slots[id].state.volatility
        guard volatility.isWarm,
            let annual = volatility.annualized(tradingSecondsPerYear: pipeline.volatility.tradingSecondsPerYear),
            annual > 0, volatility.perEventVolatility > 0
        else { return }
        let w = featureWidth
        rowScratch.withUnsafeMutableBufferPointer { row in
            slots[id].risk.features.write(into: UnsafeMutableBufferPointer(rebasing: row[0..<w]))
            row[w] = volatility.perEventVolatility
            row[w + 1] = annual
            let x = UnsafeBufferPointer(rebasing: row[0..<w])
            for m in 0..<modelCount {
                let p = slots[id].risk.models[m]?.predict(buffer: x) ?? sharedModels[m]!.predict(buffer: x)
                let ratio = p.isFinite ? max(p, 0) : 1
                slots[id].risk.ratios[m] = ratio
                row[w + 2 + m] = ratio
            }
            slots[id].risk.rowsSkipped += 1
            guard slots[id].risk.rowsSkipped >= pipeline.learning.rowEvery else { return }
            slots[id].risk.rowsSkipped = 0
            let dropped = slots[id].risk.labels.droppedRows
            slots[id].risk.labels.append(features: UnsafeBufferPointer(row), ts: ts)
            if slots[id].risk.labels.droppedRows != dropped { counters.pendingDropped.wrappingAdd(1, ordering: .relaxed) }
        }
        let minimum = minimumScored
        switch pipeline.learning.drive {
        case .best:
            // A learned model drives only while its rolling error is below the EWMA's.
            let d = drivingModel(slot: id)
            let ewmaMAE = slots[id].risk.scores.mae(modelCount, minimumScored: minimum) ?? .infinity
            let learned = (slots[id].risk.scores.mae(d, minimumScored: minimum) ?? .infinity) < ewmaMAE
            slots[id].risk.forecast = learned ? slots[id].risk.ratios[d] * annual : annual
            slots[id].risk.forecastIsLearned = learned
        case .ensemble:
            var weighted = 0.0
            var weights = 0.0
            for m in 0..<modelCount {
                guard let mae = slots[id].risk.scores.mae(m, minimumScored: minimum) else { continue }
                let weight = 1 / max(mae, 1e-12)
                weighted += weight * slots[id].risk.ratios[m]
                weights += weight
            }
            slots[id].risk.forecast = weights > 0 ? weighted / weights * annual : annual
            slots[id].risk.forecastIsLearned = weights > 0
        }
    }

    /// Rows a model must have been scored on before its forecast is used.
    var minimumScored: Int { max(1, min(50, pipeline.learning.scoreWindow / 2)) }

    /// The model with the lowest rolling MAE on this symbol (the first model until any is scored).
    func drivingModel(slot id: Int) -> Int {
        var best = 0
        var bestMAE = Double.infinity
        for m in 0..<modelCount {
            if let mae = slots[id].risk.scores.mae(m, minimumScored: minimumScored), mae < bestMAE {
                best = m
                bestMAE = mae
            }
        }
        return best
    }

    /// The driving forecast's explanation: each feature's contribution, in annualised volatility, the
    /// largest `limit` by magnitude. Linear models give coefficient × standardised value; trees and
    /// forests the split-based attribution along the path.
    func forecastDrivers(slot id: Int, limit: Int = 5) -> [Alert.Driver] {
        let w = featureWidth
        let volatility = slots[id].state.volatility
        guard let annual = volatility.annualized(tradingSecondsPerYear: pipeline.volatility.tradingSecondsPerYear)
        else { return [] }
        for j in 0..<w { learnScratch[j] = slots[id].risk.features.value(at: j) }
        var totals = [Double](repeating: 0, count: w)
        var models: [Int] = []
        switch pipeline.learning.drive {
        case .best: models = [drivingModel(slot: id)]
        case .ensemble: models = Array(0..<modelCount)
        }
        for m in models {
            let c = slots[id].risk.models[m]?.contributions(learnScratch) ?? sharedModels[m]!.contributions(learnScratch)
            for j in 0..<w where c[j].isFinite { totals[j] += c[j] / Double(models.count) }
        }
        return (0..<w).map { Alert.Driver(feature: featureNames[$0], contribution: totals[$0] * annual) }
            .sorted { abs($0.contribution) > abs($1.contribution) }
            .prefix(limit).map { $0 }
    }

    /// Feeds ADWIN the driving model's absolute residual. A detected change to larger errors of at least
    /// `drift_min_ratio` becomes pending; if the mean error is still that high `drift_confirm_rows`
    /// scored rows later, `model_drift` is raised (at most once per `drift_cooldown_ms`). A change to
    /// smaller errors is the model doing better, not news; a short-lived one is noise.
    private func driftCheck(slot id: Int, residual: Double, at ts: Int64) {
        guard residual.isFinite else { return }
        let ratio = pipeline.risk.driftMinimumRatio
        let estimateBefore = slots[id].risk.drift.estimation
        let detected = slots[id].risk.drift.update(residual)
        if detected, slots[id].risk.drift.estimation >= ratio * estimateBefore, slots[id].risk.driftPending == nil {
            slots[id].risk.driftPending = (estimateBefore, 0, ts)
        }
        guard var pending = slots[id].risk.driftPending else { return }
        pending.rows += 1
        slots[id].risk.driftPending = pending
        guard pending.rows >= pipeline.risk.driftConfirmRows,
            ts &- pending.since >= pipeline.risk.driftConfirmMilliseconds * 1_000_000
        else { return }
        slots[id].risk.driftPending = nil
        let before = pending.before
        let after = slots[id].risk.drift.estimation
        guard after >= ratio * before else { return }
        let cooldown = pipeline.risk.driftCooldownMilliseconds * 1_000_000
        let last = slots[id].risk.lastDriftAlert
        slots[id].risk.lastDriftAlert = ts
        guard last == .min || ts &- last >= cooldown || !slots[id].risk.driftRaised else { return }
        slots[id].risk.driftRaised = true
        let name = pipeline.learning.models[drivingModel(slot: id)].name
        emitAlert(
            Alert(
                seq: 0, ts: 0, eventTs: ts, symbol: slots[id].symbol, kind: .modelDrift, severity: .warning,
                state: .raised, value: after, threshold: before,
                message: "\(slots[id].symbol): model '\(name)' errors shifted up and stayed up (ADWIN, "
                    + "\(formatSeconds(Double(ts &- pending.since) / 1e9))): mean |error| \(formatRatio(after)) of EWMA volatility, "
                    + "was \(formatRatio(before)); forecasts are less reliable while the models adapt",
                drivers: [
                    .init(feature: "mean_abs_error_ratio", contribution: after),
                    .init(feature: "mean_abs_error_ratio_before", contribution: before),
                ] + forecastDrivers(slot: id, limit: 3)))
    }

    /// A raised `model_drift` clears once a cooldown of event time passed without another shift up.
    func clearDriftIfQuiet(slot id: Int, at ts: Int64) {
        guard slots[id].risk.driftRaised,
            ts &- slots[id].risk.lastDriftAlert >= pipeline.risk.driftCooldownMilliseconds * 1_000_000
        else { return }
        slots[id].risk.driftRaised = false
        let mean = slots[id].risk.drift.estimation
        emitAlert(
            Alert(
                seq: 0, ts: 0, eventTs: ts, symbol: slots[id].symbol, kind: .modelDrift, severity: .info,
                state: .cleared, value: mean, threshold: 0,
                message: "\(slots[id].symbol): model errors stable again (mean |error| \(formatRatio(mean)))",
                drivers: [.init(feature: "mean_abs_error_ratio", contribution: mean)]))
    }
}

/// A ratio with three decimals, for alert messages.
func formatRatio(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    let scaled = (x * 1000).rounded() / 1000
    return "\(scaled)"
}
