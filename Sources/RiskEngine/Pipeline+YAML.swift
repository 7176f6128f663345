internal import MarketEvents
internal import RiskModels
internal import Yams

/// A pipeline file that cannot be used: names the place (file, line, column, key path) and the reason.
public struct PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// File name or other source label.
    public var source: String
    /// 1-based line and column, when known.
    public var line: Int?
    public var column: Int?
    /// Dotted key path, e.g. `ingest.ring_capacity`.
    public var path: String
    public var reason: String

    public var description: String {
        var place = source
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(path.isEmpty ? "pipeline" : path): \(reason)"
    }
}

extension Pipeline {
    /// Parses a pipeline from YAML. Strict: unknown keys, wrong types and out-of-range values are errors
    /// naming the key path and line; absent keys keep their defaults.
    public static func load(yaml text: String, source: String = "pipeline") throws(PipelineError) -> Pipeline {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            // Yams' message goes on with the context, which can be the whole file: its first line only.
            let first = "\(error)".split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
            throw PipelineError(
                source: source, line: nil, column: nil, path: "", reason: "not valid YAML: " + shownText(first))
        }
        var pipeline = Pipeline()
        guard let root else { return pipeline }  // empty file: all defaults
        let r = Reader(source: source)
        try r.mapping(root, path: "") { key, node, path throws(PipelineError) in
            switch key {
            case "name": pipeline.name = try r.string(node, path)
            case "ingest": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "feeds": pipeline.ingest.feeds = try r.strings(n, p)
                    case "bind": pipeline.ingest.bind = try r.strings(n, p)
                    case "topics": pipeline.ingest.topics = try r.strings(n, p)
                    case "max_message_bytes": pipeline.ingest.maxMessageBytes = try r.int(n, p, 1...(256 << 20))
                    case "max_frame_bytes": pipeline.ingest.maxFrameBytes = try r.int(n, p, 1024...(1 << 30))
                    case "receive_hwm": pipeline.ingest.receiveHighWaterMark = Int32(try r.int(n, p, 1...10_000_000))
                    case "ring_capacity": pipeline.ingest.ringCapacity = try r.int(n, p, 2...(1 << 24))
                    case "when_full": pipeline.ingest.whenFull = try r.choice(n, p, OverflowPolicy.self)
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "symbols": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "max": pipeline.symbols.max = try r.int(n, p, 1...1_000_000)
                    case "window": pipeline.symbols.window = try r.int(n, p, 2...1_000_000)
                    case "news_max": pipeline.symbols.newsMax = try r.int(n, p, 0...1_000_000)
                    case "universe":
                        var universe: Set<String> = []
                        for symbol in try r.strings(n, p) {
                            guard WireCodec.isValidSymbol(symbol) else {
                                throw r.error(n, p, "'\(symbol)' is not a valid symbol")
                            }
                            universe.insert(symbol)
                        }
                        pipeline.symbols.universe = universe
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "data_quality": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "stale_after_ms": pipeline.dataQuality.staleAfterMilliseconds = Int64(try r.int(n, p, 1...86_400_000))
                    case "backwards_tolerance_ms":
                        pipeline.dataQuality.backwardsToleranceMilliseconds = Int64(try r.int(n, p, 0...86_400_000))
                    case "jump_sigmas": pipeline.dataQuality.jumpSigmas = try r.double(n, p, 1...1_000)
                    case "jump_confirm_ticks": pipeline.dataQuality.jumpConfirmTicks = try r.int(n, p, 1...1_000)
                    case "jump_confirm_ms":
                        pipeline.dataQuality.jumpConfirmMilliseconds = Int64(try r.int(n, p, 0...86_400_000))
                    case "market_move_symbols": pipeline.dataQuality.marketMoveSymbols = try r.int(n, p, 2...1_000_000)
                    case "market_move_window_ms":
                        pipeline.dataQuality.marketMoveWindowMilliseconds = Int64(try r.int(n, p, 0...86_400_000))
                    case "max_ahead_ms":
                        pipeline.dataQuality.maxAheadMilliseconds = Int64(try r.int(n, p, 0...31_536_000_000))
                    case "max_forward_jump_ms":
                        pipeline.dataQuality.maxForwardJumpMilliseconds = Int64(try r.int(n, p, 1...315_360_000_000))
                    case "cooldown_ms": pipeline.dataQuality.cooldownMilliseconds = Int64(try r.int(n, p, 0...86_400_000))
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "volatility": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "lambda": pipeline.volatility.lambda = try r.double(n, p, 0.5...0.9999)
                    case "warm_up": pipeline.volatility.warmUp = try r.int(n, p, 1...100_000)
                    case "warning": pipeline.volatility.warning = try r.double(n, p, 1e-9...1e6)
                    case "critical": pipeline.volatility.critical = try r.double(n, p, 1e-9...1e6)
                    case "hysteresis": pipeline.volatility.hysteresis = try r.double(n, p, 0...0.99)
                    case "cooldown_ms": pipeline.volatility.cooldownMilliseconds = Int64(try r.int(n, p, 0...86_400_000))
                    case "min_dwell_ms":
                        pipeline.volatility.minimumDwellMilliseconds = Int64(try r.int(n, p, 0...86_400_000))
                    case "trading_seconds_per_year":
                        pipeline.volatility.tradingSecondsPerYear = try r.double(n, p, 1...1e9)
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "publish": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "endpoint": pipeline.publish.endpoint = r.isNull(n) ? nil : try r.string(n, p)
                    case "snapshot_endpoint": pipeline.publish.snapshotEndpoint = r.isNull(n) ? nil : try r.string(n, p)
                    case "heartbeat_ms": pipeline.publish.heartbeatMilliseconds = Int64(try r.int(n, p, 10...3_600_000))
                    case "risk_snapshot_ms": pipeline.publish.riskSnapshotMilliseconds = Int64(try r.int(n, p, 0...3_600_000))
                    case "send_hwm": pipeline.publish.sendHighWaterMark = Int32(try r.int(n, p, 1...10_000_000))
                    case "encoding": pipeline.publish.encoding = try r.choice(n, p, Encoding.self)
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "learning": pipeline.learning = try r.learning(node, path)
            case "risk": pipeline.risk = try r.risk(node, path)
            case "hedging": pipeline.hedging = try r.hedging(node, path)
            default: throw r.unknown(key, node, path)
            }
        }
        if pipeline.learning.enabled { try r.checkFeatureWindows(pipeline, root: root) }
        if pipeline.ingest.maxFrameBytes < pipeline.ingest.maxMessageBytes {
            throw PipelineError(
                source: source, line: nil, column: nil, path: "ingest.max_frame_bytes",
                reason: "must be at least ingest.max_message_bytes (\(pipeline.ingest.maxMessageBytes))")
        }
        if pipeline.volatility.critical <= pipeline.volatility.warning {
            throw PipelineError(
                source: source, line: nil, column: nil, path: "volatility.critical",
                reason: "must be greater than volatility.warning (\(pipeline.volatility.warning))")
        }
        return pipeline
    }
}

/// Walks a YAML node tree with the key path, producing `PipelineError`s that say where.
private struct Reader {
    let source: String

    func error(_ node: Node, _ path: String, _ reason: String) -> PipelineError {
        PipelineError(
            source: source, line: node.mark?.line, column: node.mark?.column, path: shownText(path),
            reason: shownText(reason))
    }

    func unknown(_ key: String, _ node: Node, _ path: String) -> PipelineError {
        error(node, path, "unknown key '\(key)'")
    }

    func mapping(
        _ node: Node, path: String, _ body: (String, Node, String) throws(PipelineError) -> Void
    ) throws(PipelineError) {
        guard case .mapping(let mapping) = node else { throw error(node, path, "expected a mapping of keys") }
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw error(keyNode, path, "keys must be strings") }
            let child = path.isEmpty ? key : "\(path).\(key)"
            guard seen.insert(key).inserted else { throw error(keyNode, child, "duplicate key") }
            try body(key, value, child)
        }
    }

    /// Item `i` of a sequence node (for its line), else the node itself.
    func item(_ node: Node, _ i: Int) -> Node {
        guard case .sequence(let sequence) = node, i < sequence.count else { return node }
        return sequence[sequence.index(sequence.startIndex, offsetBy: i)]
    }

    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    func string(_ node: Node, _ path: String) throws(PipelineError) -> String {
        guard case .scalar(let scalar) = node else { throw error(node, path, "expected a string") }
        return scalar.string
    }

    func strings(_ node: Node, _ path: String) throws(PipelineError) -> [String] {
        guard case .sequence(let sequence) = node else { throw error(node, path, "expected a list of strings") }
        var out: [String] = []
        for (i, item) in sequence.enumerated() { out.append(try string(item, "\(path)[\(i)]")) }
        return out
    }

    func doubles(_ node: Node, _ path: String, _ range: ClosedRange<Double>) throws(PipelineError) -> [Double] {
        guard case .sequence(let sequence) = node else { throw error(node, path, "expected a list of numbers") }
        var out: [Double] = []
        for (i, item) in sequence.enumerated() { out.append(try double(item, "\(path)[\(i)]", range)) }
        return out
    }

    func int(_ node: Node, _ path: String, _ range: ClosedRange<Int>) throws(PipelineError) -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string.replacingUnderscores()) else {
            throw error(node, path, "expected an integer")
        }
        guard range.contains(value) else {
            throw error(node, path, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func double(_ node: Node, _ path: String, _ range: ClosedRange<Double>) throws(PipelineError) -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string.replacingUnderscores()),
            value.isFinite
        else { throw error(node, path, "expected a number") }
        guard range.contains(value) else {
            throw error(node, path, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ path: String, _ type: T.Type)
        throws(PipelineError) -> T where T.RawValue == String
    {
        let text = try string(node, path)
        guard let value = T(rawValue: text) else {
            let options = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(node, path, "'\(text)' is not one of: \(options)")
        }
        return value
    }
}

// MARK: - Learning, risk and hedging sections

extension Reader {
    func learning(_ node: Node, _ path: String) throws(PipelineError) -> Pipeline.Learning {
        var learning = Pipeline.Learning()
        try mapping(node, path: path) { k, n, p throws(PipelineError) in
            switch k {
            case "enabled": learning.enabled = try bool(n, p)
            case "features":
                learning.features = try strings(n, p)
                for (i, name) in learning.features.enumerated() {
                    do {
                        _ = try FeatureSpec.parse(name, windowCapacity: 1_000_000)  // windows: `checkFeatureWindows`
                    } catch {
                        throw self.error(item(n, i), "\(p)[\(i)]", (error as? FeatureSpecError)?.reason ?? "\(error)")
                    }
                }
                if learning.features.isEmpty { throw self.error(n, p, "needs at least one feature") }
                if Set(learning.features).count != learning.features.count {
                    throw self.error(n, p, "lists a feature twice")
                }
            case "reference_symbol": learning.referenceSymbol = isNull(n) ? nil : try symbol(n, p)
            case "horizon_events": learning.horizonEvents = try int(n, p, 1...100_000)
            case "horizon_seconds": learning.horizonSeconds = isNull(n) ? nil : try double(n, p, 1e-3...86_400)
            case "row_every": learning.rowEvery = try int(n, p, 1...100_000)
            case "pending_capacity": learning.pendingCapacity = try int(n, p, 1...1_000_000)
            case "drive": learning.drive = try choice(n, p, Pipeline.Learning.Drive.self)
            case "score_window": learning.scoreWindow = try int(n, p, 1...1_000_000)
            case "models":
                guard case .sequence(let items) = n else { throw self.error(n, p, "expected a list of models") }
                var models: [Pipeline.Learning.Model] = []
                for (i, item) in items.enumerated() {
                    models.append(try model(item, "\(p)[\(i)]"))
                }
                var names: Set<String> = []
                for (i, m) in models.enumerated() where !names.insert(m.name).inserted {
                    throw self.error(items[i], "\(p)[\(i)].name", "duplicate model name '\(m.name)'")
                }
                learning.models = models
            default: throw unknown(k, n, p)
            }
        }
        if learning.enabled && learning.models.isEmpty {
            throw self.error(node, "\(path).models", "needs at least one model while learning is enabled")
        }
        return learning
    }

    /// Checks the features' windows against `symbols.window`, known only once the whole file is read. The
    /// error names the feature's line, or `symbols.window`'s when the features are the defaults.
    func checkFeatureWindows(_ pipeline: Pipeline, root: Node) throws(PipelineError) {
        let listed = root["learning"]?["features"]
        for (i, name) in pipeline.learning.features.enumerated() {
            do {
                _ = try FeatureSpec.parse(name, windowCapacity: pipeline.symbols.window)
            } catch {
                if let listed { throw self.error(item(listed, i), "learning.features[\(i)]", error.reason) }
                throw self.error(
                    root["symbols"]?["window"] ?? root, "symbols.window",
                    "too small for the default feature \(name): \(error.reason)")
            }
        }
    }

    private func model(_ node: Node, _ path: String) throws(PipelineError) -> Pipeline.Learning.Model {
        var name: String?
        var kind: Pipeline.Learning.Model.Kind?
        var model = Pipeline.Learning.Model(name: "", kind: .sgd)
        try mapping(node, path: path) { k, n, p throws(PipelineError) in
            switch k {
            case "name":
                let text = try string(n, p)
                guard WireCodec.isValidSymbol(text) else {
                    throw self.error(n, p, "'\(text)' must be 1-32 characters of A-Z a-z 0-9 . _ -")
                }
                name = text
            case "kind": kind = try choice(n, p, Pipeline.Learning.Model.Kind.self)
            case "scope": model.scope = try choice(n, p, Pipeline.Learning.Model.Scope.self)
            case "seed": model.seed = UInt64(try int(n, p, 0...Int.max))
            case "trees": model.trees = try int(n, p, 1...100)
            default: throw unknown(k, n, p)
            }
        }
        guard let name else { throw error(node, "\(path).name", "is required") }
        guard let kind else { throw error(node, "\(path).kind", "is required") }
        model.name = name
        model.kind = kind
        return model
    }

    func risk(_ node: Node, _ path: String) throws(PipelineError) -> Pipeline.Risk {
        var risk = Pipeline.Risk()
        try mapping(node, path: path) { k, n, p throws(PipelineError) in
            switch k {
            case "confidence": risk.confidence = try double(n, p, 0.5...0.9999)
            case "horizons_s": risk.horizonsSeconds = try doubles(n, p, 1e-3...31_536_000)
            case "variance":
                try mapping(n, path: p) { vk, vn, vp throws(PipelineError) in
                    switch vk {
                    case "sampling_s": risk.variance.samplingSeconds = try double(vn, vp, 1e-3...86_400)
                    case "half_life_s": risk.variance.halfLifeSeconds = try double(vn, vp, 1...31_536_000)
                    case "max_gap_s": risk.variance.maximumGapSeconds = try double(vn, vp, 1e-3...31_536_000)
                    case "warm_up_samples": risk.variance.warmupSamples = try int(vn, vp, 2...1_000_000)
                    default: throw unknown(vk, vn, vp)
                    }
                }
            case "market":
                try mapping(n, path: p) { mk, mn, mp throws(PipelineError) in
                    switch mk {
                    case "min_symbols": risk.market.minimumSymbols = try int(mn, mp, 2...1_000_000)
                    case "fraction": risk.market.fraction = try double(mn, mp, 0.01...1)
                    case "window_ms": risk.market.windowMilliseconds = Int64(try int(mn, mp, 1...86_400_000))
                    default: throw unknown(mk, mn, mp)
                    }
                }
            case "var_method": risk.varMethod = try choice(n, p, VaRMethod.self)
            case "student_dof": risk.studentDegreesOfFreedom = try double(n, p, 2.1...1_000)
            case "volatility_source": risk.volatilitySource = try choice(n, p, Pipeline.Risk.VolatilitySource.self)
            case "var_breach_window": risk.varBreachWindow = try int(n, p, 10...100_000)
            case "var_breach_extreme": risk.varBreachExtreme = try double(n, p, 1...1_000)
            case "var_breach_cooldown_ms": risk.varBreachCooldownMilliseconds = Int64(try int(n, p, 0...86_400_000))
            case "drawdown": risk.drawdown = try limit(n, p, risk.drawdown)
            case "liquidity": risk.liquidity = try limit(n, p, risk.liquidity)
            case "liquidity_lambda": risk.liquidityLambda = try double(n, p, 0.5...0.99999)
            case "news_shock": risk.newsShock = try limit(n, p, risk.newsShock)
            case "news_lexicon": risk.newsLexicon = isNull(n) ? nil : try string(n, p)
            case "news_half_life_s": risk.newsHalfLifeSeconds = try double(n, p, 1e-3...86_400)
            case "drift_delta": risk.driftDelta = try double(n, p, 1e-9...0.5)
            case "drift_cooldown_ms": risk.driftCooldownMilliseconds = Int64(try int(n, p, 0...86_400_000))
            case "drift_min_ratio": risk.driftMinimumRatio = try double(n, p, 1.01...1_000)
            case "drift_confirm_rows": risk.driftConfirmRows = try int(n, p, 0...10_000_000)
            case "drift_confirm_ms": risk.driftConfirmMilliseconds = Int64(try int(n, p, 0...86_400_000))
            case "symbols":
                try mapping(n, path: p) { sym, sn, sp throws(PipelineError) in
                    guard WireCodec.isValidSymbol(sym) else { throw self.error(sn, sp, "'\(sym)' is not a valid symbol") }
                    var limits = Pipeline.Risk.SymbolLimits()
                    try mapping(sn, path: sp) { lk, ln, lp throws(PipelineError) in
                        switch lk {
                        case "volatility":
                            limits.volatility = try limit(ln, lp, Pipeline.Limit(warning: 0.6, critical: 1.2))
                        case "drawdown": limits.drawdown = try limit(ln, lp, risk.drawdown)
                        default: throw unknown(lk, ln, lp)
                        }
                    }
                    risk.symbols[sym] = limits
                }
            default: throw unknown(k, n, p)
            }
        }
        return risk
    }

    /// A `{warning, critical, hysteresis, cooldown_ms}` mapping; absent keys keep `defaults`.
    private func limit(_ node: Node, _ path: String, _ defaults: Pipeline.Limit) throws(PipelineError) -> Pipeline.Limit {
        var limit = defaults
        try mapping(node, path: path) { k, n, p throws(PipelineError) in
            switch k {
            case "warning": limit.warning = try double(n, p, 1e-12...1e12)
            case "critical": limit.critical = try double(n, p, 1e-12...1e12)
            case "hysteresis": limit.hysteresis = try double(n, p, 0...0.99)
            case "cooldown_ms": limit.cooldownMilliseconds = Int64(try int(n, p, 0...86_400_000))
            case "min_dwell_ms": limit.minimumDwellMilliseconds = Int64(try int(n, p, 0...86_400_000))
            default: throw unknown(k, n, p)
            }
        }
        guard limit.critical > limit.warning else {
            throw error(node, "\(path).critical", "must be greater than warning (\(limit.warning))")
        }
        return limit
    }

    func hedging(_ node: Node, _ path: String) throws(PipelineError) -> Pipeline.Hedging {
        var hedging = Pipeline.Hedging()
        try mapping(node, path: path) { k, n, p throws(PipelineError) in
            switch k {
            case "default_limits": hedging.defaultLimits = try accountLimits(n, p)
            case "accounts":
                try mapping(n, path: p) { account, an, ap throws(PipelineError) in
                    guard WireCodec.isValidSymbol(account) else {
                        throw self.error(an, ap, "'\(account)' is not a valid account name")
                    }
                    hedging.accounts[account] = try accountLimits(an, ap)
                }
            case "instruments":
                try mapping(n, path: p) { sym, sn, sp throws(PipelineError) in
                    guard WireCodec.isValidSymbol(sym) else { throw self.error(sn, sp, "'\(sym)' is not a valid symbol") }
                    hedging.instruments[sym] = try symbol(sn, sp)
                }
            case "var_horizon_days": hedging.varHorizonDays = try double(n, p, 1e-6...252)
            case "beta_interval_ms": hedging.betaIntervalMilliseconds = Int64(try int(n, p, 1...86_400_000))
            case "beta_lambda": hedging.betaLambda = try double(n, p, 0.5...1)
            case "min_r_squared": hedging.minimumRSquared = try double(n, p, 0...1)
            case "material_change": hedging.materialChange = try double(n, p, 0...10)
            case "max_accounts": hedging.maxAccounts = try int(n, p, 1...10_000_000)
            default: throw unknown(k, n, p)
            }
        }
        return hedging
    }

    private func accountLimits(_ node: Node, _ path: String) throws(PipelineError) -> Pipeline.AccountLimits {
        var limits = Pipeline.AccountLimits()
        try mapping(node, path: path) { k, n, p throws(PipelineError) in
            let value = isNull(n) ? nil : try double(n, p, 1e-9...1e18)
            switch k {
            case "var": limits.varLimit = value
            case "volatility_notional": limits.volatilityNotionalLimit = value
            case "portfolio_var": limits.portfolioVaRLimit = value
            default: throw unknown(k, n, p)
            }
        }
        return limits
    }

    private func symbol(_ node: Node, _ path: String) throws(PipelineError) -> String {
        let text = try string(node, path)
        guard WireCodec.isValidSymbol(text) else { throw error(node, path, "'\(text)' is not a valid symbol") }
        return text
    }

    func bool(_ node: Node, _ path: String) throws(PipelineError) -> Bool {
        guard case .scalar(let scalar) = node else { throw error(node, path, "expected true or false") }
        switch scalar.string {
        case "true", "True", "TRUE", "yes": return true
        case "false", "False", "FALSE", "no": return false
        default: throw error(node, path, "expected true or false")
        }
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String { filter { $0 != "_" } }
}

/// Text from the file as an error message shows it: one line (control characters escaped as `\u{…}`),
/// cut with `…` before it passes `limit` characters as shown, so a key or a YAML error never brings the
/// whole file along. - Complexity: O(`limit`).
private func shownText(_ text: String, limit: Int = 240) -> String {
    var shown = ""
    var length = 0
    for scalar in text.unicodeScalars {
        let escaped = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
        let piece = escaped ? "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}" : nil
        let pieceLength = piece?.count ?? 1
        if length + pieceLength > limit { return shown + "…" }
        length += pieceLength
        if let piece { shown += piece } else { shown.unicodeScalars.append(scalar) }
    }
    return shown
}
