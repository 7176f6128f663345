// JSON payload decoding, one `JSONObjectBuilder` per object shape. Field ids are indices into
// `fields`; the switch in `read(field:from:)` follows the same order.

extension JSONReader {
    /// Reads a finite Double satisfying `rule` (`outOfRange` otherwise).
    @inline(__always)
    mutating func readDouble(_ rule: DoubleRule) throws(WireError) -> Double {
        let start = pos
        let value = try readDouble()
        if let violation = rule.violation(value) {
            throw WireError(.outOfRange, detail: violation, offset: start)
        }
        return value
    }

    /// Reads `true` or `false` (`wrongType` otherwise).
    mutating func readBool() throws(WireError) -> Bool {
        if consumeLiteral("true") { return true }
        if consumeLiteral("false") { return false }
        throw wrongType("a boolean")
    }

    /// Reads a timestamp: an integer in `0...Int64.max` nanoseconds.
    @inline(__always)
    mutating func readTimestamp() throws(WireError) -> Int64 {
        let start = pos
        let value = try readInt64()
        guard value >= 0 else {
            throw WireError(
                .outOfRange, detail: "must be >= 0 nanoseconds since the Unix epoch, got \(value)", offset: start)
        }
        return value
    }

    /// Reads an outbound message's `type`, which must name `kind` (`topicMismatch` otherwise).
    mutating func readType(_ kind: EventKind) throws(WireError) {
        let start = pos
        guard base[pos] == UInt8(ascii: "\"") else { throw wrongType("a string") }
        let raw = try scanString()
        guard withBytes(of: raw, { bytesEqual($0, kind.name) }) else {
            throw WireError(.topicMismatch, detail: "must be \"\(kind.name)\" on a \(kind.name) topic", offset: start)
        }
    }

    /// Reads the whole payload as one object of shape `B`, then checks that only whitespace follows.
    /// A payload that is valid JSON but not an object is `notAnObject`.
    mutating func readPayload<B: JSONObjectBuilder>(_ builder: inout B) throws(WireError) {
        skipWhitespace()
        guard pos < end else { throw error(.invalidJSON, "no JSON value in the payload") }
        if base[pos] != UInt8(ascii: "{") {
            let start = pos
            try skipValue(depth: 1)
            try finish()
            throw WireError(.notAnObject, detail: "the payload must be a JSON object", offset: start)
        }
        try readObject(&builder)
        try finish()
    }
}

struct TickFields: JSONObjectBuilder {
    static let fields: [StaticString] = ["symbol", "ts", "price", "size", "bid", "ask", "bid_size", "ask_size", "seq"]
    static let requiredMask: UInt64 = 0b111
    var tick = Tick(symbol: "", ts: 0, price: 0)

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: tick.symbol = try reader.readSymbol()
        case 1: tick.ts = try reader.readTimestamp()
        case 2: tick.price = try reader.readDouble(.positive)
        case 3: tick.size = try reader.readDouble(.nonNegative)
        case 4: tick.bid = try reader.readDouble(.positive)
        case 5: tick.ask = try reader.readDouble(.positive)
        case 6: tick.bidSize = try reader.readDouble(.nonNegative)
        case 7: tick.askSize = try reader.readDouble(.nonNegative)
        default: tick.seq = try reader.readUInt64()
        }
    }
}

struct NewsFields: JSONObjectBuilder {
    static let fields: [StaticString] = ["id", "ts", "symbols", "headline", "body", "source", "sentiment"]
    static let requiredMask: UInt64 = 0b1110
    var news = News(ts: 0, symbols: [], headline: "")

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: news.id = try reader.readString()
        case 1: news.ts = try reader.readTimestamp()
        case 2:
            let start = reader.pos
            var symbols: [String] = []
            symbols.reserveCapacity(4)  // one allocation for the usual few elements
            try reader.readArray { (reader: inout JSONReader, _: Int) throws(WireError) in
                symbols.append(try reader.readSymbol())
            }
            guard !symbols.isEmpty else {
                throw WireError(.outOfRange, detail: "must hold at least one symbol", offset: start)
            }
            news.symbols = symbols
        case 3: news.headline = try reader.readString()
        case 4: news.body = try reader.readString()
        case 5: news.source = try reader.readString()
        default: news.sentiment = try reader.readDouble(.signedUnit)
        }
    }
}

struct PositionFields: JSONObjectBuilder {
    static let fields: [StaticString] = ["account", "symbol", "quantity", "ts", "price"]
    static let requiredMask: UInt64 = 0b1111
    var position = Position(account: "", symbol: "", quantity: 0, ts: 0)

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: position.account = try reader.readSymbol()
        case 1: position.symbol = try reader.readSymbol()
        case 2: position.quantity = try reader.readDouble(.finite)
        case 3: position.ts = try reader.readTimestamp()
        default: position.price = try reader.readDouble(.positive)
        }
    }
}

struct DriverFields: JSONObjectBuilder {
    static let fields: [StaticString] = ["feature", "contribution"]
    static let requiredMask: UInt64 = 0b11
    var driver = Alert.Driver(feature: "", contribution: 0)

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: driver.feature = try reader.readString()
        default: driver.contribution = try reader.readDouble(.finite)
        }
    }
}

struct AlertFields: JSONObjectBuilder {
    static let fields: [StaticString] = [
        "type", "seq", "ts", "event_ts", "symbol", "kind", "severity", "state", "value", "threshold", "message",
        "drivers", "account", "kind_seq",
    ]
    /// Everything but `type`, `drivers` (absent means none) and `account`.
    static let requiredMask: UInt64 = 0b10_0111_1111_1110
    var alert = Alert(
        seq: 0, ts: 0, eventTs: 0, symbol: "", kind: .volatility, severity: .info, state: .raised, value: 0,
        threshold: 0, message: "")

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: try reader.readType(.alert)
        case 1: alert.seq = try reader.readUInt64()
        case 2: alert.ts = try reader.readTimestamp()
        case 3: alert.eventTs = try reader.readTimestamp()
        case 4: alert.symbol = try reader.readSymbol()
        case 5: alert.kind = try reader.readEnum(Alert.Kind.self)
        case 6: alert.severity = try reader.readEnum(Alert.Severity.self)
        case 7: alert.state = try reader.readEnum(Alert.State.self)
        case 8: alert.value = try reader.readDouble(.finite)
        case 9: alert.threshold = try reader.readDouble(.finite)
        case 10: alert.message = try reader.readString()
        case 11:
            var drivers: [Alert.Driver] = []
            drivers.reserveCapacity(4)  // one allocation for the usual few elements
            try reader.readArray { (reader: inout JSONReader, _: Int) throws(WireError) in
                var fields = DriverFields()
                try reader.readObject(&fields, depth: 3)
                drivers.append(fields.driver)
            }
            alert.drivers = drivers
        case 12: alert.account = try reader.readSymbol()
        default: alert.kindSeq = try reader.readUInt64()
        }
    }
}

struct HedgeFields: JSONObjectBuilder {
    static let fields: [StaticString] = [
        "type", "seq", "ts", "account", "symbol", "hedge_symbol", "ratio", "quantity", "notional", "reason",
        "position", "delta", "kind_seq",
    ]
    /// Everything but `type`.
    static let requiredMask: UInt64 = 0b1_0011_1111_1110
    var hedge = Hedge(
        seq: 0, ts: 0, account: "", symbol: "", hedgeSymbol: "", ratio: 0, quantity: 0, notional: 0, reason: "")

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: try reader.readType(.hedge)
        case 1: hedge.seq = try reader.readUInt64()
        case 2: hedge.ts = try reader.readTimestamp()
        case 3: hedge.account = try reader.readSymbol()
        case 4: hedge.symbol = try reader.readSymbol()
        case 5: hedge.hedgeSymbol = try reader.readSymbol()
        case 6: hedge.ratio = try reader.readDouble(.finite)
        case 7: hedge.quantity = try reader.readDouble(.finite)
        case 8: hedge.notional = try reader.readDouble(.finite)
        case 9: hedge.reason = try reader.readString()
        case 10: hedge.position = try reader.readDouble(.finite)
        case 11: hedge.delta = try reader.readDouble(.finite)
        default: hedge.kindSeq = try reader.readUInt64()
        }
    }
}

struct ModelScoreFields: JSONObjectBuilder {
    static let fields: [StaticString] = ["model", "forecast", "mae"]
    static let requiredMask: UInt64 = 0b1
    var score = RiskSnapshot.ModelScore(model: "")

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: score.model = try reader.readString()
        case 1: score.forecast = try reader.readDouble(.finite)
        default: score.mae = try reader.readDouble(.nonNegative)
        }
    }
}

struct HorizonRiskFields: JSONObjectBuilder {
    static let fields: [StaticString] = ["horizon_s", "var", "es", "breaches", "windows"]
    static let requiredMask: UInt64 = 0b1
    var horizon = RiskSnapshot.HorizonRisk(horizonSeconds: 0)

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: horizon.horizonSeconds = try reader.readDouble(.positive)
        case 1: horizon.valueAtRisk = try reader.readDouble(.finite)
        case 2: horizon.expectedShortfall = try reader.readDouble(.finite)
        case 3: horizon.breaches = try reader.readUInt64()
        default: horizon.windows = try reader.readUInt64()
        }
    }
}

struct RiskFields: JSONObjectBuilder {
    static let fields: [StaticString] = [
        "type", "seq", "ts", "symbol", "price", "volatility", "var", "es", "confidence", "drawdown", "horizon_s",
        "warming", "horizons", "models", "kind_seq",
    ]
    /// `seq`, `kind_seq`, `ts`, `symbol`; the measures are nullable and `models` absent means none.
    static let requiredMask: UInt64 = 0b100_0000_0000_1110
    var risk = RiskSnapshot(seq: 0, ts: 0, symbol: "")

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: try reader.readType(.risk)
        case 1: risk.seq = try reader.readUInt64()
        case 2: risk.ts = try reader.readTimestamp()
        case 3: risk.symbol = try reader.readSymbol()
        case 4: risk.price = try reader.readDouble(.positive)
        case 5: risk.volatility = try reader.readDouble(.nonNegative)
        case 6: risk.valueAtRisk = try reader.readDouble(.finite)
        case 7: risk.expectedShortfall = try reader.readDouble(.finite)
        case 8: risk.confidence = try reader.readDouble(.openUnit)
        case 9: risk.drawdown = try reader.readDouble(.unit)
        case 10: risk.horizonSeconds = try reader.readDouble(.positive)
        case 11: risk.warming = try reader.readBool()
        case 12:
            var horizons: [RiskSnapshot.HorizonRisk] = []
            try reader.readArray { (reader: inout JSONReader, _: Int) throws(WireError) in
                var fields = HorizonRiskFields()
                try reader.readObject(&fields, depth: 3)
                horizons.append(fields.horizon)
            }
            risk.horizons = horizons
        case 14: risk.kindSeq = try reader.readUInt64()
        default:
            var models: [RiskSnapshot.ModelScore] = []
            models.reserveCapacity(4)  // one allocation for the usual few elements
            try reader.readArray { (reader: inout JSONReader, _: Int) throws(WireError) in
                var fields = ModelScoreFields()
                try reader.readObject(&fields, depth: 3)
                models.append(fields.score)
            }
            risk.models = models
        }
    }
}

struct HeartbeatFields: JSONObjectBuilder {
    static let fields: [StaticString] = [
        "type", "seq", "ts", "events_in", "malformed", "dropped", "alerts_out", "hedges_out", "lag_ns",
        "kind_seq", "lost_upstream", "quarantined", "rejected_symbols", "rejected_accounts", "disconnects",
    ]
    /// Everything but `type`.
    static let requiredMask: UInt64 = 0b111_1111_1111_1110
    var heartbeat = Heartbeat(seq: 0, ts: 0)

    mutating func read(field: Int, from reader: inout JSONReader) throws(WireError) {
        switch field {
        case 0: try reader.readType(.heartbeat)
        case 1: heartbeat.seq = try reader.readUInt64()
        case 2: heartbeat.ts = try reader.readTimestamp()
        case 3: heartbeat.eventsIn = try reader.readUInt64()
        case 4: heartbeat.malformed = try reader.readUInt64()
        case 5: heartbeat.dropped = try reader.readUInt64()
        case 6: heartbeat.alertsOut = try reader.readUInt64()
        case 7: heartbeat.hedgesOut = try reader.readUInt64()
        case 8: heartbeat.lagNs = try reader.readInt64()
        case 9: heartbeat.kindSeq = try reader.readUInt64()
        case 10: heartbeat.lostUpstream = try reader.readUInt64()
        case 11: heartbeat.quarantined = try reader.readUInt64()
        case 12: heartbeat.rejectedSymbols = try reader.readUInt64()
        case 13: heartbeat.rejectedAccounts = try reader.readUInt64()
        default: heartbeat.disconnects = try reader.readUInt64()
        }
    }
}

extension WireCodec {
    /// Decodes a JSON payload (first byte already checked) as an event of `kind`, then checks that the
    /// topic's `key` names it.
    @inline(__always)
    static func decodeJSON(
        _ kind: EventKind, _ payload: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?
    ) throws(WireError) -> WireEvent {
        var reader = JSONReader(payload)
        switch kind {
        case .tick:
            var fields = TickFields()
            try reader.readPayload(&fields)
            try checkKey(key, names: fields.tick.symbol, "symbol")
            return .tick(fields.tick)
        case .news:
            var fields = NewsFields()
            try reader.readPayload(&fields)
            try checkKey(key, isOneOf: fields.news.symbols)
            return .news(fields.news)
        case .position:
            var fields = PositionFields()
            try reader.readPayload(&fields)
            try checkKey(key, names: fields.position.account, "account")
            return .position(fields.position)
        case .alert:
            var fields = AlertFields()
            try reader.readPayload(&fields)
            try checkKey(key, names: fields.alert.symbol, "symbol")
            return .alert(fields.alert)
        case .hedge:
            var fields = HedgeFields()
            try reader.readPayload(&fields)
            try checkKey(key, names: fields.hedge.symbol, "symbol")
            return .hedge(fields.hedge)
        case .risk:
            var fields = RiskFields()
            try reader.readPayload(&fields)
            try checkKey(key, names: fields.risk.symbol, "symbol")
            return .risk(fields.risk)
        case .heartbeat:
            var fields = HeartbeatFields()
            try reader.readPayload(&fields)
            return .heartbeat(fields.heartbeat)
        }
    }
}
