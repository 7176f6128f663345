// Canonical JSON encoding: fixed key order, no whitespace, integers as integers, doubles as Swift's
// shortest round-trip text, strings with only `"`, `\` and control characters escaped.

/// Appends JSON text to a byte array. Also a `TextOutputStream`, so that `Double.write(to:)` hands its
/// digits over as ASCII bytes without building a `String`.
struct JSONWriter: TextOutputStream {
    var bytes: [UInt8]

    /// Fallback for any `String` written through `TextOutputStream` (not used for doubles).
    mutating func write(_ string: String) {
        bytes.append(contentsOf: string.utf8)
    }

    /// The standard library's ASCII fast path for `Double.write(to:)`: digits arrive in a stack buffer.
    mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: buffer)
    }

    @inline(__always)
    mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A JSON string: `"` and `\` escaped with a backslash, other bytes below 0x20 as `\u00xx`, all
    /// else (including non-ASCII UTF-8) verbatim.
    mutating func string(_ value: String) {
        var value = value
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                if byte < 0x20 {
                    let hex: StaticString = "0123456789abcdef"
                    raw("\\u00")
                    bytes.append(hex.utf8Start[Int(byte >> 4)])
                    bytes.append(hex.utf8Start[Int(byte & 15)])
                } else {
                    bytes.append(UInt8(ascii: "\\"))
                    bytes.append(byte)
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func uint(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var value = value
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value != 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index..<20]))
        }
    }

    mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        uint(value.magnitude)
    }

    /// Swift's shortest representation that parses back to the same bits (`100.0`, `0.1`, `1e-05`,
    /// `-0.0`); a non-finite value, which a valid event never holds, is written as `null` so the output
    /// is always valid JSON.
    mutating func double(_ value: Double) {
        // Fast path with the same output: Swift prints a nonzero integral magnitude below 2^53 as its
        // integer digits followed by ".0" (exponent form starts at 1e16).
        if value == value.rounded(.towardZero) && value.magnitude < 0x1p53 && value != 0 {
            int(Int64(value))
            raw(".0")
        } else if value.isFinite {
            value.write(to: &self)
        } else {
            raw("null")
        }
    }

    mutating func double(_ value: Double?) {
        if let value { double(value) } else { raw("null") }
    }
}

extension WireCodec {
    static func writeJSON(_ event: WireEvent, to w: inout JSONWriter) {
        switch event {
        case .tick(let tick):
            w.raw(#"{"symbol":"#)
            w.string(tick.symbol)
            w.raw(#","ts":"#)
            w.int(tick.ts)
            w.raw(#","price":"#)
            w.double(tick.price)
            if let size = tick.size {
                w.raw(#","size":"#)
                w.double(size)
            }
            if let bid = tick.bid {
                w.raw(#","bid":"#)
                w.double(bid)
            }
            if let ask = tick.ask {
                w.raw(#","ask":"#)
                w.double(ask)
            }
            if let bidSize = tick.bidSize {
                w.raw(#","bid_size":"#)
                w.double(bidSize)
            }
            if let askSize = tick.askSize {
                w.raw(#","ask_size":"#)
                w.double(askSize)
            }
            if let seq = tick.seq {
                w.raw(#","seq":"#)
                w.uint(seq)
            }
            w.raw("}")
        case .news(let news):
            w.raw("{")
            if let id = news.id {
                w.raw(#""id":"#)
                w.string(id)
                w.raw(",")
            }
            w.raw(#""ts":"#)
            w.int(news.ts)
            w.raw(#","symbols":["#)
            for (index, symbol) in news.symbols.enumerated() {
                if index > 0 { w.raw(",") }
                w.string(symbol)
            }
            w.raw(#"],"headline":"#)
            w.string(news.headline)
            if let body = news.body {
                w.raw(#","body":"#)
                w.string(body)
            }
            if let source = news.source {
                w.raw(#","source":"#)
                w.string(source)
            }
            if let sentiment = news.sentiment {
                w.raw(#","sentiment":"#)
                w.double(sentiment)
            }
            w.raw("}")
        case .position(let position):
            w.raw(#"{"account":"#)
            w.string(position.account)
            w.raw(#","symbol":"#)
            w.string(position.symbol)
            w.raw(#","quantity":"#)
            w.double(position.quantity)
            w.raw(#","ts":"#)
            w.int(position.ts)
            if let price = position.price {
                w.raw(#","price":"#)
                w.double(price)
            }
            w.raw("}")
        case .alert(let alert):
            w.raw(#"{"type":"alert","seq":"#)
            w.uint(alert.seq)
            w.raw(#","kind_seq":"#)
            w.uint(alert.kindSeq)
            w.raw(#","ts":"#)
            w.int(alert.ts)
            w.raw(#","event_ts":"#)
            w.int(alert.eventTs)
            w.raw(#","symbol":"#)
            w.string(alert.symbol)
            w.raw(#","kind":"#)
            w.string(alert.kind.rawValue)
            w.raw(#","severity":"#)
            w.string(alert.severity.rawValue)
            w.raw(#","state":"#)
            w.string(alert.state.rawValue)
            w.raw(#","value":"#)
            w.double(alert.value)
            w.raw(#","threshold":"#)
            w.double(alert.threshold)
            w.raw(#","message":"#)
            w.string(alert.message)
            w.raw(#","drivers":["#)
            for (index, driver) in alert.drivers.enumerated() {
                w.raw(index == 0 ? #"{"feature":"# : #",{"feature":"#)
                w.string(driver.feature)
                w.raw(#","contribution":"#)
                w.double(driver.contribution)
                w.raw("}")
            }
            w.raw(#"],"account":"#)
            if let account = alert.account { w.string(account) } else { w.raw("null") }
            w.raw("}")
        case .hedge(let hedge):
            w.raw(#"{"type":"hedge","seq":"#)
            w.uint(hedge.seq)
            w.raw(#","kind_seq":"#)
            w.uint(hedge.kindSeq)
            w.raw(#","ts":"#)
            w.int(hedge.ts)
            w.raw(#","account":"#)
            w.string(hedge.account)
            w.raw(#","symbol":"#)
            w.string(hedge.symbol)
            w.raw(#","hedge_symbol":"#)
            w.string(hedge.hedgeSymbol)
            w.raw(#","ratio":"#)
            w.double(hedge.ratio)
            w.raw(#","quantity":"#)
            w.double(hedge.quantity)
            w.raw(#","notional":"#)
            w.double(hedge.notional)
            w.raw(#","reason":"#)
            w.string(hedge.reason)
            w.raw(#","position":"#)
            w.double(hedge.position)
            w.raw(#","delta":"#)
            w.double(hedge.delta)
            w.raw("}")
        case .risk(let risk):
            w.raw(#"{"type":"risk","seq":"#)
            w.uint(risk.seq)
            w.raw(#","kind_seq":"#)
            w.uint(risk.kindSeq)
            w.raw(#","ts":"#)
            w.int(risk.ts)
            w.raw(#","symbol":"#)
            w.string(risk.symbol)
            w.raw(#","price":"#)
            w.double(risk.price)
            w.raw(#","volatility":"#)
            w.double(risk.volatility)
            w.raw(#","var":"#)
            w.double(risk.valueAtRisk)
            w.raw(#","es":"#)
            w.double(risk.expectedShortfall)
            w.raw(#","confidence":"#)
            w.double(risk.confidence)
            w.raw(#","drawdown":"#)
            w.double(risk.drawdown)
            w.raw(#","horizon_s":"#)
            w.double(risk.horizonSeconds)
            w.raw(risk.warming ? #","warming":true"# : #","warming":false"#)
            w.raw(#","horizons":["#)
            for (index, h) in risk.horizons.enumerated() {
                w.raw(index == 0 ? #"{"horizon_s":"# : #",{"horizon_s":"#)
                w.double(h.horizonSeconds)
                w.raw(#","var":"#)
                w.double(h.valueAtRisk)
                w.raw(#","es":"#)
                w.double(h.expectedShortfall)
                w.raw(#","breaches":"#)
                w.uint(h.breaches)
                w.raw(#","windows":"#)
                w.uint(h.windows)
                w.raw("}")
            }
            w.raw(#"],"models":["#)
            for (index, score) in risk.models.enumerated() {
                w.raw(index == 0 ? #"{"model":"# : #",{"model":"#)
                w.string(score.model)
                w.raw(#","forecast":"#)
                w.double(score.forecast)
                w.raw(#","mae":"#)
                w.double(score.mae)
                w.raw("}")
            }
            w.raw("]}")
        case .heartbeat(let heartbeat):
            w.raw(#"{"type":"heartbeat","seq":"#)
            w.uint(heartbeat.seq)
            w.raw(#","kind_seq":"#)
            w.uint(heartbeat.kindSeq)
            w.raw(#","ts":"#)
            w.int(heartbeat.ts)
            w.raw(#","events_in":"#)
            w.uint(heartbeat.eventsIn)
            w.raw(#","malformed":"#)
            w.uint(heartbeat.malformed)
            w.raw(#","dropped":"#)
            w.uint(heartbeat.dropped)
            w.raw(#","alerts_out":"#)
            w.uint(heartbeat.alertsOut)
            w.raw(#","hedges_out":"#)
            w.uint(heartbeat.hedgesOut)
            w.raw(#","lag_ns":"#)
            w.int(heartbeat.lagNs)
            w.raw(#","lost_upstream":"#)
            w.uint(heartbeat.lostUpstream)
            w.raw(#","quarantined":"#)
            w.uint(heartbeat.quarantined)
            w.raw(#","rejected_symbols":"#)
            w.uint(heartbeat.rejectedSymbols)
            w.raw(#","rejected_accounts":"#)
            w.uint(heartbeat.rejectedAccounts)
            w.raw(#","disconnects":"#)
            w.uint(heartbeat.disconnects)
            w.raw("}")
        }
    }
}
