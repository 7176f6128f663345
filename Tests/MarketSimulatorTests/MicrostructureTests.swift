import MarketEvents
import MarketSimulator
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The realistic tape (`microstructure`), the session calendar, the scripted crash, ground truth and
/// calibration, measured on seeded runs.
@Suite struct MicrostructureTests {
    /// The standard market as `riskstream feed --microstructure realistic` makes it at 1,000 events a
    /// second, plus a futures-like symbol trading in whole ticks of 5 bp.
    static func realistic(seed: UInt64 = 1) -> SimulatorConfiguration {
        var c = SimulatorConfiguration.standard(seed: seed)
        c.instruments.append(
            .init(
                symbol: "FUT", initialPrice: 5_000, beta: 1, idiosyncraticVolatility: 0.0002, tickSize: 2.5,
                spreadBasisPoints: 0.5))
        c.useRealisticTape()
        c.scaleVolatility(by: c.volatilityScale(eventsPerSecond: 1_000, indexVolatility: 0.2), scalingTickSizes: false)
        return c
    }

    static func ticks(_ configuration: SimulatorConfiguration, count: Int) -> [Tick] {
        var simulator = MarketSimulator(configuration: configuration)
        var ticks: [Tick] = []
        ticks.reserveCapacity(count)
        for _ in 0..<count {
            if case .tick(let t) = simulator.next() { ticks.append(t) }
        }
        return ticks
    }

    static let tape = ticks(realistic(), count: 200_000)

    @Test func mostPrintsRepeatThePreviousPrice() {
        var last: [String: Double] = [:]
        var unchanged = 0
        var compared = 0
        for t in Self.tape {
            if let previous = last[t.symbol] {
                compared += 1
                if previous == t.price { unchanged += 1 }
            }
            last[t.symbol] = t.price
        }
        let fraction = Double(unchanged) / Double(compared)
        #expect(fraction > 0.6 && fraction < 0.98, "unchanged prints: \(fraction)")
    }

    @Test func everyPriceIsOnItsInstrumentsGrid() throws {
        let grid = Dictionary(uniqueKeysWithValues: Self.realistic().instruments.map { ($0.symbol, $0.tickSize) })
        #expect(grid["FUT"] == 2.5 && grid["SPX"] == 1.0, "the index trades like a future: \(grid)")
        var offGrid: [Tick] = []
        for t in Self.tape {
            let tick = try #require(grid[t.symbol])
            for x in [t.price, t.bid, t.ask].compactMap({ $0 }) {
                let units = x / tick
                if abs(units - units.rounded()) > 1e-6 * max(1, units) { offGrid.append(t) }
            }
        }
        #expect(offGrid.isEmpty, "\(offGrid.prefix(5))")
        // The futures-like symbol moves in whole ticks of 5 bp: every price change is a multiple of 2.5.
        let futures = Self.tape.filter { $0.symbol == "FUT" }.map(\.price)
        let moves = zip(futures, futures.dropFirst()).map { abs($1 - $0) }.filter { $0 > 0 }
        #expect(!moves.isEmpty && moves.allSatisfy { ($0 / 2.5 - ($0 / 2.5).rounded()).magnitude < 1e-9 })
    }

    /// 10 % of prints carry no quote (binomial, 5 standard deviations); the others carry a full,
    /// uncrossed one with the trade on it.
    @Test func someTradesComeWithoutAQuote() {
        let tradeOnly = Self.tape.filter { $0.bid == nil }
        let n = Double(Self.tape.count)
        let expected = 0.1 * n
        #expect(abs(Double(tradeOnly.count) - expected) < 5 * (n * 0.1 * 0.9).squareRoot())
        #expect(tradeOnly.allSatisfy { $0.ask == nil && $0.bidSize == nil && $0.askSize == nil && $0.size != nil })
        let quoted = Self.tape.filter { $0.bid != nil }
        #expect(quoted.allSatisfy { $0.bid! < $0.ask! && ($0.price == $0.bid || $0.price == $0.ask) })
    }

    @Test func burstsOfPrintsShareAMillisecondAndTimeStillIncreases() {
        var bursts = 0
        for (a, b) in zip(Self.tape, Self.tape.dropFirst()) {
            #expect(b.ts > a.ts)
            if a.symbol == b.symbol && a.ts / 1_000_000 == b.ts / 1_000_000 { bursts += 1 }
        }
        // 3 % of prints start a burst of about four more: thousands in 200,000 prints.
        #expect(bursts > 2_000, "same-millisecond follow-on prints: \(bursts)")
    }

    @Test(arguments: [0, 42, UInt64.max])
    func theRealisticTapeIsDeterministic(seed: UInt64) {
        var a = MarketSimulator(configuration: Self.realistic(seed: seed))
        var b = MarketSimulator(configuration: Self.realistic(seed: seed))
        var mismatches = 0
        for _ in 0..<50_000 where a.next() != b.next() { mismatches += 1 }
        #expect(mismatches == 0)
    }

    /// A day and a half on the US equity calendar at 10 events a second: the open (14:30-15:00 UTC,
    /// intensity 4) is about 80 times as busy as the small hours (intensity 0.05).
    @Test func overnightIsQuieterThanTheOpen() {
        var c = SimulatorConfiguration.standard(seed: 3)
        c.session = .usEquities
        c.meanEventSpacingNanoseconds = 100_000_000
        c.intensityElasticity = 0
        c.startTimestamp = (1_699_920_000 + 20 * 3600) * 1_000_000_000  // 20:00 UTC
        var simulator = MarketSimulator(configuration: c)
        var perPeriod = (overnight: 0, open: 0)
        let day = Int64(86_400) * 1_000_000_000
        let end = c.startTimestamp + day
        while true {
            guard case .tick(let t) = simulator.next() else { continue }
            if t.ts >= end { break }
            let second = Int((t.ts / 1_000_000_000) % 86_400)
            if second >= 3600 && second < 5 * 3600 { perPeriod.overnight += 1 }
            if second >= 14 * 3600 + 1800 && second < 15 * 3600 { perPeriod.open += 1 }
        }
        let overnightRate = Double(perPeriod.overnight) / (4 * 3600)
        let openRate = Double(perPeriod.open) / 1800
        #expect(overnightRate > 0.3 && overnightRate < 0.7, "overnight: \(overnightRate) events/s")
        #expect(openRate > 35 && openRate < 45, "open: \(openRate) events/s")
    }

    /// `--crash-at 20 --crash-size 0.03 --crash-duration 30`: every symbol's mid falls by 3 % over the
    /// 30 s, tick by tick (no step of the fall larger than a few basis points), and the truth says when.
    @Test func aScriptedCrashTakesEverySymbolDownThreePercent() throws {
        var c = SimulatorConfiguration.standard(seed: 8)
        c.calibrate(eventsPerSecond: 1_000, indexVolatility: 0.2)
        for regime in Regime.allCases { c[regime].jumpProbability = 0 }
        c.crash = .init(offsetNanoseconds: 20_000_000_000, durationNanoseconds: 30_000_000_000, size: 0.03)
        var simulator = MarketSimulator(configuration: c)
        simulator.recordsGroundTruth = true
        let start = c.startTimestamp + 20_000_000_000
        let end = start + 30_000_000_000
        var before: [String: Double] = [:]
        var after: [String: Double] = [:]
        var largestStep = 0.0
        var last: [String: Double] = [:]
        var truth: [GroundTruthEvent] = []
        while true {
            let event = simulator.next()
            truth += simulator.takeGroundTruth()
            guard case .tick(let t) = event else { continue }
            let mid = (t.bid! + t.ask!) / 2
            if t.ts < start { before[t.symbol] = mid }
            if t.ts > end { after[t.symbol] = after[t.symbol] ?? mid }
            if t.ts >= start && t.ts <= end, let previous = last[t.symbol] {
                largestStep = max(largestStep, abs(log(mid / previous)))
            }
            last[t.symbol] = mid
            if after.count == c.instruments.count { break }
        }
        for (symbol, mid) in after {
            let move = log(mid / before[symbol]!)
            #expect(abs(move - log(0.97)) < 0.01, "\(symbol): \(move)")
        }
        #expect(largestStep < 0.001, "largest step during the crash: \(largestStep)")
        let crashStarts = truth.compactMap { e -> Int64? in
            if case .crashStart(_, let endTs) = e.kind { return endTs - e.ts }
            return nil
        }
        #expect(crashStarts.count == 1 && abs(crashStarts[0] - 30_000_000_000) < 10_000_000)
        #expect(truth.contains { if case .crashEnd = $0.kind { $0.ts >= end } else { false } })
    }

    /// Every regime change the simulator makes and every jump it draws is in its ground-truth log, and
    /// nothing is logged while recording is off.
    @Test func groundTruthLogsEveryRegimeChangeAndJump() {
        var simulator = MarketSimulator(configuration: .standard(seed: 12))
        simulator.recordsGroundTruth = true
        var silent = MarketSimulator(configuration: .standard(seed: 12))
        var regime = simulator.regime
        var observedChanges = 0
        var logged: [GroundTruthEvent] = []
        for _ in 0..<200_000 {
            _ = simulator.next()
            _ = silent.next()
            #expect(silent.takeGroundTruth().isEmpty)
            logged += simulator.takeGroundTruth()
            if simulator.regime != regime {
                observedChanges += 1
                regime = simulator.regime
            }
        }
        var changes = 0
        var jumps = 0
        for event in logged {
            switch event.kind {
            case .regimeChange(let from, let to, _, let volatilities):
                changes += 1
                #expect(from != to && volatilities.count == 6)
                let index = volatilities[0]
                let expectedRatio =
                    SimulatorConfiguration.standard(seed: 12)[to].volatilityMultiplier
                    / SimulatorConfiguration.standard(seed: 12)[from].volatilityMultiplier
                // The regime multiplier, times the log-volatility factor's one-step move.
                #expect(abs(index.after / index.before / expectedRatio - 1) < 0.1)
            case .jump: jumps += 1
            default: break
            }
        }
        #expect(observedChanges > 10 && changes == observedChanges)
        #expect(jumps == simulator.jumpCount)
    }

    /// Calibrated at 1,000 events a second to 20 % for the index, with no volatility noise and the
    /// regime held normal, the index's realised volatility per second of event time, annualised as the
    /// engine does, is 20 % (within 5 %: 60,000 returns, and the grid's rounding of the mid).
    @Test func calibrationHitsTheTargetInTheEnginesUnits() {
        var c = SimulatorConfiguration.standard(seed: 21)
        c.volatilityOfVolatility = 0
        c.newsProbability = 0
        c.normal.meanDurationEvents = .greatestFiniteMagnitude
        c.normal.jumpProbability = 0
        c.calibrate(eventsPerSecond: 1_000, indexVolatility: 0.2)
        let ticks = Self.ticks(c, count: 360_000).filter { $0.symbol == "SPX" }
        var squares = 0.0
        for (a, b) in zip(ticks, ticks.dropFirst()) {
            let r = log((b.bid! + b.ask!) / (a.bid! + a.ask!))
            squares += r * r
        }
        let seconds = Double(ticks.last!.ts - ticks.first!.ts) / 1e9
        let annualised = (squares / seconds * SimulatorConfiguration.tradingSecondsPerYear).squareRoot()
        #expect(abs(annualised - 0.2) < 0.01, "annualised \(annualised)")
    }
}
