import Glibc
import MarketEvents
import OnlineLearning
import RiskModels
import SeededRandom
import Testing

@Suite struct SymbolFeaturesTests {
    static let second: Int64 = 1_000_000_000

    /// A random tick stream: a random-walk mid with a quote on most ticks, a trade size on most, quote sizes
    /// on some; same-timestamp ticks, small backwards steps within the data-quality tolerance; and, every so
    /// often, a crossed quote or a timestamp far in the past, both quarantined.
    static func stream(count: Int, seed: UInt64) -> [Tick] {
        var rng = Xoshiro256(seed: seed)
        var mid = 100.0
        var ts: Int64 = 1_000 * second
        var ticks: [Tick] = []
        for _ in 0..<count {
            let u = rng.nextUnitDouble()
            if u < 0.1 {
                ts += 0  // same timestamp
            } else if u < 0.15 {
                ts -= 300_000  // 0.3 ms back: tolerated
            } else {
                ts += Int64(rng.nextExponential(rate: 1.0 / 2e8))
            }
            mid *= exp(0.001 * rng.nextGaussian())
            let half = mid * (0.0001 + 0.0004 * rng.nextUnitDouble())
            let kind = rng.nextUnitDouble()
            var tick = Tick(symbol: "ABC", ts: ts, price: mid + half * (rng.nextUnitDouble() * 2 - 1))
            if kind < 0.85 { tick.bid = mid - half; tick.ask = mid + half }
            if kind > 0.1 { tick.size = (100 * rng.nextExponential(rate: 1)).rounded() }
            if kind < 0.6 { tick.bidSize = (rng.nextUnitDouble() * 10).rounded(); tick.askSize = (rng.nextUnitDouble() * 10).rounded() }
            let bad = rng.nextUnitDouble()
            if bad < 0.02 {
                tick.bid = mid + half  // crossed
                tick.ask = mid - half
            } else if bad < 0.03 {
                tick.ts = ts - 10 * second  // far behind: quarantined
            }
            ticks.append(tick)
        }
        return ticks
    }

    static let naiveSpecs: [FeatureSpec] = [
        .logReturn(lag: 1), .logReturn(lag: 3), .logReturn(lag: 15), .ewmaVolatility, .realizedVolatility(window: 1),
        .realizedVolatility(window: 7), .realizedVolatility(window: 15), .range(window: 2), .range(window: 9),
        .range(window: 15), .spreadBps, .quoteImbalance, .volumeZScore(window: 2), .volumeZScore(window: 10),
        .volumeZScore(window: 15), .sinceTrade,
    ]

    /// The features recomputed from scratch (O(n) each) from the full history of accepted ticks.
    struct Naive {
        var prices: [Double] = []
        var returns: [Double] = []
        var sizes: [Double] = []
        var lastTs: Int64?
        var since = 0.0
        var spread: Double?
        var imbalance: Double?
        var z: [Int: Double] = [:]
        var ewma = 0.0
        var ewmaCount = 0

        mutating func accept(_ tick: Tick, reference: Double, r: Double?, specs: [FeatureSpec]) {
            prices.append(reference)
            if let r {
                returns.append(r)
                ewmaCount += 1
                ewma = ewmaCount <= 20 ? ewma + (r * r - ewma) / Double(ewmaCount) : 0.94 * ewma + 0.06 * r * r
            }
            if let last = lastTs { since = max(0, Double(tick.ts - last) / 1e9) }
            lastTs = max(lastTs ?? tick.ts, tick.ts)
            if let bid = tick.bid, let ask = tick.ask { spread = (ask - bid) / ((ask + bid) / 2) * 10_000 }
            if let b = tick.bidSize, let a = tick.askSize, a + b > 0 { imbalance = (b - a) / (b + a) }
            if let size = tick.size {
                for case .volumeZScore(let n) in specs where sizes.count >= n {
                    let w = sizes.suffix(n)
                    let mean = w.reduce(0, +) / Double(n)
                    let sd = (w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
                    z[n] = sd > 0 ? (size - mean) / sd : 0
                }
                sizes.append(size)
            }
        }

        func value(_ spec: FeatureSpec) -> Double {
            switch spec {
            case .logReturn(let k): return prices.count > k ? log(prices.last! / prices[prices.count - 1 - k]) : 0
            case .ewmaVolatility: return ewmaCount >= 20 ? ewma.squareRoot() : 0
            case .realizedVolatility(let n):
                guard returns.count >= n else { return 0 }
                return (returns.suffix(n).reduce(0) { $0 + $1 * $1 } / Double(n)).squareRoot()
            case .range(let n):
                guard prices.count >= n else { return 0 }
                let w = prices.suffix(n)
                return log(w.max()! / w.min()!)
            case .spreadBps: return spread ?? 0
            case .quoteImbalance: return imbalance ?? 0
            case .volumeZScore(let n): return z[n] ?? 0
            case .sinceTrade: return lastTs != nil && prices.count >= 2 ? since : 0
            default: return .nan
            }
        }
    }

    /// Every feature against its from-scratch computation at every tick of a long stream on a small window,
    /// so every window wraps many times; quarantined ticks are checked to change nothing.
    @Test(arguments: [UInt64(1), 2, 3])
    func matchesNaiveComputationAfterTheWindowsWrap(seed: UInt64) throws {
        let capacity = 16
        var state = SymbolState(configuration: .init(windowCapacity: capacity))
        var features = SymbolFeatures(specs: Self.naiveSpecs, configuration: .init(windowCapacity: capacity))
        var naive = Naive()
        var vector: [Double] = []
        var quarantined = 0
        var worst = 0.0
        for (step, tick) in Self.stream(count: 3_000, seed: seed).enumerated() {
            features.write(into: &vector)
            let before = vector
            let update = state.updateAtOnce(tick: tick, now: tick.ts)
            features.observe(tick: tick, update: update, state: state)
            features.write(into: &vector)
            if update.report.isQuarantined {
                quarantined += 1
                #expect(vector == before, "a quarantined tick moved the features at step \(step)")
                continue
            }
            naive.accept(tick, reference: SymbolState.referencePrice(of: tick), r: update.acceptedReturn, specs: Self.naiveSpecs)
            for (i, spec) in Self.naiveSpecs.enumerated() {
                let expected = naive.value(spec)
                let error = abs(vector[i] - expected) / max(1, abs(expected))
                worst = max(worst, error)
                if error > 1e-9 {
                    Issue.record("\(spec.name) at step \(step): \(vector[i]) != \(expected)")
                    return
                }
                #expect(vector[i].isFinite)
            }
        }
        #expect(quarantined > 30)
        #expect(features.isWarm)
        #expect(worst < 1e-9)
    }

    /// Each feature is 0 and not warm until its window has filled.
    @Test func featuresAreZeroUntilWarm() {
        let specs: [FeatureSpec] = [.logReturn(lag: 3), .range(window: 3), .realizedVolatility(window: 2), .sinceTrade]
        var state = SymbolState(configuration: .init(windowCapacity: 8))
        var features = SymbolFeatures(specs: specs, configuration: .init(windowCapacity: 8))
        let prices = [100.0, 101, 99, 102]
        var vector: [Double] = []
        for (i, p) in prices.enumerated() {
            let tick = Tick(symbol: "X", ts: Int64(i) * Self.second, price: p)
            features.observe(tick: tick, update: state.updateAtOnce(tick: tick, now: 0), state: state)
            features.write(into: &vector)
            #expect(features.isReady(0) == (i >= 3) && features.isReady(1) == (i >= 2))
            #expect(features.isReady(2) == (i >= 2) && features.isReady(3) == (i >= 1))
            if i == 1 { #expect(vector == [0, 0, 0, 1]) }
        }
        #expect(abs(vector[0] - log(102.0 / 100)) < 1e-15)
        #expect(abs(vector[1] - log(102.0 / 99)) < 1e-15)
        let r1 = log(99.0 / 101)
        let r2 = log(102.0 / 99)
        #expect(abs(vector[2] - ((r1 * r1 + r2 * r2) / 2).squareRoot()) < 1e-15)
        #expect(features.isWarm)
    }

    /// `trade_intensity` with a one-second half-life, trades at 0, 1 and 2 s, then a quote-only tick at 3 s:
    /// the level is 1, then 1/2 + 1, then 3/4 + 1 = 1.75, then 0.875; the rate is ln 2 × level.
    @Test func tradeIntensityDecaysByItsHalfLife() {
        var state = SymbolState(configuration: .init(windowCapacity: 8))
        var features = SymbolFeatures(
            specs: [.tradeIntensity], configuration: .init(windowCapacity: 8, tradeHalfLife: 1))
        let base: Int64 = 50 * Self.second
        func feed(_ t: Int64, size: Double?) {
            let tick = Tick(symbol: "X", ts: base + t, price: 100, size: size)
            features.observe(tick: tick, update: state.updateAtOnce(tick: tick, now: 0), state: state)
        }
        feed(0, size: 5)
        #expect(!features.isWarm && features.value(at: 0) == 0)  // warm after one half-life
        feed(Self.second, size: 5)
        #expect(abs(features.value(at: 0) - M_LN2 * 1.5) < 1e-12)
        feed(2 * Self.second, size: 0)  // a zero-size print is not a trade
        #expect(abs(features.value(at: 0) - M_LN2 * 0.75) < 1e-12)
        feed(2 * Self.second, size: 3)
        #expect(abs(features.value(at: 0) - M_LN2 * 1.75) < 1e-12)
        feed(3 * Self.second, size: nil)
        #expect(abs(features.value(at: 0) - M_LN2 * 0.875) < 1e-12)
    }

    /// News with a 10 s half-life and weight 0.5: +0.8 at 0 s gives 0.4; at 10 s it has halved to 0.2 and
    /// −0.6 moves it to 0.2 + 0.5 × (−0.6 − 0.2) = −0.2; at 30 s (two half-lives) −0.05. The intensity is
    /// 1, then 0.5 + 1 = 1.5, then 0.375. Time advances with ticks as well as news.
    @Test func newsSentimentAndIntensityDecayInEventTime() {
        var state = SymbolState(configuration: .init(windowCapacity: 8))
        var features = SymbolFeatures(
            specs: [.newsSentiment, .newsIntensity], configuration: .init(windowCapacity: 8, newsHalfLife: 10))
        #expect(features.isWarm)
        var v: [Double] = []
        features.write(into: &v)
        #expect(v == [0, 0])
        features.observeNews(sentiment: 0.8, at: 0)
        features.write(into: &v)
        #expect(v == [0.4, 1])
        features.observeNews(sentiment: -0.6, at: 10 * Self.second)
        features.write(into: &v)
        #expect(abs(v[0] + 0.2) < 1e-15 && abs(v[1] - 1.5) < 1e-15)
        let tick = Tick(symbol: "X", ts: 30 * Self.second, price: 100)
        features.observe(tick: tick, update: state.updateAtOnce(tick: tick, now: 0), state: state)
        features.write(into: &v)
        #expect(abs(v[0] + 0.05) < 1e-15 && abs(v[1] - 0.375) < 1e-15)
        // A late news item does not move time back; a non-finite sentiment is ignored.
        features.observeNews(sentiment: .nan, at: 40 * Self.second)
        features.write(into: &v)
        #expect(abs(v[1] - 0.375) < 1e-15)
    }

    @Test func indexReturnIsZeroUntilSet() {
        var features = SymbolFeatures(specs: [.indexReturn, .sinceTrade], configuration: .init(windowCapacity: 8))
        #expect(features.value(at: 0) == 0 && !features.isReady(0))
        features.setIndexReturn(0.003)
        features.setIndexReturn(.infinity)
        #expect(features.value(at: 0) == 0.003 && features.isReady(0))
        #expect(!features.isWarm)  // since_trade still needs two ticks
        var buffer = [Double](repeating: -1, count: 3)
        buffer.withUnsafeMutableBufferPointer { features.write(into: $0) }
        #expect(buffer == [0.003, 0, -1])  // only the first `width` elements are written
        #expect(features.names == ["index_return", "since_trade"] && features.width == 2)
    }

    /// Saving mid-stream and restoring gives a value whose outputs match the original's, bit for bit, for
    /// the rest of the stream (ticks and news interleaved).
    @Test func checkpointMidStreamResumesIdentically() throws {
        let capacity = 32
        let configuration = SymbolFeatures.Configuration(windowCapacity: capacity, tradeHalfLife: 2, newsHalfLife: 20)
        let specs = try FeatureSpec.parse(
            list: [
                "return_1", "return_5", "return_31", "ewma_vol", "realized_vol_31", "range_31", "spread_bps",
                "quote_imbalance", "trade_intensity", "volume_z_31", "since_trade", "news_sentiment", "news_intensity",
                "index_return",
            ], windowCapacity: capacity)
        var state = SymbolState(configuration: .init(windowCapacity: capacity))
        var features = SymbolFeatures(specs: specs, configuration: configuration)
        let ticks = Self.stream(count: 1_500, seed: 9)
        func feed(_ f: inout SymbolFeatures, _ s: inout SymbolState, _ i: Int) {
            let tick = ticks[i]
            f.observe(tick: tick, update: s.updateAtOnce(tick: tick, now: tick.ts), state: s)
            if i % 37 == 0 { f.observeNews(sentiment: Double(i % 7) / 3 - 1, at: tick.ts) }
            if i % 5 == 0 { f.setIndexReturn(Double(i) * 1e-5) }
        }
        for i in 0..<700 { feed(&features, &state, i) }
        let saved = features.savedState()
        var restored = try SymbolFeatures(savedState: saved)
        var restoredState = state
        #expect(restored.specs == specs && restored.configuration == configuration)
        var a: [Double] = []
        var b: [Double] = []
        for i in 700..<ticks.count {
            feed(&features, &state, i)
            feed(&restored, &restoredState, i)
            features.write(into: &a)
            restored.write(into: &b)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "diverged at tick \(i)")
            if a != b { return }
        }
        #expect(features.isWarm && restored.isWarm)
        #expect(restored.savedState() == features.savedState())
        // Corrupt or truncated state is an error, not a crash.
        #expect(throws: ModelStateError.self) { try SymbolFeatures(savedState: Array(saved.dropLast(3))) }
    }
}
