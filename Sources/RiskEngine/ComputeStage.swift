#if canImport(Glibc)
import Glibc
#endif
import MarketEvents
import OnlineLearning
import RiskModels
import Synchronization

/// The compute thread's work: per-symbol state, data quality, the EWMA volatility rule, periodic risk
/// snapshots and heartbeats, all published through `Publisher`.
///
/// Single-threaded by design (one owner, no locks): events are processed in ring order, so the same
/// input gives the same alerts. Rules run on event time (`ts` of the events), so replays agree; only
/// outbound `ts`, `lag_ns` and staleness use the wall clock.
final class ComputeStage {
    let pipeline: Pipeline
    let counters: EngineCounters
    let publisher: Publisher
    /// Open alerts and the newest risk snapshots, for subscribers that join late.
    let openState = OpenState()
    var snapshotService: SnapshotService?
    /// Per-symbol alerts folded into market-wide ones.
    var marketWide: MarketWideAlerts
    /// Interned symbols: `index[symbol]` is the slot in `slots`.
    var index: [String: Int] = [:]
    var slots: [SymbolSlot] = []
    /// Slots created by news for symbols no tick or position has named yet (`symbols.news_max` at most).
    var newsOnlySlots = 0
    private var rejectedSymbolsReported: Set<String> = []
    private var eventsIn: UInt64 = 0
    private var newestTs: Int64 = 0
    /// Suspect jumps across symbols: many at once, the same way, is a market move, not bad prints.
    private var marketMoves: MarketMoveDetector
    /// The engine's own overload (its ring dropping events): drops already reported, and when the open
    /// `ENGINE` alert was last raised and last saw a drop (monotonic clock), if it is open.
    private var ringDropsReported: UInt64 = 0
    private var overload: (raisedAt: Int64, lastDropAt: Int64)?
    /// Journal errors and drops already reported, and when drops last were.
    private var journalReported: (errors: UInt64, dropped: UInt64, droppedAt: Int64) = (0, 0, .min / 2)

    // The learning stage (ComputeStage+Learning.swift).
    let specs: [FeatureSpec]
    let featureNames: [String]
    var featureWidth: Int { specs.count }
    let modelCount: Int
    /// Models of `shared` scope, by model index (`nil` for per-symbol ones).
    var sharedModels: [(any ExplainableRegressor)?]
    /// Scratch, reused every tick: matured rows and their labels, one feature row, one full row.
    var maturedRows: [Double] = []
    var maturedTargets: [Double] = []
    var learnScratch: [Double]
    var rowScratch: [Double]
    /// The reference symbol's newest return (`index_return`).
    var indexReturn = 0.0
    // News and hedging (ComputeStage+Risk.swift, ComputeStage+Hedging.swift).
    let lexicon: SentimentLexicon
    /// Hashed bag of words → expected log ratio of the volatility after a news item to before it; one
    /// model for all symbols, learning as each item's horizon matures.
    var newsModel = NewsImpactModel()
    var positions: [PositionKey: Position] = [:]
    /// Open positions per account: the accounts held, bounded by `hedging.max_accounts` (at most one
    /// position per tracked symbol each, so `positions` is bounded too).
    var accountPositions: [String: Int] = [:]
    var accountLimitReported = false
    /// One gate per account and symbol (and per account and hedge instrument, `*` + symbol, for
    /// portfolios): no repeated signal while nothing material changed.
    var hedgeGates: [PositionKey: HedgeSignalGate] = [:]
    let hedgeSizing: HedgeSizing

    /// - Precondition: `pipeline.learning.features` are valid feature names (`Engine.init` checks).
    init(pipeline: Pipeline, counters: EngineCounters, lexicon: SentimentLexicon, publisher: Publisher) {
        self.pipeline = pipeline
        self.counters = counters
        self.publisher = publisher
        self.lexicon = lexicon
        marketWide = MarketWideAlerts(configuration: pipeline.risk.market)
        marketMoves = MarketMoveDetector(
            configuration: .init(
                minimumSymbols: pipeline.dataQuality.marketMoveSymbols,
                window: pipeline.dataQuality.marketMoveWindowMilliseconds * 1_000_000))
        hedgeSizing = HedgeSizing(minimumRSquared: pipeline.hedging.minimumRSquared)
        let learning = pipeline.learning
        let window = pipeline.symbols.window
        let specs = learning.enabled ? learning.features.map { try! FeatureSpec.parse($0, windowCapacity: window) } : []
        let modelCount = learning.enabled ? learning.models.count : 0
        self.specs = specs
        self.modelCount = modelCount
        featureNames = specs.map(\.name)
        sharedModels = (0..<modelCount).map { m in
            learning.models[m].scope == .shared ? makeStageModel(learning.models[m], featureCount: specs.count) : nil
        }
        learnScratch = Array(repeating: 0, count: specs.count)
        rowScratch = Array(repeating: 0, count: specs.count + 2 + modelCount)
        index.reserveCapacity(pipeline.symbols.max + pipeline.symbols.newsMax)
        slots.reserveCapacity(pipeline.symbols.max + pipeline.symbols.newsMax)
    }

    /// Symbols tracked so far, in first-seen order.
    var symbols: [String] { slots.map(\.symbol) }

    // MARK: - Events

    /// Processes one inbound event. - Complexity: O(1) amortised; no allocation for ticks of known symbols.
    func process(_ event: WireEvent, sequence: SequenceCheck, now: Int64) {
        switch event {
        case .tick(let tick): process(tick, sequence: sequence, now: now)
        case .news(let news):
            guard plausibleEventTime(news.ts, now: now, topic: "news.\(news.symbols[0])", symbol: news.symbols[0])
            else { return }
            noteEventTime(news.ts)
            processNews(news)
        case .position(let position):
            guard
                plausibleEventTime(
                    position.ts, now: now, topic: "position.\(position.account)", symbol: position.symbol)
            else { return }
            noteEventTime(position.ts)
            processPosition(position)
        case .alert, .hedge, .risk, .heartbeat: break  // ingest only passes inbound kinds
        }
    }

    /// Whether a news item's or position's `ts` may be used as event time: positive, not more than
    /// `max_ahead_ms` ahead of the clock (when the clock is real), not more than `max_forward_jump_ms`
    /// ahead of the newest event time. Otherwise the event is quarantined (counted) and, when its symbol
    /// is tracked, a `data_quality` alert names it, at most once per cooldown per symbol.
    private func plausibleEventTime(_ ts: Int64, now: Int64, topic: String, symbol: String) -> Bool {
        let dq = pipeline.dataQuality
        let problem: (value: Double, threshold: Double, text: String)?
        if ts <= 0 {
            problem = (Double(ts), 0, "is not a time after the epoch")
        } else if now >= DataQualityMonitor.plausibleClock, ts &- now > dq.maxAheadMilliseconds * 1_000_000 {
            let ahead = Double(ts &- now) / 1e9
            problem = (ahead, Double(dq.maxAheadMilliseconds) / 1e3, "is \(ahead) s ahead of the engine's clock")
        } else if newestTs > 0, ts &- newestTs > dq.maxForwardJumpMilliseconds * 1_000_000 {
            let ahead = Double(ts &- newestTs) / 1e9
            problem = (
                ahead, Double(dq.maxForwardJumpMilliseconds) / 1e3, "jumps \(ahead) s ahead of the newest event time"
            )
        } else {
            problem = nil
        }
        guard let problem else { return true }
        counters.quarantined.wrappingAdd(1, ordering: .relaxed)
        let issue = DataQualityKind.timestampJump
        guard let id = index[symbol], slots[id].allowDataQualityAlert(issue, at: newestTs) else { return false }
        emitAlert(
            Alert(
                seq: 0, ts: 0, eventTs: newestTs, symbol: symbol, kind: .dataQuality, severity: .warning,
                state: .raised, value: problem.value, threshold: problem.threshold,
                message: "ts \(ts) on \(topic) \(problem.text); event quarantined (its time is not used)",
                drivers: [.init(feature: issue.rawValue, contribution: problem.value)]))
        return false
    }

    private func noteEventTime(_ ts: Int64) {
        if ts > newestTs {
            newestTs = ts
            counters.newestEventTs.store(ts, ordering: .relaxed)
        }
    }

    /// Hands the tick to its symbol's state, then processes every tick the state releases (a jump is
    /// held until the prints after it decide, `SymbolState`): alerts for what data quality found, and the
    /// learning and risk stages for the accepted ones. A jump that makes a market-wide move with other
    /// symbols' pending jumps confirms all of them at once. - Complexity: O(1) amortised per tick; O(symbols)
    /// when a market-wide move is recognised.
    private func process(_ tick: Tick, sequence: SequenceCheck, now: Int64) {
        guard let id = slot(for: tick.symbol) else { return }
        slots[id].lastEventTs = tick.ts
        if let jump = slots[id].state.receive(tick, now: now, sequence: sequence),
            marketMoves.note(symbol: id, jumpReturn: jump.jumpReturn, at: jump.ts)
        {
            for other in slots.indices {
                guard let pending = slots[other].state.pendingJump,
                    marketMoves.isPart(of: pending.jumpReturn < 0 ? -1 : 1, ts: pending.ts)
                else { continue }
                slots[other].state.confirmPendingJump()
                if other != id { processReleased(slot: other) }
            }
        }
        processReleased(slot: id)
    }

    private func processReleased(slot id: Int) {
        while let release = slots[id].state.nextReleased() {
            process(release.tick, update: release.update, slot: id)
        }
    }

    private func process(_ tick: Tick, update: SymbolState.Update, slot id: Int) {
        // Counted before it is raised, so a subscriber that sees the alert sees the count.
        if update.report.isQuarantined { counters.quarantined.wrappingAdd(1, ordering: .relaxed) }
        if !update.report.issues.isEmpty {
            dataQualityAlerts(update.report, slot: id, tick: tick)
        }
        if update.report.isQuarantined { return }
        // Only an accepted tick's time is event time: a quarantined one (far ahead of the clock, a jump,
        // backwards) never drives lag_ns or the timers.
        noteEventTime(tick.ts)
        // A quarantined print never sets the price or its high-water mark (a bad print would fake a drawdown).
        slots[id].lastPrice = tick.price
        slots[id].highWater = max(slots[id].highWater, tick.price)
        if modelCount > 0 { learningTick(tick, update: update, slot: id) }
        riskTick(tick, update: update, slot: id)
    }

    /// The slot for `symbol`, creating it if there is room; `nil` (counted, reported once) beyond the
    /// configured maximum or outside the listed universe. Ticks and positions (`fromNews` false) have
    /// `symbols.max` slots; news has its own `symbols.news_max` for symbols nothing else named yet, so it
    /// can never take a slot a traded symbol needs. A news-only slot becomes an ordinary one when the
    /// symbol first trades.
    func slot(for symbol: String, fromNews: Bool = false) -> Int? {
        if let id = index[symbol] {
            if !fromNews, slots[id].newsOnly {
                slots[id].newsOnly = false
                newsOnlySlots -= 1
            }
            return id
        }
        let universe = pipeline.symbols.universe
        let room =
            fromNews
            ? newsOnlySlots < pipeline.symbols.newsMax : slots.count - newsOnlySlots < pipeline.symbols.max
        guard room, universe.isEmpty || universe.contains(symbol) else {
            counters.rejectedSymbols.wrappingAdd(1, ordering: .relaxed)
            if rejectedSymbolsReported.count < 64, rejectedSymbolsReported.insert(symbol).inserted {
                EngineLog.write(
                    .warn, "compute",
                    universe.isEmpty || universe.contains(symbol)
                        ? "symbol limit reached; events for this symbol are rejected"
                        : "symbol outside symbols.universe; its events are rejected",
                    [("symbol", symbol), ("max", "\(pipeline.symbols.max)")])
            }
            return nil
        }
        let id = slots.count
        index[symbol] = id
        slots.append(
            SymbolSlot(
                symbol: symbol, pipeline: pipeline, specs: specs, modelCount: modelCount))
        if fromNews {
            slots[id].newsOnly = true
            newsOnlySlots += 1
        }
        return id
    }

    // MARK: - Alerts

    private func dataQualityAlerts(_ report: DataQualityReport, slot id: Int, tick: Tick) {
        let symbol = slots[id].symbol
        let topic = "tick.\(symbol)"
        for issue in DataQualityKind.allCases where report.issues.contains(issue.issue) {
            let (value, threshold, message, state): (Double, Double, String, Alert.State)
            switch issue {
            case .sequenceGap:
                (value, threshold) = (Double(report.missedCount), 0)
                message = "sequence gap on \(topic): expected seq \(report.expectedSeq), got \(report.receivedSeq) "
                    + "(\(report.missedCount) lost upstream of the engine: at the publisher or a ZeroMQ high-water mark)"
                state = .raised
            case .sequenceBackwards:
                (value, threshold) = (Double(report.receivedSeq), Double(report.expectedSeq))
                message = "sequence went backwards on \(topic): expected seq \(report.expectedSeq), got "
                    + "\(report.receivedSeq) (duplicate or publisher restart); event quarantined"
                state = .raised
            case .crossedQuote:
                (value, threshold) = (report.bid - report.ask, 0)
                message = "crossed quote on \(topic): bid \(report.bid) > ask \(report.ask); event quarantined"
                state = .raised
            case .timestampBackwards:
                (value, threshold) = (
                    Double(report.backwardsBy) / 1e6, Double(pipeline.dataQuality.backwardsToleranceMilliseconds)
                )
                message = "timestamp went backwards on \(topic) by \(Double(report.backwardsBy) / 1e6) ms; "
                    + "event quarantined"
                state = .raised
            case .timestampJump:
                let hours = (Double(report.jumpedBy) / 3.6e11).rounded() / 10
                (value, threshold) = (
                    Double(report.jumpedBy) / 1e9, Double(pipeline.dataQuality.maxForwardJumpMilliseconds) / 1e3
                )
                message = "ts \(tick.ts) on \(topic) jumps \(hours) h ahead of the topic's newest event; event "
                    + "quarantined (its time is not used)"
                state = .raised
            case .priceJump:
                (value, threshold) = (report.jumpSigmas, pipeline.dataQuality.jumpSigmas)
                let bp = Int((report.jumpReturn * 10_000).rounded())
                message = "bad print on \(topic): a jump of \(bp) bp (\(Int(report.jumpSigmas)) EWMA sigmas) that "
                    + "the next print reverted; event quarantined"
                state = .raised
            case .implausibleTimestamp:
                // Another unit: value × ts is nanoseconds (threshold 1). Ahead: seconds ahead of the clock.
                switch report.timestampUnit {
                case .nanoseconds?:
                    let hours = (Double(report.aheadBy) / 3.6e11).rounded() / 10
                    (value, threshold) = (
                        Double(report.aheadBy) / 1e9, Double(pipeline.dataQuality.maxAheadMilliseconds) / 1e3
                    )
                    message = "ts \(tick.ts) on \(topic) is \(hours) h ahead of the engine's clock; event quarantined"
                case let unit?:
                    (value, threshold) = (Double(unit.nanoseconds), 1)
                    message = "ts \(tick.ts) on \(topic) looks like \(unit.rawValue) since the epoch, not "
                        + "nanoseconds; event quarantined"
                case nil:
                    (value, threshold) = (Double(tick.ts), 0)
                    message = "ts \(tick.ts) on \(topic) is not a time since the epoch in any unit; event quarantined"
                }
                state = .raised
            case .stale:
                (value, threshold) = (
                    Double(report.silence) / 1e9, Double(pipeline.dataQuality.staleAfterMilliseconds) / 1e3
                )
                message = "\(topic) recovered after \(Double(Int(Double(report.silence) / 1e6)) / 1e3) s of silence"
                state = .cleared
            }
            if state == .raised && !slots[id].allowDataQualityAlert(issue, at: tick.ts) { continue }
            emitAlert(
                Alert(
                    seq: 0, ts: 0, eventTs: tick.ts, symbol: symbol, kind: .dataQuality,
                    severity: state == .cleared ? .info : .warning, state: state, value: value, threshold: threshold,
                    message: message, drivers: [.init(feature: issue.rawValue, contribution: value)]))
        }
    }

    /// The symbol of alerts about the engine itself.
    static let engineSymbol = "ENGINE"

    /// Raises a critical `data_quality` alert on `ENGINE` when the engine's ring has dropped events
    /// (`ingest.when_full` chose to lose them: the engine is overloaded, not the feed), re-raised with
    /// the new total at most once per data-quality cooldown while drops go on, and cleared once none
    /// came for 10 s. Cheap when nothing changed: one comparison.
    func noteRingDrops(_ dropped: UInt64, now: Int64) {
        let quietBeforeClear: Int64 = 10_000_000_000
        if dropped == ringDropsReported {
            if let open = overload, now - open.lastDropAt >= quietBeforeClear {
                overload = nil
                emitAlert(engineOverloadAlert(dropped: dropped, state: .cleared))
            }
            return
        }
        let cooldown = pipeline.dataQuality.cooldownMilliseconds * 1_000_000
        if let open = overload, now - open.raisedAt < cooldown {
            overload = (open.raisedAt, now)
            return
        }
        overload = (now, now)
        emitAlert(engineOverloadAlert(dropped: dropped - ringDropsReported, state: .raised))
        ringDropsReported = dropped
    }

    /// Raises a critical `data_quality` alert on `ENGINE` when the journal writer stops on an error (a
    /// full disk, an I/O error: frames are no longer recorded), and a warning, at most once per
    /// data-quality cooldown, when its queue was full and frames went unrecorded. Reads the counters
    /// ingest copies from the writer; one comparison when nothing changed.
    func noteJournal(now: Int64) {
        let errors = counters.journalErrors.load(ordering: .relaxed)
        if errors != journalReported.errors {
            journalReported.errors = errors
            emitAlert(
                Alert(
                    seq: 0, ts: 0, eventTs: newestTs, symbol: Self.engineSymbol, kind: .dataQuality, severity: .critical,
                    state: .raised, value: Double(errors), threshold: 0,
                    message: "journal stopped on a write error (full disk or I/O error; see the engine's log): "
                        + "frames received from now on are not recorded",
                    drivers: [.init(feature: "journal_errors", contribution: Double(errors))]))
        }
        let dropped = counters.journalDropped.load(ordering: .relaxed)
        let cooldown = pipeline.dataQuality.cooldownMilliseconds * 1_000_000
        if dropped != journalReported.dropped, now - journalReported.droppedAt >= cooldown {
            let lost = dropped - journalReported.dropped
            journalReported.dropped = dropped
            journalReported.droppedAt = now
            emitAlert(
                Alert(
                    seq: 0, ts: 0, eventTs: newestTs, symbol: Self.engineSymbol, kind: .dataQuality, severity: .warning,
                    state: .raised, value: Double(lost), threshold: 0,
                    message: "journal queue full: \(lost) received frames not recorded (the disk is slower than the feed)",
                    drivers: [.init(feature: "journal_dropped_frames", contribution: Double(lost))]))
        }
    }

    private func engineOverloadAlert(dropped: UInt64, state: Alert.State) -> Alert {
        let policy = pipeline.ingest.whenFull.rawValue
        let message =
            state == .raised
            ? "engine overloaded: its ring (\(pipeline.ingest.ringCapacity) events, when_full: \(policy)) dropped "
                + "\(dropped) received events since the last report; a loss inside the engine, not the feed's"
            : "engine keeps up again: no event dropped by its ring for 10 s (\(dropped) dropped since start)"
        return Alert(
            seq: 0, ts: 0, eventTs: newestTs, symbol: Self.engineSymbol, kind: .dataQuality,
            severity: state == .raised ? .critical : .info, state: state, value: Double(dropped), threshold: 0,
            message: message, drivers: [.init(feature: "ring_dropped_events", contribution: Double(dropped))])
    }

    /// Publishes an alert, or the market-wide alert it is folded into (`MarketWideAlerts`), and keeps
    /// the open state for late subscribers.
    func emitAlert(_ alert: Alert) {
        let before = marketWide.folded
        // Symbols with an event in the market-wide window: the market, as far as it is trading now.
        var active = 0
        if alert.kind != .dataQuality {
            let since = alert.eventTs &- marketWide.window
            for slot in slots where slot.lastEventTs >= since { active += 1 }
        }
        for out in marketWide.route(alert, symbolsSeen: active) {
            openState.record(publisher.publish(.alert(out)))
            counters.alertsOut.wrappingAdd(1, ordering: .relaxed)
        }
        if marketWide.folded != before { counters.alertsFolded.store(marketWide.folded, ordering: .relaxed) }
    }

    /// When each timer of `advance(to:ringDropped:)` next falls due, on the clock it is given (`nil`
    /// before the first call, which starts them).
    private var timers: (heartbeat: Int64, snapshot: Int64, stale: Int64)?

    /// Runs the timers due at `now`: the staleness check and late subscribers' snapshot requests (every
    /// `stale_after_ms / 4`, at most 100 ms), the engine's overload report, risk snapshots (every
    /// `risk_snapshot_ms`, if not 0) and heartbeats (every `heartbeat_ms`). `now` is the receive clock
    /// (nanoseconds since the epoch: the wall clock live); a clock that steps back runs nothing until it
    /// passes the deadlines again. Returns the next deadline, for the caller's wait.
    /// - Complexity: O(1) when nothing is due; O(symbols) for a staleness check or snapshots.
    @discardableResult
    func advance(to now: Int64, ringDropped: UInt64) -> Int64 {
        let publish = pipeline.publish
        let heartbeatEvery = publish.heartbeatMilliseconds * 1_000_000
        let snapshotEvery = publish.riskSnapshotMilliseconds * 1_000_000
        let staleEvery = min(pipeline.dataQuality.staleAfterMilliseconds * 1_000_000 / 4, 100_000_000)
        var due = timers ?? (now + heartbeatEvery, snapshotEvery > 0 ? now + snapshotEvery : .max, now + staleEvery)
        if now >= due.stale {
            checkStale(now: now)
            // Late subscribers' snapshot requests, on the same ≤ 100 ms timer: no socket call per batch.
            serveSnapshots()
            due.stale = now + staleEvery
        }
        if now >= due.snapshot {
            publishSnapshots()
            due.snapshot = now + snapshotEvery
        }
        noteRingDrops(ringDropped, now: now)
        noteJournal(now: now)
        if now >= due.heartbeat {
            publishHeartbeat(dropped: ringDropped, now: now)
            due.heartbeat = now + heartbeatEvery
        }
        timers = due
        return min(due.heartbeat, due.snapshot, due.stale)
    }

    /// Forgets the timers' deadlines: the next `advance` starts them afresh (after a recovery on a
    /// recorded clock, the live wall clock takes over).
    func restartTimers() { timers = nil }

    /// Runs every timer due up to `time`, each at its own deadline, as a live engine whose clock passed
    /// through them would (a replay's recorded clock); `next` is the deadline `advance` returned last
    /// (`nil` before the first). Outbound `ts` is the deadline, then `time`.
    func catchUp(to time: Int64, next: inout Int64?) {
        guard var due = next else {
            publisher.clock = time
            next = advance(to: time, ringDropped: 0)
            return
        }
        while due <= time {
            publisher.clock = due
            due = advance(to: due, ringDropped: 0)
        }
        next = due
        publisher.clock = time
    }

    /// Answers late subscribers' snapshot requests, if the service is on.
    func serveSnapshots() {
        snapshotService?.serve(openState, lastSeq: publisher.seq)
    }

    // MARK: - Timers

    /// Raises `data_quality` for symbols silent beyond `stale_after_ms` (once per silence).
    func checkStale(now: Int64) {
        for id in slots.indices {
            guard let silence = slots[id].state.checkStale(now: now) else { continue }
            let symbol = slots[id].symbol
            let seconds = Double(Int(Double(silence) / 1e6)) / 1e3
            emitAlert(
                Alert(
                    seq: 0, ts: 0, eventTs: slots[id].lastEventTs, symbol: symbol, kind: .dataQuality,
                    severity: .warning, state: .raised, value: Double(silence) / 1e9,
                    threshold: Double(pipeline.dataQuality.staleAfterMilliseconds) / 1e3,
                    message: "stale feed: no event on tick.\(symbol) for \(seconds) s",
                    drivers: [.init(feature: "stale", contribution: Double(silence) / 1e9)]))
        }
    }

    /// One `risk.<SYMBOL>` snapshot per tracked symbol: price, the reported volatility (annualised), the
    /// VaR and ES of the first horizon (fractions of price) and every horizon's, drawdown, and every
    /// model's annualised forecast with its rolling MAE (`ewma` first; `null` until a model is scored).
    func publishSnapshots() {
        for id in slots.indices {
            let slot = slots[id]
            let volatility = slot.state.volatility
            let annual = volatility.isWarm
                ? volatility.annualized(tradingSecondsPerYear: pipeline.volatility.tradingSecondsPerYear) : nil
            var models = [
                RiskSnapshot.ModelScore(
                    model: "ewma", forecast: annual, mae: slot.risk.scores.mae(modelCount, minimumScored: 1))
            ]
            for m in 0..<modelCount {
                let mae = slot.risk.scores.mae(m, minimumScored: 1)
                models.append(
                    .init(
                        model: pipeline.learning.models[m].name,
                        forecast: mae == nil ? nil : annual.map { slot.risk.ratios[m] * $0 }, mae: mae))
            }
            let horizons = slot.risk.horizons.map { h in
                RiskSnapshot.HorizonRisk(
                    horizonSeconds: h.horizonSeconds, valueAtRisk: h.forecast?.priceLossFraction,
                    expectedShortfall: h.forecast.map { -expm1(-$0.expectedShortfall) },
                    breaches: UInt64(h.backtest.recentBreaches), windows: UInt64(h.backtest.recentObservations))
            }
            let first = horizons.first
            let sent = publisher.publish(
                .risk(
                    RiskSnapshot(
                        seq: 0, ts: 0, symbol: slot.symbol, price: slot.lastPrice,
                        volatility: slot.risk.intraday.isWarm && slot.risk.forecastIsLearned
                            ? slot.risk.forecast : reportedVolatility(slot: id)?.value,
                        valueAtRisk: first?.valueAtRisk, expectedShortfall: first?.expectedShortfall,
                        confidence: first?.valueAtRisk == nil ? nil : pipeline.risk.confidence,
                        horizonSeconds: first?.horizonSeconds,
                        drawdown: slot.lastPrice.map { 1 - $0 / slot.highWater }, warming: !slot.risk.intraday.isWarm,
                        horizons: horizons, models: models)))
            openState.record(sent)
        }
    }

    func publishHeartbeat(dropped: UInt64, now: Int64) {
        let newest = counters.newestEventTs.load(ordering: .relaxed)
        publisher.publish(
            .heartbeat(
                Heartbeat(
                    seq: 0, ts: 0, eventsIn: counters.eventsIn.load(ordering: .relaxed),
                    malformed: counters.malformed.load(ordering: .relaxed), dropped: dropped,
                    alertsOut: counters.alertsOut.load(ordering: .relaxed),
                    hedgesOut: counters.hedgesOut.load(ordering: .relaxed), lagNs: newest == 0 ? 0 : max(now - newest, 0),
                    lostUpstream: counters.lostUpstream.load(ordering: .relaxed),
                    quarantined: counters.quarantined.load(ordering: .relaxed),
                    rejectedSymbols: counters.rejectedSymbols.load(ordering: .relaxed),
                    rejectedAccounts: counters.rejectedAccounts.load(ordering: .relaxed),
                    disconnects: counters.disconnects.load(ordering: .relaxed))))
    }
}

/// The data-quality issues as alert drivers, with their wire names.
enum DataQualityKind: String, CaseIterable {
    case sequenceGap = "sequence_gap"
    case sequenceBackwards = "sequence_backwards"
    case crossedQuote = "crossed_quote"
    case timestampBackwards = "timestamp_backwards"
    case priceJump = "price_jump"
    case implausibleTimestamp = "implausible_timestamp"
    case timestampJump = "timestamp_jump"
    case stale

    var issue: DataQualityIssues {
        switch self {
        case .sequenceGap: .sequenceGap
        case .sequenceBackwards: .sequenceBackwards
        case .crossedQuote: .crossedQuote
        case .timestampBackwards: .timestampBackwards
        case .priceJump: .priceJump
        case .implausibleTimestamp: .implausibleTimestamp
        case .timestampJump: .timestampJump
        case .stale: .recovered
        }
    }
}

/// Everything the engine keeps for one symbol: constant memory (the windows are fixed-size rings).
struct SymbolSlot {
    let symbol: String
    var state: SymbolState
    var risk: SymbolRisk
    var volatilityRule: ThresholdRule
    var lastPrice: Double?
    var lastEventTs: Int64 = 0
    var highWater = 0.0
    /// Created by news, and no tick or position has named the symbol since.
    var newsOnly = false
    /// Event time of the last data-quality alert per issue, for the cooldown.
    var lastDataQualityAlert = [Int64](repeating: .min, count: DataQualityKind.allCases.count)
    let dataQualityCooldown: Int64

    init(
        symbol: String, pipeline: Pipeline, specs: [FeatureSpec], modelCount: Int
    ) {
        self.symbol = symbol
        risk = SymbolRisk(pipeline: pipeline, specs: specs, modelCount: modelCount)
        let dq = pipeline.dataQuality
        state = SymbolState(
            configuration: .init(
                windowCapacity: pipeline.symbols.window, lambda: pipeline.volatility.lambda,
                warmupReturns: pipeline.volatility.warmUp,
                quality: .init(
                    timestampTolerance: dq.backwardsToleranceMilliseconds * 1_000_000,
                    staleAfter: dq.staleAfterMilliseconds * 1_000_000, maxAhead: dq.maxAheadMilliseconds * 1_000_000,
                    maxForwardJump: dq.maxForwardJumpMilliseconds * 1_000_000),
                jumps: .init(
                    threshold: dq.jumpSigmas, confirmTicks: dq.jumpConfirmTicks,
                    confirmAfter: dq.jumpConfirmMilliseconds * 1_000_000)))
        let v = pipeline.volatility
        let own = pipeline.risk.symbols[symbol]
        volatilityRule = own?.volatility?.rule
            ?? ThresholdRule(
                warning: v.warning, critical: v.critical, hysteresis: v.hysteresis,
                cooldown: v.cooldownMilliseconds * 1_000_000, minimumDwell: v.minimumDwellMilliseconds * 1_000_000)
        if let limit = own?.drawdown { risk.drawdownRule = limit.rule }
        dataQualityCooldown = dq.cooldownMilliseconds * 1_000_000
    }

    /// Whether a data-quality alert for `kind` may go out at event time `ts` (cooldown per issue).
    mutating func allowDataQualityAlert(_ kind: DataQualityKind, at ts: Int64) -> Bool {
        let i = DataQualityKind.allCases.firstIndex(of: kind)!
        let last = lastDataQualityAlert[i]
        guard last == .min || ts &- last >= dataQualityCooldown || ts < last else { return false }
        lastDataQualityAlert[i] = ts
        return true
    }
}
