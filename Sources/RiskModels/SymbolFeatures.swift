internal import Glibc
public import MarketEvents
public import OnlineLearning

/// One symbol's feature vector, computed incrementally from its `SymbolState` as ticks are accepted, and
/// from the news that names the symbol. `specs` fixes the vector's layout: `write(into:)` fills element `i`
/// with `specs[i]` (conventions on `FeatureSpec`).
///
/// Calling contract. For every tick `SymbolState.nextReleased()` releases, call `observe(tick:update:state:)`
/// with that tick, its update and the state as released (quarantined ones are ignored, so a
/// quarantined tick moves no feature). The features read `SymbolState`'s windows (prices, returns, spreads,
/// sizes) and volatility rather than keeping copies; a feature over the last `n` values reads the value
/// leaving its window from the state's window (`window[newest: n]`), so the state's window capacity must be
/// `configuration.windowCapacity`, and the two must be fed in lockstep (restore both or neither).
///
/// Time. Decays run on event time: `now` is the newest `ts` among the accepted ticks and the news seen, so
/// a tick or news item slightly out of order (the data-quality tolerance) never moves time backwards.
/// `write(into:)` reports the decayed features as of `now`.
///
/// Values are always finite. Each feature is 0 until it is warm (its "warm when" in `FeatureSpec`);
/// `isWarm` says whether all of them are. Features of a tick kind the tick does not carry (a quote without
/// sizes, a trade without a quote) keep their previous value.
///
/// - Complexity: `observe` O(number of features) per tick, amortised for `range_<n>` (monotonic deques),
///   otherwise worst case; `observeNews` and `setIndexReturn` O(1); `write` O(number of features).
///   Nothing allocates after `init`; memory O(sum of the `n` of windowed features).
public struct SymbolFeatures: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// The symbol window, equal to `SymbolState.Configuration.windowCapacity`; bounds the `k` and `n`.
        public var windowCapacity: Int
        /// Half-life of `trade_intensity`, in seconds of event time.
        public var tradeHalfLife: Double
        /// Half-life of `news_sentiment` and `news_intensity`, in seconds of event time.
        public var newsHalfLife: Double
        /// Weight α of a news item in `news_sentiment`: `m ← m + α · (sentiment − m)`, in `(0, 1]`.
        public var newsSentimentWeight: Double

        public init(
            windowCapacity: Int = SymbolState.Configuration().windowCapacity, tradeHalfLife: Double = 5,
            newsHalfLife: Double = 300, newsSentimentWeight: Double = 0.5
        ) {
            self.windowCapacity = windowCapacity
            self.tradeHalfLife = tradeHalfLife
            self.newsHalfLife = newsHalfLife
            self.newsSentimentWeight = newsSentimentWeight
        }

        /// Why the configuration is unusable, or `nil` when it is fine.
        public var problem: String? {
            if windowCapacity < 2 { return "the window capacity must be at least 2" }
            if !(tradeHalfLife > 0 && tradeHalfLife.isFinite) { return "the trade half-life must be positive seconds" }
            if !(newsHalfLife > 0 && newsHalfLife.isFinite) { return "the news half-life must be positive seconds" }
            if !(newsSentimentWeight > 0 && newsSentimentWeight <= 1) { return "the news sentiment weight must be in (0, 1]" }
            return nil
        }
    }

    /// A level that halves every `halfLife` of event time: `level · 2^(−(t − at) / halfLife)` at time `t`.
    struct DecayingLevel: Sendable, Hashable {
        var level = 0.0
        /// Event time of `level`, nanoseconds.
        var at: Int64 = 0

        @inline(__always)
        func value(at t: Int64, halfLifeNanoseconds h: Double) -> Double {
            t > at ? level * exp2(-Double(t - at) / h) : level
        }

        @inline(__always)
        mutating func decay(to t: Int64, halfLifeNanoseconds h: Double) {
            level = value(at: t, halfLifeNanoseconds: h)
            at = max(at, t)
        }
    }

    public let specs: [FeatureSpec]
    public let configuration: Configuration
    private let tradeHalfLifeNs: Double
    private let newsHalfLifeNs: Double

    /// Latest value of each tick-driven feature, in spec order (decayed features are computed on `write`).
    private var values: [Double]
    /// Whether each tick-driven feature is warm.
    private var ready: [Bool]
    /// For windowed features, the index of their accumulator in `moments` or `maxima`/`minima`; else -1.
    private let slots: [Int]
    private var moments: [SlidingMoments]
    private var maxima: [SlidingExtremum]
    private var minima: [SlidingExtremum]

    /// Event time: the newest `ts` of the accepted ticks and news seen, nanoseconds.
    public private(set) var now: Int64 = 0
    /// Newest `ts` of an accepted tick, and of the first one (`nil` before the first).
    private var lastTickTs: Int64?
    private var firstTickTs: Int64?
    private var trades = DecayingLevel()
    private var sentiment = DecayingLevel()
    private var impact = DecayingLevel()
    private var newsCount = DecayingLevel()
    private var indexReturn: Double?
    /// Accepted ticks observed since `init`.
    public private(set) var ticksObserved: UInt64 = 0

    /// - Precondition: `configuration.problem == nil`, and every spec is valid for the configuration's window
    ///   (as `FeatureSpec.parse(_:windowCapacity:)` would accept it).
    /// - Complexity: O(number of features + sum of their windows); all the allocation the features make.
    public init(specs: [FeatureSpec] = FeatureSpec.defaultSet, configuration: Configuration = Configuration()) {
        if let problem = configuration.problem { preconditionFailure("SymbolFeatures: \(problem)") }
        for spec in specs {
            precondition(
                (try? FeatureSpec.parse(spec.name, windowCapacity: configuration.windowCapacity)) == spec,
                "SymbolFeatures: \(spec.name) does not fit a window of \(configuration.windowCapacity)")
        }
        self.specs = specs
        self.configuration = configuration
        tradeHalfLifeNs = configuration.tradeHalfLife * 1e9
        newsHalfLifeNs = configuration.newsHalfLife * 1e9
        values = Array(repeating: 0, count: specs.count)
        ready = Array(repeating: false, count: specs.count)
        var slots: [Int] = []
        var moments: [SlidingMoments] = []
        var maxima: [SlidingExtremum] = []
        var minima: [SlidingExtremum] = []
        for spec in specs {
            switch spec {
            case .realizedVolatility(let n), .volumeZScore(let n):
                slots.append(moments.count)
                moments.append(SlidingMoments(length: n))
            case .range(let n):
                slots.append(maxima.count)
                maxima.append(SlidingExtremum(length: n, tracksMaximum: true))
                minima.append(SlidingExtremum(length: n, tracksMaximum: false))
            default:
                slots.append(-1)
            }
        }
        self.slots = slots
        self.moments = moments
        self.maxima = maxima
        self.minima = minima
    }

    /// Features in the vector.
    public var width: Int { specs.count }

    /// The features' names in vector order.
    public var names: [String] { specs.map(\.name) }

    /// Folds in one tick after `state.nextReleased()` released it with `update`. Quarantined ticks are ignored.
    /// - Precondition: `state` is the `SymbolState` that produced `update`, fed every tick this value was,
    ///   with window capacity `configuration.windowCapacity`.
    /// - Complexity: O(number of features), amortised for `range_<n>`; no allocation.
    public mutating func observe(tick: Tick, update: SymbolState.Update, state: SymbolState) {
        guard !update.report.isQuarantined else { return }
        ticksObserved += 1
        let ts = tick.ts
        now = max(now, ts)
        let previousTickTs = lastTickTs
        lastTickTs = max(previousTickTs ?? ts, ts)
        if firstTickTs == nil { firstTickTs = ts }
        trades.decay(to: now, halfLifeNanoseconds: tradeHalfLifeNs)
        if let size = tick.size, size > 0 { trades.level += 1 }
        let prices = state.prices
        for i in specs.indices {
            switch specs[i] {
            case .logReturn(let k):
                guard prices.count > k else { continue }
                values[i] = log(prices[newest: 0] / prices[newest: k])
                ready[i] = true
            case .ewmaVolatility:
                guard state.volatility.isWarm else { continue }
                values[i] = state.volatility.perEventVolatility
                ready[i] = true
            case .realizedVolatility(let n):
                guard let r = update.acceptedReturn else { continue }
                let window = state.returns.window
                let j = slots[i]
                let evicted = moments[j].isFull ? window[newest: n] : nil
                moments[j].add(r * r, evicting: evicted.map { $0 * $0 })
                if moments[j].isFull {
                    values[i] = max(moments[j].mean, 0).squareRoot()
                    ready[i] = true
                }
            case .range:
                let j = slots[i]
                let price = prices[newest: 0]
                maxima[j].add(price)
                minima[j].add(price)
                if maxima[j].isFull, let high = maxima[j].value, let low = minima[j].value {
                    values[i] = log(high / low)
                    ready[i] = true
                }
            case .spreadBps:
                guard tick.bid != nil, tick.ask != nil, let spread = state.spreadsBps.window.last else { continue }
                values[i] = spread
                ready[i] = true
            case .quoteImbalance:
                guard let b = tick.bidSize, let a = tick.askSize, b + a > 0 else { continue }
                values[i] = (b - a) / (b + a)
                ready[i] = true
            case .volumeZScore(let n):
                guard let size = tick.size else { continue }
                let j = slots[i]
                if moments[j].isFull {
                    // The accumulator still covers the n sizes before this one.
                    let sd = moments[j].variance.squareRoot()
                    values[i] = sd > 0 ? (size - moments[j].mean) / sd : 0
                    ready[i] = true
                }
                let evicted = moments[j].isFull ? state.sizes.window[newest: n] : nil
                moments[j].add(size, evicting: evicted)
            case .sinceTrade:
                guard let previous = previousTickTs else { continue }
                values[i] = ts > previous ? Double(ts - previous) * 1e-9 : 0
                ready[i] = true
            case .tradeIntensity, .newsSentiment, .newsIntensity, .newsImpact, .indexReturn:
                continue
            }
        }
    }

    /// Folds in a news item naming the symbol, with its sentiment in `[-1, 1]` (a non-finite sentiment is
    /// ignored). `news_sentiment` moves toward it by the configured weight; `news_intensity` gains 1.
    /// - Complexity: O(1), no allocation.
    public mutating func observeNews(sentiment s: Double, at ts: Int64) {
        guard s.isFinite else { return }
        now = max(now, ts)
        sentiment.decay(to: now, halfLifeNanoseconds: newsHalfLifeNs)
        sentiment.level += configuration.newsSentimentWeight * (min(max(s, -1), 1) - sentiment.level)
        newsCount.decay(to: now, halfLifeNanoseconds: newsHalfLifeNs)
        newsCount.level += 1
    }

    /// Folds in the news-impact model's prediction for a news item naming the symbol (the expected log
    /// ratio of the volatility after the news to before it; non-finite is ignored). `news_impact` moves
    /// toward it by the news sentiment weight and decays toward 0 with the news half-life.
    /// - Complexity: O(1), no allocation.
    public mutating func observeNewsImpact(_ x: Double, at ts: Int64) {
        guard x.isFinite else { return }
        now = max(now, ts)
        impact.decay(to: now, halfLifeNanoseconds: newsHalfLifeNs)
        impact.level += configuration.newsSentimentWeight * (x - impact.level)
    }

    /// Sets `index_return`: the latest return of the pipeline's index symbol (a non-finite value is ignored).
    public mutating func setIndexReturn(_ r: Double) {
        guard r.isFinite else { return }
        indexReturn = r
    }

    /// Whether feature `i` (in spec order) is warm.
    public func isReady(_ i: Int) -> Bool {
        switch specs[i] {
        case .tradeIntensity:
            guard let first = firstTickTs else { return false }
            return Double(now - first) >= tradeHalfLifeNs
        case .newsSentiment, .newsIntensity, .newsImpact: return true
        case .indexReturn: return indexReturn != nil
        default: return ready[i]
        }
    }

    /// Whether every feature is warm.
    public var isWarm: Bool { specs.indices.allSatisfy(isReady) }

    /// Feature `i` (in spec order) as of `now`; 0 while it is not warm.
    public func value(at i: Int) -> Double {
        guard isReady(i) else { return 0 }
        switch specs[i] {
        case .tradeIntensity:
            return M_LN2 / configuration.tradeHalfLife * trades.value(at: now, halfLifeNanoseconds: tradeHalfLifeNs)
        case .newsSentiment: return sentiment.value(at: now, halfLifeNanoseconds: newsHalfLifeNs)
        case .newsIntensity: return newsCount.value(at: now, halfLifeNanoseconds: newsHalfLifeNs)
        case .newsImpact: return impact.value(at: now, halfLifeNanoseconds: newsHalfLifeNs)
        case .indexReturn: return indexReturn ?? 0
        default: return values[i]
        }
    }

    /// Writes the feature vector into the first `width` elements of `out`.
    /// - Precondition: `out.count >= width`.
    /// - Complexity: O(width), no allocation.
    public func write(into out: UnsafeMutableBufferPointer<Double>) {
        precondition(out.count >= specs.count, "a feature buffer of \(out.count) cannot hold \(specs.count) features")
        for i in specs.indices { out[i] = value(at: i) }
    }

    /// Replaces the contents of `out` with the feature vector (allocates only if `out` has less capacity).
    /// - Complexity: O(width).
    public func write(into out: inout [Double]) {
        if out.count != specs.count {
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: repeatElement(0, count: specs.count))
        }
        out.withUnsafeMutableBufferPointer { write(into: $0) }
    }
}

extension SymbolFeatures: Checkpointable {
    public static var stateTag: String { "symbol_features" }
    /// Version 2 added `news_impact`'s level (after the other three); version 1 states restore it as 0.
    public static var stateVersion: UInt16 { 2 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(configuration.windowCapacity)
        writer.write(configuration.tradeHalfLife)
        writer.write(configuration.newsHalfLife)
        writer.write(configuration.newsSentimentWeight)
        writer.write(specs.count)
        for spec in specs { writer.write(spec.name) }
        writer.write(values)
        for r in ready { writer.write(r) }
        for m in moments { writer.write(model: m) }
        for m in maxima { writer.write(model: m) }
        for m in minima { writer.write(model: m) }
        writer.write(Int(now))
        for t in [lastTickTs, firstTickTs] {
            writer.write(t != nil)
            writer.write(Int(t ?? 0))
        }
        for level in [trades, sentiment, newsCount, impact] {
            writer.write(level.level)
            writer.write(Int(level.at))
        }
        writer.write(indexReturn != nil)
        writer.write(indexReturn ?? 0)
        writer.write(ticksObserved)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let configurationAt = reader.offset
        let configuration = Configuration(
            windowCapacity: try reader.readInt(), tradeHalfLife: try reader.readDouble(),
            newsHalfLife: try reader.readDouble(), newsSentimentWeight: try reader.readDouble())
        if let problem = configuration.problem { throw ModelStateError(offset: configurationAt, reason: problem) }
        let count = try reader.readCount(limit: 4096)
        var specs: [FeatureSpec] = []
        for _ in 0..<count {
            let at = reader.offset
            let name = try reader.readString(limit: 256)
            do {
                specs.append(try FeatureSpec.parse(name, windowCapacity: configuration.windowCapacity))
            } catch {
                throw ModelStateError(offset: at, reason: error.description)
            }
        }
        self.init(specs: specs, configuration: configuration)
        let valuesAt = reader.offset
        let values = try reader.readDoubles(limit: count)
        guard values.count == count else {
            throw ModelStateError(offset: valuesAt, reason: "\(values.count) values for \(count) features")
        }
        self.values = values
        for i in 0..<count { ready[i] = try reader.readBool() }
        for j in moments.indices { moments[j] = try Self.read(SlidingMoments.self, like: moments[j], from: &reader) }
        for j in maxima.indices { maxima[j] = try Self.read(SlidingExtremum.self, like: maxima[j], from: &reader) }
        for j in minima.indices { minima[j] = try Self.read(SlidingExtremum.self, like: minima[j], from: &reader) }
        now = Int64(try reader.readInt())
        lastTickTs = try Self.readOptionalTime(from: &reader)
        firstTickTs = try Self.readOptionalTime(from: &reader)
        for k in 0..<(version >= 2 ? 4 : 3) {
            let level = DecayingLevel(level: try reader.readDouble(), at: Int64(try reader.readInt()))
            switch k {
            case 0: trades = level
            case 1: sentiment = level
            case 2: newsCount = level
            default: impact = level
            }
        }
        let hasIndex = try reader.readBool()
        let index = try reader.readDouble()
        indexReturn = hasIndex ? index : nil
        ticksObserved = try reader.readUInt64()
    }

    /// Reads a nested accumulator and checks it has the shape the spec list implies.
    private static func read<T: Checkpointable & Equatable>(
        _ type: T.Type, like expected: T, from reader: inout ModelStateReader
    ) throws(ModelStateError) -> T where T: HasWindowLength {
        let at = reader.offset
        let value = try reader.read(model: T.self)
        guard value.windowLength == expected.windowLength else {
            throw ModelStateError(offset: at, reason: "window of \(value.windowLength), expected \(expected.windowLength)")
        }
        return value
    }

    private static func readOptionalTime(from reader: inout ModelStateReader) throws(ModelStateError) -> Int64? {
        let present = try reader.readBool()
        let t = Int64(try reader.readInt())
        return present ? t : nil
    }
}

/// An accumulator over a window of fixed length, for checking restored state against the spec list.
protocol HasWindowLength {
    var windowLength: Int { get }
}

extension SlidingMoments: HasWindowLength {
    var windowLength: Int { length }
}

extension SlidingExtremum: HasWindowLength {
    var windowLength: Int { length }
}
