import MarketEvents

/// An independent statement of the wire contract (v1) for decoded events, written from PRODUCT.md and
/// Docs/WIRE.md rather than from the codec: anything the codec accepts must pass it.
enum ContractChecker {
    /// The violations of `event` received on `topic`; empty when it satisfies the contract.
    static func violations(of event: WireEvent, topic: String) -> [String] {
        var problems: [String] = []
        func require(_ condition: Bool, _ what: @autoclosure () -> String) {
            if !condition { problems.append(what()) }
        }
        func symbol(_ value: String, _ name: String) {
            let bytes = Array(value.utf8)
            require((1...64).contains(bytes.count), "\(name) length \(bytes.count)")
            require(bytes.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }, "\(name) has a byte outside 0x21...0x7E")
        }
        func finite(_ value: Double?, _ name: String) {
            if let value { require(value.isFinite, "\(name) not finite") }
        }
        func positive(_ value: Double?, _ name: String) {
            if let value { require(value.isFinite && value > 0, "\(name) not > 0") }
        }
        func nonNegative(_ value: Double?, _ name: String) {
            if let value { require(value.isFinite && value >= 0, "\(name) negative") }
        }
        func timestamp(_ value: Int64, _ name: String) {
            require(value >= 0, "\(name) negative")
        }

        // Topic: ASCII `kind.key` whose key follows the symbol rule and names the payload.
        require(topic.utf8.allSatisfy { $0 < 0x80 }, "topic not ASCII")
        let parts = topic.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        require(String(parts[0]) == event.kind, "topic kind \(parts[0]) for a \(event.kind)")
        let key = parts.count > 1 ? String(parts[1]) : nil
        if event.kind == "heartbeat" {
            require(key == nil, "heartbeat topic with a key")
        } else if let key {
            symbol(key, "topic key")
        } else {
            problems.append("topic without key")
        }

        switch event {
        case .tick(let tick):
            symbol(tick.symbol, "symbol")
            require(key == tick.symbol, "topic key != symbol")
            timestamp(tick.ts, "ts")
            positive(tick.price, "price")
            nonNegative(tick.size, "size")
            positive(tick.bid, "bid")
            positive(tick.ask, "ask")
            nonNegative(tick.bidSize, "bid_size")
            nonNegative(tick.askSize, "ask_size")
        case .news(let news):
            require(!news.symbols.isEmpty, "no symbols")
            for (index, value) in news.symbols.enumerated() { symbol(value, "symbols[\(index)]") }
            require(key.map(news.symbols.contains) ?? false, "topic key not in symbols")
            timestamp(news.ts, "ts")
            if let sentiment = news.sentiment {
                require(sentiment.isFinite && sentiment >= -1 && sentiment <= 1, "sentiment outside [-1, 1]")
            }
        case .position(let position):
            symbol(position.account, "account")
            symbol(position.symbol, "symbol")
            require(key == position.account, "topic key != account")
            finite(position.quantity, "quantity")
            timestamp(position.ts, "ts")
            positive(position.price, "price")
        case .alert(let alert):
            symbol(alert.symbol, "symbol")
            require(key == alert.symbol, "topic key != symbol")
            if let account = alert.account { symbol(account, "account") }
            timestamp(alert.ts, "ts")
            timestamp(alert.eventTs, "event_ts")
            finite(alert.value, "value")
            finite(alert.threshold, "threshold")
            for driver in alert.drivers { finite(driver.contribution, "contribution") }
        case .hedge(let hedge):
            symbol(hedge.account, "account")
            symbol(hedge.symbol, "symbol")
            symbol(hedge.hedgeSymbol, "hedge_symbol")
            require(key == hedge.symbol, "topic key != symbol")
            timestamp(hedge.ts, "ts")
            finite(hedge.ratio, "ratio")
            finite(hedge.quantity, "quantity")
            finite(hedge.notional, "notional")
        case .risk(let risk):
            symbol(risk.symbol, "symbol")
            require(key == risk.symbol, "topic key != symbol")
            timestamp(risk.ts, "ts")
            positive(risk.price, "price")
            nonNegative(risk.volatility, "volatility")
            finite(risk.valueAtRisk, "var")
            finite(risk.expectedShortfall, "es")
            if let confidence = risk.confidence {
                require(confidence > 0 && confidence < 1, "confidence outside (0, 1)")
            }
            if let drawdown = risk.drawdown { require(drawdown >= 0 && drawdown <= 1, "drawdown outside [0, 1]") }
            for score in risk.models {
                finite(score.forecast, "forecast")
                nonNegative(score.mae, "mae")
            }
            positive(risk.horizonSeconds, "horizon_s")
            for h in risk.horizons {
                positive(h.horizonSeconds, "horizons.horizon_s")
                finite(h.valueAtRisk, "horizons.var")
                finite(h.expectedShortfall, "horizons.es")
            }
        case .heartbeat(let heartbeat):
            timestamp(heartbeat.ts, "ts")
        }
        return problems
    }
}

/// Equality that also tells `0.0` from `-0.0`: the binary encoding holds every double's bits.
func identical(_ a: WireEvent, _ b: WireEvent) -> Bool {
    a == b && WireCodec.encodeBinary(a) == WireCodec.encodeBinary(b)
}
