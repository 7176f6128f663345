// Binary v1: little-endian, fixed-width numbers first, length-prefixed strings last. The layout of
// every kind is documented byte by byte in Docs/WIRE.md; this file is its implementation.

/// First byte of every binary v1 payload. It can never start a JSON text.
let binaryV1Magic: UInt8 = 0xB1

/// Bits of the flags byte (payload offset 2) that each kind defines; any other bit set is rejected.
extension EventKind {
    var definedFlags: UInt8 {
        switch self {
        case .tick: 0b0011_1111  // size, bid, ask, bid_size, ask_size, seq
        case .news: 0b0000_1111  // id, body, source, sentiment
        case .position: 0b0000_0001  // price
        case .alert: 0b0000_0001  // account
        case .hedge: 0b11  // position, delta
        case .heartbeat: 0
        case .risk: 0b1111_1111  // price, volatility, var, es, confidence, drawdown, horizon_s, warming
        }
    }
}

/// The binary code of each enum case: its index in `allCases` (the order documented in WIRE.md).
extension CaseIterable where Self: Equatable, AllCases == [Self] {
    var binaryCode: UInt8 { UInt8(Self.allCases.firstIndex(of: self)!) }
}

// MARK: - Writing

/// Writes a binary v1 payload into memory sized beforehand by `WireCodec.appendBinary`. Every write is
/// bounds-checked against `end` (a mismatch between the two passes traps instead of corrupting memory).
struct BinaryWriter {
    var cursor: UnsafeMutableRawPointer
    let end: UnsafeMutableRawPointer

    @inline(__always)
    private mutating func store<T: FixedWidthInteger>(_ value: T) {
        precondition(end - cursor >= MemoryLayout<T>.size, "binary size mismatch")
        cursor.storeBytes(of: value.littleEndian, as: T.self)
        cursor += MemoryLayout<T>.size
    }

    @inline(__always)
    mutating func u8(_ value: UInt8) { store(value) }

    @inline(__always)
    mutating func u32(_ value: UInt32) { store(value) }

    @inline(__always)
    mutating func u64(_ value: UInt64) { store(value) }

    @inline(__always)
    mutating func i64(_ value: Int64) { store(UInt64(bitPattern: value)) }

    @inline(__always)
    mutating func f64(_ value: Double) { store(value.bitPattern) }

    /// An optional field: written only when present (its flag bit says so).
    @inline(__always)
    mutating func f64(ifPresent value: Double?) { if let value { f64(value) } }

    private mutating func raw(_ value: String, count: Int) {
        precondition(end - cursor >= count, "binary size mismatch")
        guard count > 0 else { return }
        let copied: Void? = value.utf8.withContiguousStorageIfAvailable { utf8 in
            cursor.copyMemory(from: utf8.baseAddress!, byteCount: count)
        }
        if copied == nil {
            for (index, byte) in value.utf8.prefix(count).enumerated() {
                cursor.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            }
        }
        cursor += count
    }

    /// A symbol or account: u8 length then the bytes. A valid event's symbols are at most 64 bytes; a
    /// longer one is cut to 255 bytes so the output stays well-formed (and is rejected on decode).
    mutating func symbol(_ value: String) {
        let count = min(value.utf8.count, 255)
        u8(UInt8(count))
        raw(value, count: count)
    }

    /// Free text: u32 length then the UTF-8 bytes.
    mutating func text(_ value: String) {
        let count = value.utf8.count
        u32(UInt32(truncatingIfNeeded: count))
        raw(value, count: count)
    }

    static func symbolSize(_ value: String) -> Int { 1 + min(value.utf8.count, 255) }
    static func textSize(_ value: String) -> Int { 4 + value.utf8.count }
}

extension WireCodec {
    /// Appends `event`'s binary v1 payload: one switch computes the exact size, the fields are written
    /// into a temporary buffer of that size (on the stack when small), and appended with one copy.
    static func appendBinary(_ event: WireEvent, to buffer: inout [UInt8]) {
        @inline(__always) func optional(_ value: Double?) -> Int { value == nil ? 0 : 8 }
        let symbol = BinaryWriter.symbolSize
        let text = BinaryWriter.textSize
        switch event {
        case .tick(let tick):
            let size =
                19 + optional(tick.size) + optional(tick.bid) + optional(tick.ask) + optional(tick.bidSize)
                + optional(tick.askSize) + (tick.seq == nil ? 0 : 8) + symbol(tick.symbol)
            emit(.tick, size: size, to: &buffer) { w in
                var flags: UInt8 = 0
                if tick.size != nil { flags |= 1 }
                if tick.bid != nil { flags |= 2 }
                if tick.ask != nil { flags |= 4 }
                if tick.bidSize != nil { flags |= 8 }
                if tick.askSize != nil { flags |= 16 }
                if tick.seq != nil { flags |= 32 }
                w.u8(flags)
                w.i64(tick.ts)
                w.f64(tick.price)
                w.f64(ifPresent: tick.size)
                w.f64(ifPresent: tick.bid)
                w.f64(ifPresent: tick.ask)
                w.f64(ifPresent: tick.bidSize)
                w.f64(ifPresent: tick.askSize)
                if let seq = tick.seq { w.u64(seq) }
                w.symbol(tick.symbol)
            }
        case .news(let news):
            var size = 11 + optional(news.sentiment) + 4 + text(news.headline)
            for value in news.symbols { size += symbol(value) }
            if let id = news.id { size += text(id) }
            if let body = news.body { size += text(body) }
            if let source = news.source { size += text(source) }
            emit(.news, size: size, to: &buffer) { w in
                var flags: UInt8 = 0
                if news.id != nil { flags |= 1 }
                if news.body != nil { flags |= 2 }
                if news.source != nil { flags |= 4 }
                if news.sentiment != nil { flags |= 8 }
                w.u8(flags)
                w.i64(news.ts)
                w.f64(ifPresent: news.sentiment)
                w.u32(UInt32(truncatingIfNeeded: news.symbols.count))
                for symbol in news.symbols { w.symbol(symbol) }
                if let id = news.id { w.text(id) }
                w.text(news.headline)
                if let body = news.body { w.text(body) }
                if let source = news.source { w.text(source) }
            }
        case .position(let position):
            let size = 19 + optional(position.price) + symbol(position.account) + symbol(position.symbol)
            emit(.position, size: size, to: &buffer) { w in
                w.u8(position.price == nil ? 0 : 1)
                w.i64(position.ts)
                w.f64(position.quantity)
                w.f64(ifPresent: position.price)
                w.symbol(position.account)
                w.symbol(position.symbol)
            }
        case .alert(let alert):
            var size = 54 + symbol(alert.symbol) + text(alert.message) + 4
            if let account = alert.account { size += symbol(account) }
            for driver in alert.drivers { size += text(driver.feature) + 8 }
            emit(.alert, size: size, to: &buffer) { w in
                w.u8(alert.account == nil ? 0 : 1)
                w.u64(alert.seq)
                w.u64(alert.kindSeq)
                w.i64(alert.ts)
                w.i64(alert.eventTs)
                w.u8(alert.kind.binaryCode)
                w.u8(alert.severity.binaryCode)
                w.u8(alert.state.binaryCode)
                w.f64(alert.value)
                w.f64(alert.threshold)
                w.symbol(alert.symbol)
                if let account = alert.account { w.symbol(account) }
                w.text(alert.message)
                w.u32(UInt32(truncatingIfNeeded: alert.drivers.count))
                for driver in alert.drivers {
                    w.text(driver.feature)
                    w.f64(driver.contribution)
                }
            }
        case .hedge(let hedge):
            let size =
                51 + symbol(hedge.account) + symbol(hedge.symbol) + symbol(hedge.hedgeSymbol) + text(hedge.reason)
                + optional(hedge.position) + optional(hedge.delta)
            emit(.hedge, size: size, to: &buffer) { w in
                w.u8((hedge.position == nil ? 0 : 1) | (hedge.delta == nil ? 0 : 2))
                w.u64(hedge.seq)
                w.u64(hedge.kindSeq)
                w.i64(hedge.ts)
                w.f64(hedge.ratio)
                w.f64(hedge.quantity)
                w.f64(hedge.notional)
                w.symbol(hedge.account)
                w.symbol(hedge.symbol)
                w.symbol(hedge.hedgeSymbol)
                w.text(hedge.reason)
                w.f64(ifPresent: hedge.position)
                w.f64(ifPresent: hedge.delta)
            }
        case .risk(let risk):
            var size =
                27 + optional(risk.price) + optional(risk.volatility) + optional(risk.valueAtRisk)
                + optional(risk.expectedShortfall) + optional(risk.confidence) + optional(risk.drawdown)
                + optional(risk.horizonSeconds) + symbol(risk.symbol) + 4 + 4
            for score in risk.models { size += 1 + text(score.model) + optional(score.forecast) + optional(score.mae) }
            for h in risk.horizons { size += 1 + 8 + optional(h.valueAtRisk) + optional(h.expectedShortfall) + 16 }
            emit(.risk, size: size, to: &buffer) { w in
                var flags: UInt8 = 0
                if risk.price != nil { flags |= 1 }
                if risk.volatility != nil { flags |= 2 }
                if risk.valueAtRisk != nil { flags |= 4 }
                if risk.expectedShortfall != nil { flags |= 8 }
                if risk.confidence != nil { flags |= 16 }
                if risk.drawdown != nil { flags |= 32 }
                if risk.horizonSeconds != nil { flags |= 64 }
                if risk.warming { flags |= 128 }
                w.u8(flags)
                w.u64(risk.seq)
                w.u64(risk.kindSeq)
                w.i64(risk.ts)
                w.f64(ifPresent: risk.price)
                w.f64(ifPresent: risk.volatility)
                w.f64(ifPresent: risk.valueAtRisk)
                w.f64(ifPresent: risk.expectedShortfall)
                w.f64(ifPresent: risk.confidence)
                w.f64(ifPresent: risk.drawdown)
                w.f64(ifPresent: risk.horizonSeconds)
                w.symbol(risk.symbol)
                w.u32(UInt32(truncatingIfNeeded: risk.models.count))
                for score in risk.models {
                    w.u8((score.forecast == nil ? 0 : 1) | (score.mae == nil ? 0 : 2))
                    w.text(score.model)
                    w.f64(ifPresent: score.forecast)
                    w.f64(ifPresent: score.mae)
                }
                w.u32(UInt32(truncatingIfNeeded: risk.horizons.count))
                for h in risk.horizons {
                    w.u8((h.valueAtRisk == nil ? 0 : 1) | (h.expectedShortfall == nil ? 0 : 2))
                    w.f64(h.horizonSeconds)
                    w.f64(ifPresent: h.valueAtRisk)
                    w.f64(ifPresent: h.expectedShortfall)
                    w.u64(h.breaches)
                    w.u64(h.windows)
                }
            }
        case .heartbeat(let heartbeat):
            emit(.heartbeat, size: 115, to: &buffer) { w in
                w.u8(0)
                w.u64(heartbeat.seq)
                w.u64(heartbeat.kindSeq)
                w.i64(heartbeat.ts)
                w.u64(heartbeat.eventsIn)
                w.u64(heartbeat.malformed)
                w.u64(heartbeat.dropped)
                w.u64(heartbeat.alertsOut)
                w.u64(heartbeat.hedgesOut)
                w.i64(heartbeat.lagNs)
                w.u64(heartbeat.lostUpstream)
                w.u64(heartbeat.quarantined)
                w.u64(heartbeat.rejectedSymbols)
                w.u64(heartbeat.rejectedAccounts)
                w.u64(heartbeat.disconnects)
            }
        }
    }

    /// Writes the magic and kind bytes, then lets `body` write the other `size - 2` bytes, then appends
    /// the whole payload to `buffer`. Traps if `body` writes a different number of bytes.
    @inline(__always)
    private static func emit(
        _ kind: EventKind, size: Int, to buffer: inout [UInt8], _ body: (inout BinaryWriter) -> Void
    ) {
        withUnsafeTemporaryAllocation(byteCount: size, alignment: 8) { raw in
            let base = raw.baseAddress!
            var writer = BinaryWriter(cursor: base, end: base + size)
            writer.u8(binaryV1Magic)
            writer.u8(kind.rawValue)
            body(&writer)
            precondition(writer.cursor == writer.end, "binary size mismatch")
            buffer.append(contentsOf: UnsafeRawBufferPointer(raw))
        }
    }
}

// MARK: - Reading

/// A bounds-checked little-endian reader over one binary payload. Errors carry the wire field name
/// and the offset of the field.
struct BinaryReader {
    let base: UnsafeRawPointer
    let end: Int
    var pos: Int = 0

    /// - Precondition: `buffer` is not empty.
    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress!
        end = buffer.count
    }

    @inline(__always)
    private func need(_ count: Int, _ field: StaticString) throws(WireError) {
        guard end - pos >= count else { throw truncated(count, field) }
    }

    // Error builders stay out of line so the success path stays small.
    @inline(never)
    private func truncated(_ count: Int, _ field: StaticString) -> WireError {
        WireError(.truncated, field: "\(field)", detail: "needs \(count) more bytes, \(end - pos) left", offset: pos)
    }

    @inline(never)
    private func rangeError(_ field: StaticString, _ detail: String, at offset: Int) -> WireError {
        WireError(.outOfRange, field: "\(field)", detail: detail, offset: offset)
    }

    @inline(never)
    private func doubleError(_ field: StaticString, _ value: Double, _ rule: DoubleRule, at offset: Int) -> WireError {
        if !value.isFinite {
            return WireError(.nonFinite, field: "\(field)", detail: "\(value) is not finite", offset: offset)
        }
        return WireError(.outOfRange, field: "\(field)", detail: rule.violation(value) ?? "", offset: offset)
    }

    @inline(__always)
    mutating func u8(_ field: StaticString) throws(WireError) -> UInt8 {
        try need(1, field)
        defer { pos += 1 }
        return base.load(fromByteOffset: pos, as: UInt8.self)
    }

    @inline(__always)
    mutating func u32(_ field: StaticString) throws(WireError) -> UInt32 {
        try need(4, field)
        defer { pos += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt32.self))
    }

    @inline(__always)
    mutating func u64(_ field: StaticString) throws(WireError) -> UInt64 {
        try need(8, field)
        defer { pos += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
    }

    @inline(__always)
    mutating func i64(_ field: StaticString) throws(WireError) -> Int64 {
        Int64(bitPattern: try u64(field))
    }

    /// An i64 timestamp, `>= 0`.
    @inline(__always)
    mutating func timestamp(_ field: StaticString) throws(WireError) -> Int64 {
        let start = pos
        let value = try i64(field)
        guard value >= 0 else { throw rangeError(field, "must be >= 0, got \(value)", at: start) }
        return value
    }

    /// An f64 that is finite (`nonFinite` otherwise) and satisfies `rule` (`outOfRange` otherwise).
    @inline(__always)
    mutating func f64(_ field: StaticString, _ rule: DoubleRule) throws(WireError) -> Double {
        let start = pos
        let value = Double(bitPattern: try u64(field))
        guard value.isFinite && rule.allows(value) else { throw doubleError(field, value, rule, at: start) }
        return value
    }

    /// A u8 code that must be an index into `E.allCases`.
    mutating func code<E: CaseIterable>(_: E.Type, _ field: StaticString) throws(WireError) -> E
    where E.AllCases == [E] {
        let start = pos
        let code = Int(try u8(field))
        guard code < E.allCases.count else {
            throw WireError(
                .outOfRange, field: "\(field)", detail: "code \(code) is not in 0...\(E.allCases.count - 1)",
                offset: start)
        }
        return E.allCases[code]
    }

    /// u8 length then a symbol (symbol rule: 1...64 bytes of 0x21...0x7E).
    mutating func symbol(_ field: StaticString) throws(WireError) -> String {
        let start = pos
        let count = Int(try u8(field))
        try need(count, field)
        let bytes = UnsafeRawBufferPointer(start: base + pos, count: count)
        guard isValidSymbol(bytes) else { throw rangeError(field, symbolViolation(bytes) ?? "", at: start) }
        pos += count
        return String(decoding: bytes, as: UTF8.self)
    }

    /// u32 length then UTF-8 text (`invalidUTF8` otherwise).
    mutating func text(_ field: StaticString) throws(WireError) -> String {
        let count = Int(try u32(field))
        try need(count, field)
        let bytes = UnsafeRawBufferPointer(start: base + pos, count: count)
        if let bad = UTF8Check.firstInvalidOffset(bytes) {
            throw WireError(.invalidUTF8, field: "\(field)", detail: "invalid UTF-8", offset: pos + bad)
        }
        pos += count
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A u32 element count, checked against the bytes left (each element takes at least
    /// `minimumElementSize` bytes), so a corrupt count cannot cause a large allocation.
    mutating func count(_ field: StaticString, minimumElementSize: Int) throws(WireError) -> Int {
        let start = pos
        let count = Int(try u32(field))
        guard count <= (end - pos) / minimumElementSize else {
            throw WireError(
                .truncated, field: "\(field)",
                detail: "count \(count) needs at least \(count * minimumElementSize) bytes, \(end - pos) left",
                offset: start)
        }
        return count
    }

    func finish() throws(WireError) {
        guard pos == end else {
            throw WireError(.trailingBytes, detail: "\(end - pos) bytes after the binary v1 layout", offset: pos)
        }
    }
}

extension WireCodec {
    /// Decodes a binary v1 payload (first byte already checked to be the magic) as an event of `kind`,
    /// then checks that the topic's `key` names it.
    @inline(__always)
    static func decodeBinary(
        _ kind: EventKind, _ payload: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?
    ) throws(WireError) -> WireEvent {
        var r = BinaryReader(payload)
        r.pos = 1
        let kindCode = try r.u8("kind")
        guard let payloadKind = EventKind(rawValue: kindCode) else {
            throw WireError(.outOfRange, field: "kind", detail: "unknown kind byte \(kindCode)", offset: 1)
        }
        guard payloadKind == kind else {
            throw WireError(
                .topicMismatch, field: "kind", detail: "payload is a \(payloadKind.name), topic a \(kind.name)",
                offset: 1)
        }
        let flags = try r.u8("flags")
        guard flags & ~kind.definedFlags == 0 else {
            throw WireError(
                .outOfRange, field: "flags", detail: "reserved bits set: 0x\(hex2(flags & ~kind.definedFlags))",
                offset: 2)
        }
        @inline(__always) func has(_ bit: UInt8) -> Bool { flags & (1 << bit) != 0 }

        switch kind {
        case .tick:
            var tick = Tick(symbol: "", ts: try r.timestamp("ts"), price: try r.f64("price", .positive))
            if has(0) { tick.size = try r.f64("size", .nonNegative) }
            if has(1) { tick.bid = try r.f64("bid", .positive) }
            if has(2) { tick.ask = try r.f64("ask", .positive) }
            if has(3) { tick.bidSize = try r.f64("bid_size", .nonNegative) }
            if has(4) { tick.askSize = try r.f64("ask_size", .nonNegative) }
            if has(5) { tick.seq = try r.u64("seq") }
            tick.symbol = try r.symbol("symbol")
            try r.finish()
            try checkKey(key, names: tick.symbol, "symbol")
            return .tick(tick)
        case .news:
            let ts = try r.timestamp("ts")
            let sentiment = has(3) ? try r.f64("sentiment", .signedUnit) : nil
            let countStart = r.pos
            let count = try r.count("symbols", minimumElementSize: 2)
            guard count > 0 else {
                throw WireError(
                    .outOfRange, field: "symbols", detail: "must hold at least one symbol", offset: countStart)
            }
            var symbols: [String] = []
            symbols.reserveCapacity(count)
            for index in 0..<count {
                do throws(WireError) {
                    symbols.append(try r.symbol(""))
                } catch {
                    var error = error
                    error.field = "symbols[\(index)]"
                    throw error
                }
            }
            let id = has(0) ? try r.text("id") : nil
            let headline = try r.text("headline")
            let body = has(1) ? try r.text("body") : nil
            let source = has(2) ? try r.text("source") : nil
            try r.finish()
            try checkKey(key, isOneOf: symbols)
            return .news(
                News(
                    id: id, ts: ts, symbols: symbols, headline: headline, body: body, source: source,
                    sentiment: sentiment))
        case .position:
            let ts = try r.timestamp("ts")
            let quantity = try r.f64("quantity", .finite)
            let price = has(0) ? try r.f64("price", .positive) : nil
            let account = try r.symbol("account")
            let symbol = try r.symbol("symbol")
            try r.finish()
            try checkKey(key, names: account, "account")
            return .position(Position(account: account, symbol: symbol, quantity: quantity, ts: ts, price: price))
        case .alert:
            let seq = try r.u64("seq")
            let kindSeq = try r.u64("kind_seq")
            let ts = try r.timestamp("ts")
            let eventTs = try r.timestamp("event_ts")
            let alertKind = try r.code(Alert.Kind.self, "kind")
            let severity = try r.code(Alert.Severity.self, "severity")
            let state = try r.code(Alert.State.self, "state")
            let value = try r.f64("value", .finite)
            let threshold = try r.f64("threshold", .finite)
            let symbol = try r.symbol("symbol")
            let account = has(0) ? try r.symbol("account") : nil
            let message = try r.text("message")
            let count = try r.count("drivers", minimumElementSize: 12)
            var drivers: [Alert.Driver] = []
            drivers.reserveCapacity(count)
            for index in 0..<count {
                do throws(WireError) {
                    drivers.append(
                        Alert.Driver(feature: try r.text("feature"), contribution: try r.f64("contribution", .finite)))
                } catch {
                    throw error.inField("drivers[\(index)]")
                }
            }
            try r.finish()
            try checkKey(key, names: symbol, "symbol")
            return .alert(
                Alert(
                    seq: seq, ts: ts, eventTs: eventTs, symbol: symbol, kind: alertKind, severity: severity,
                    state: state,
                    value: value, threshold: threshold, message: message, drivers: drivers, account: account,
                    kindSeq: kindSeq))
        case .hedge:
            let seq = try r.u64("seq")
            let kindSeq = try r.u64("kind_seq")
            let ts = try r.timestamp("ts")
            let ratio = try r.f64("ratio", .finite)
            let quantity = try r.f64("quantity", .finite)
            let notional = try r.f64("notional", .finite)
            let account = try r.symbol("account")
            let symbol = try r.symbol("symbol")
            let hedgeSymbol = try r.symbol("hedge_symbol")
            let reason = try r.text("reason")
            let position = has(0) ? try r.f64("position", .finite) : nil
            let delta = has(1) ? try r.f64("delta", .finite) : nil
            try r.finish()
            try checkKey(key, names: symbol, "symbol")
            return .hedge(
                Hedge(
                    seq: seq, ts: ts, account: account, symbol: symbol, hedgeSymbol: hedgeSymbol, ratio: ratio,
                    quantity: quantity, notional: notional, reason: reason, position: position, delta: delta,
                    kindSeq: kindSeq))
        case .risk:
            let seq = try r.u64("seq")
            let kindSeq = try r.u64("kind_seq")
            var risk = RiskSnapshot(seq: seq, ts: try r.timestamp("ts"), symbol: "", kindSeq: kindSeq)
            if has(0) { risk.price = try r.f64("price", .positive) }
            if has(1) { risk.volatility = try r.f64("volatility", .nonNegative) }
            if has(2) { risk.valueAtRisk = try r.f64("var", .finite) }
            if has(3) { risk.expectedShortfall = try r.f64("es", .finite) }
            if has(4) { risk.confidence = try r.f64("confidence", .openUnit) }
            if has(5) { risk.drawdown = try r.f64("drawdown", .unit) }
            if has(6) { risk.horizonSeconds = try r.f64("horizon_s", .positive) }
            risk.warming = has(7)
            risk.symbol = try r.symbol("symbol")
            let count = try r.count("models", minimumElementSize: 5)
            risk.models.reserveCapacity(count)
            for index in 0..<count {
                do throws(WireError) {
                    let flagsAt = r.pos
                    let modelFlags = try r.u8("flags")
                    guard modelFlags & ~0b11 == 0 else {
                        throw WireError(
                            .outOfRange, field: "flags", detail: "reserved bits set: 0x\(hex2(modelFlags & ~0b11))",
                            offset: flagsAt)
                    }
                    var score = RiskSnapshot.ModelScore(model: try r.text("model"))
                    if modelFlags & 1 != 0 { score.forecast = try r.f64("forecast", .finite) }
                    if modelFlags & 2 != 0 { score.mae = try r.f64("mae", .nonNegative) }
                    risk.models.append(score)
                } catch {
                    throw error.inField("models[\(index)]")
                }
            }
            let horizonCount = try r.count("horizons", minimumElementSize: 25)
            risk.horizons.reserveCapacity(horizonCount)
            for index in 0..<horizonCount {
                do throws(WireError) {
                    let flagsAt = r.pos
                    let horizonFlags = try r.u8("flags")
                    guard horizonFlags & ~0b11 == 0 else {
                        throw WireError(
                            .outOfRange, field: "flags", detail: "reserved bits set: 0x\(hex2(horizonFlags & ~0b11))",
                            offset: flagsAt)
                    }
                    var h = RiskSnapshot.HorizonRisk(horizonSeconds: try r.f64("horizon_s", .positive))
                    if horizonFlags & 1 != 0 { h.valueAtRisk = try r.f64("var", .finite) }
                    if horizonFlags & 2 != 0 { h.expectedShortfall = try r.f64("es", .finite) }
                    h.breaches = try r.u64("breaches")
                    h.windows = try r.u64("windows")
                    risk.horizons.append(h)
                } catch {
                    throw error.inField("horizons[\(index)]")
                }
            }
            try r.finish()
            try checkKey(key, names: risk.symbol, "symbol")
            return .risk(risk)
        case .heartbeat:
            var heartbeat = Heartbeat(
                seq: try r.u64("seq"), ts: 0, kindSeq: try r.u64("kind_seq"))
            heartbeat.ts = try r.timestamp("ts")
            heartbeat.eventsIn = try r.u64("events_in")
            heartbeat.malformed = try r.u64("malformed")
            heartbeat.dropped = try r.u64("dropped")
            heartbeat.alertsOut = try r.u64("alerts_out")
            heartbeat.hedgesOut = try r.u64("hedges_out")
            heartbeat.lagNs = try r.i64("lag_ns")
            heartbeat.lostUpstream = try r.u64("lost_upstream")
            heartbeat.quarantined = try r.u64("quarantined")
            heartbeat.rejectedSymbols = try r.u64("rejected_symbols")
            heartbeat.rejectedAccounts = try r.u64("rejected_accounts")
            heartbeat.disconnects = try r.u64("disconnects")
            try r.finish()
            return .heartbeat(heartbeat)
        }
    }
}
