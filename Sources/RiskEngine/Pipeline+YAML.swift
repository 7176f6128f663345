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
        } catch let error as YamlError {
            throw PipelineError(source: source, line: nil, column: nil, path: "", reason: "not valid YAML: \(error)")
        } catch {
            throw PipelineError(source: source, line: nil, column: nil, path: "", reason: "not valid YAML: \(error)")
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
                    case "receive_hwm": pipeline.ingest.receiveHighWaterMark = Int32(try r.int(n, p, 0...Int(Int32.max)))
                    case "ring_capacity": pipeline.ingest.ringCapacity = try r.int(n, p, 2...(1 << 24))
                    case "when_full": pipeline.ingest.whenFull = try r.choice(n, p, OverflowPolicy.self)
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "symbols": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "max": pipeline.symbols.max = try r.int(n, p, 1...1_000_000)
                    case "window": pipeline.symbols.window = try r.int(n, p, 2...1_000_000)
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "data_quality": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "stale_after_ms": pipeline.dataQuality.staleAfterMilliseconds = Int64(try r.int(n, p, 1...86_400_000))
                    case "backwards_tolerance_ms":
                        pipeline.dataQuality.backwardsToleranceMilliseconds = Int64(try r.int(n, p, 0...86_400_000))
                    case "jump_sigmas": pipeline.dataQuality.jumpSigmas = try r.double(n, p, 1...1_000)
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
                    case "trading_seconds_per_year":
                        pipeline.volatility.tradingSecondsPerYear = try r.double(n, p, 1...1e9)
                    default: throw r.unknown(k, n, p)
                    }
                }
            case "publish": try r.mapping(node, path: path) { k, n, p throws(PipelineError) in
                    switch k {
                    case "endpoint": pipeline.publish.endpoint = r.isNull(n) ? nil : try r.string(n, p)
                    case "heartbeat_ms": pipeline.publish.heartbeatMilliseconds = Int64(try r.int(n, p, 10...3_600_000))
                    case "risk_snapshot_ms": pipeline.publish.riskSnapshotMilliseconds = Int64(try r.int(n, p, 0...3_600_000))
                    case "send_hwm": pipeline.publish.sendHighWaterMark = Int32(try r.int(n, p, 0...Int(Int32.max)))
                    case "encoding": pipeline.publish.encoding = try r.choice(n, p, Encoding.self)
                    default: throw r.unknown(k, n, p)
                    }
                }
            default: throw r.unknown(key, node, path)
            }
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
        PipelineError(source: source, line: node.mark?.line, column: node.mark?.column, path: path, reason: reason)
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

extension String {
    fileprivate func replacingUnderscores() -> String { filter { $0 != "_" } }
}
