import MarketEvents
import SeededRandom

/// Seeded generator of valid wire events, biased towards awkward values: subnormals, extreme
/// magnitudes, negative zero where the range allows it, symbols with `"` and `\`, unicode and
/// control characters in free text.
struct EventGenerator {
    var rng: Xoshiro256

    init(seed: UInt64) {
        rng = Xoshiro256(seed: seed)
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }

    mutating func chance(_ p: Double) -> Bool { rng.nextUnitDouble() < p }

    /// Positive finite doubles that stress number formatting and parsing.
    static let awkwardPositive: [Double] = [
        0x1p-1074, 2.2250738585072014e-308, Double.leastNormalMagnitude.nextDown, 1e-300, 1e-22, 1e-5, 0.1, 0.2,
        0.30000000000000004, 1.0 / 3.0, 1, 100, 189.25, 123456.789, 0x1p53 + 2, 9007199254740992, 1e15, 1e16,
        1e22, 1e23, 1.2345678901234568e29, 1e300, .greatestFiniteMagnitude, .leastNormalMagnitude,
    ]

    mutating func positive() -> Double {
        switch int(0...5) {
        case 0: return Self.awkwardPositive[int(0...Self.awkwardPositive.count - 1)]
        case 1:
            // Random finite bit pattern, sign cleared, not zero.
            while true {
                let value = Double(bitPattern: rng.next() & ~(1 << 63))
                if value.isFinite && value > 0 { return value }
            }
        case 2: return (rng.nextUnitDouble() * 1000).rounded() / 100 + 0.01  // prices like 4.37
        default: return 100 * (1 + 0.01 * rng.nextGaussian()).magnitude + 1e-9
        }
    }

    mutating func nonNegative() -> Double {
        switch int(0...9) {
        case 0: return 0
        case 1: return -0.0
        default: return positive()
        }
    }

    mutating func finite() -> Double {
        let value = nonNegative()
        return chance(0.5) ? -value : value
    }

    mutating func signedUnit() -> Double {
        switch int(0...7) {
        case 0: return [-1.0, 1, 0, -0.0, 0x1p-1074, -0x1p-1074, 1e-300, 0.1][int(0...7)]
        default: return rng.nextUnitDouble() * 2 - 1
        }
    }

    mutating func unit() -> Double {
        chance(0.1) ? [0, 1, -0.0, 0x1p-1074][int(0...3)] : rng.nextUnitDouble()
    }

    mutating func openUnit() -> Double {
        if chance(0.1) { return [0x1p-1074, 0.99, 0.95, 1.0.nextDown][int(0...3)] }
        let value = rng.nextUnitDouble()
        return value == 0 ? 0.5 : value
    }

    mutating func timestamp() -> Int64 {
        switch int(0...5) {
        case 0: return [0, 1, Int64.max, 1 << 53, (1 << 53) + 1][int(0...4)]
        case 1: return Int64(bitPattern: rng.next() >> 1)
        default: return 1_700_000_000_000_000_000 + Int64(rng.next() % 100_000_000_000_000_000)
        }
    }

    mutating func anyInt64() -> Int64 {
        chance(0.2) ? [Int64.min, Int64.max, 0, -1][int(0...3)] : Int64(bitPattern: rng.next())
    }

    mutating func uint64() -> UInt64 {
        chance(0.2) ? [0, 1, UInt64.max, UInt64(Int64.max) + 1][int(0...3)] : rng.next() >> UInt64(int(0...63))
    }

    /// 1...64 printable ASCII bytes (including `"` and `\`), sometimes the usual tickers.
    mutating func symbol() -> String {
        if chance(0.5) { return ["AAPL", "MSFT", "SPY", "BRK.B", "ES=F", "EUR/USD", "BTC-USD", "A"][int(0...7)] }
        let length = chance(0.1) ? 64 : int(1...20)
        var bytes: [UInt8] = []
        for _ in 0..<length { bytes.append(UInt8(int(0x21...0x7E))) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static let textPieces: [String] = [
        "", "a", "Apple beats", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1f}", "\u{7f}", "é", "日本語", "🚀",
        "\u{2028}", "\u{FFFF}", "\u{10FFFF}", "Ωmega", "€", "\r\n", "{\"nested\": [1, 2]}", "null",
    ]

    /// Free text with unicode, quotes, backslashes and control characters.
    mutating func text(maxPieces: Int = 6) -> String {
        var result = ""
        for _ in 0..<int(0...maxPieces) { result += Self.textPieces[int(0...Self.textPieces.count - 1)] }
        return result
    }

    mutating func maybe<T>(_ make: (inout EventGenerator) -> T) -> T? {
        chance(0.5) ? make(&self) : nil
    }

    mutating func tick() -> Tick {
        Tick(
            symbol: symbol(), ts: timestamp(), price: positive(), size: maybe { $0.nonNegative() },
            bid: maybe { $0.positive() }, ask: maybe { $0.positive() }, bidSize: maybe { $0.nonNegative() },
            askSize: maybe { $0.nonNegative() }, seq: maybe { $0.uint64() })
    }

    mutating func news() -> News {
        var symbols: [String] = []
        for _ in 0..<int(1...4) { symbols.append(symbol()) }
        return News(
            id: maybe { $0.text(maxPieces: 2) }, ts: timestamp(), symbols: symbols, headline: text(),
            body: maybe { $0.text(maxPieces: 10) }, source: maybe { $0.text(maxPieces: 1) },
            sentiment: maybe { $0.signedUnit() })
    }

    mutating func position() -> Position {
        Position(
            account: symbol(), symbol: symbol(), quantity: finite(), ts: timestamp(), price: maybe { $0.positive() })
    }

    mutating func alert() -> Alert {
        var drivers: [Alert.Driver] = []
        for _ in 0..<int(0...3) { drivers.append(Alert.Driver(feature: text(maxPieces: 2), contribution: finite())) }
        return Alert(
            seq: uint64(), ts: timestamp(), eventTs: timestamp(), symbol: symbol(),
            kind: Alert.Kind.allCases[int(0...Alert.Kind.allCases.count - 1)],
            severity: Alert.Severity.allCases[int(0...2)], state: Alert.State.allCases[int(0...1)], value: finite(),
            threshold: finite(), message: text(), drivers: drivers, account: maybe { $0.symbol() }, kindSeq: uint64())
    }

    mutating func hedge() -> Hedge {
        Hedge(
            seq: uint64(), ts: timestamp(), account: symbol(), symbol: symbol(), hedgeSymbol: symbol(), ratio: finite(),
            quantity: finite(), notional: finite(), reason: text(), position: maybe { $0.finite() },
            delta: maybe { $0.finite() }, kindSeq: uint64())
    }

    mutating func risk() -> RiskSnapshot {
        var models: [RiskSnapshot.ModelScore] = []
        for _ in 0..<int(0...3) {
            models.append(
                RiskSnapshot.ModelScore(
                    model: text(maxPieces: 2), forecast: maybe { $0.finite() }, mae: maybe { $0.nonNegative() }))
        }
        var horizons: [RiskSnapshot.HorizonRisk] = []
        for _ in 0..<int(0...3) {
            horizons.append(
                RiskSnapshot.HorizonRisk(
                    horizonSeconds: positive(), valueAtRisk: maybe { $0.finite() },
                    expectedShortfall: maybe { $0.finite() }, breaches: uint64(), windows: uint64()))
        }
        return RiskSnapshot(
            seq: uint64(), ts: timestamp(), symbol: symbol(), price: maybe { $0.positive() },
            volatility: maybe { $0.nonNegative() }, valueAtRisk: maybe { $0.finite() },
            expectedShortfall: maybe { $0.finite() }, confidence: maybe { $0.openUnit() },
            horizonSeconds: maybe { $0.positive() }, drawdown: maybe { $0.unit() }, warming: chance(0.5),
            horizons: horizons, models: models, kindSeq: uint64())
    }

    mutating func heartbeat() -> Heartbeat {
        Heartbeat(
            seq: uint64(), ts: timestamp(), eventsIn: uint64(), malformed: uint64(), dropped: uint64(),
            alertsOut: uint64(), hedgesOut: uint64(), lagNs: anyInt64(), kindSeq: uint64(), lostUpstream: uint64(),
            quarantined: uint64(), rejectedSymbols: uint64(), rejectedAccounts: uint64(), disconnects: uint64())
    }

    mutating func event(_ kind: Kind) -> WireEvent {
        switch kind {
        case .tick: .tick(tick())
        case .news: .news(news())
        case .position: .position(position())
        case .alert: .alert(alert())
        case .hedge: .hedge(hedge())
        case .risk: .risk(risk())
        case .heartbeat: .heartbeat(heartbeat())
        }
    }

    mutating func anyEvent() -> WireEvent {
        event(Kind.allCases[int(0...Kind.allCases.count - 1)])
    }

    /// A topic the event may be published on: for news, any of its symbols.
    mutating func topic(for event: WireEvent) -> String {
        if case .news(let news) = event { return "news." + news.symbols[int(0...news.symbols.count - 1)] }
        return event.topic
    }

    enum Kind: String, CaseIterable, Sendable {
        case tick, news, position, alert, hedge, risk, heartbeat
    }
}
