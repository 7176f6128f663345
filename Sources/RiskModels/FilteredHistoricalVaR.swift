public import OnlineLearning

/// The last `capacity` values of a stream, kept both in arrival order and sorted, for empirical lower-tail
/// quantiles and means.
///
/// Conventions, for the n values sorted ascending x₀ ≤ … ≤ x_(n−1) and a tail probability p:
/// - `lowerQuantile(p)` interpolates linearly at position h = (n − 1)·p (numpy's default "linear"):
///   x_⌊h⌋ + (h − ⌊h⌋)·(x_(⌊h⌋+1) − x_⌊h⌋).
/// - `lowerTailMean(p)` is the mean of the lowest n·p values of the empirical distribution, the last one
///   counted fractionally (Acerbi and Tasche, 2002): with m = max(n·p, 1),
///   (Σ_(i<⌊m⌋) x_i + (m − ⌊m⌋)·x_⌊m⌋)/m; never above `lowerQuantile(p)`.
///
/// - Complexity: `append` O(capacity) in the worst case (a binary search, then one shift of the sorted
///   storage), no allocation after `init`; `lowerQuantile` O(1); `lowerTailMean` O(n·p).
public struct EmpiricalTail: Sendable {
    public let capacity: Int
    private var arrival: RingWindow<Double>
    /// The same values, ascending.
    public private(set) var sorted: [Double]

    /// - Precondition: `capacity >= 1`.
    public init(capacity: Int) {
        arrival = RingWindow(capacity: capacity)
        self.capacity = capacity
        sorted = []
        sorted.reserveCapacity(capacity)
    }

    public var count: Int { sorted.count }

    /// Values oldest first.
    public var values: [Double] { Array(arrival) }

    /// Adds `x` (ignored when not finite), dropping the oldest value when full.
    public mutating func append(_ x: Double) {
        guard x.isFinite else { return }
        if let evicted = arrival.append(x) { sorted.remove(at: insertionIndex(evicted)) }
        sorted.insert(x, at: insertionIndex(x))
    }

    /// Replaces every value by the last `capacity` of `values` (oldest first). - Complexity: O(n log n).
    public mutating func replaceAll(with values: [Double]) {
        arrival.removeAll()
        sorted.removeAll(keepingCapacity: true)
        for x in values.suffix(capacity) where x.isFinite {
            arrival.append(x)
            sorted.append(x)
        }
        sorted.sort()
    }

    /// The first index whose value is ≥ x.
    private func insertionIndex(_ x: Double) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid] < x { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// - Precondition: `count >= 1`, `0 < p < 1`.
    public func lowerQuantile(_ p: Double) -> Double {
        precondition(!sorted.isEmpty && p > 0 && p < 1, "an empirical quantile needs values and 0 < p < 1")
        let h = Double(sorted.count - 1) * p
        let i = Int(h)
        guard i + 1 < sorted.count else { return sorted[i] }
        return sorted[i] + (h - Double(i)) * (sorted[i + 1] - sorted[i])
    }

    /// - Precondition: `count >= 1`, `0 < p < 1`.
    public func lowerTailMean(_ p: Double) -> Double {
        precondition(!sorted.isEmpty && p > 0 && p < 1, "an empirical tail mean needs values and 0 < p < 1")
        let m = max(Double(sorted.count) * p, 1)
        let whole = Int(m)
        var sum = 0.0
        for i in 0..<whole { sum += sorted[i] }
        if whole < sorted.count { sum += (m - Double(whole)) * sorted[whole] }
        return min(sum / m, lowerQuantile(p))
    }
}

/// (g, h) Filtered historical simulation (Barone-Adesi, Giannopoulos and Vosper, 1999): returns are
/// divided by their one-step volatility forecast, the last `residualCapacity` standardised residuals
/// z_t = (r_t − μ)/σ_t are kept in an `EmpiricalTail`, and with their empirical (1 − c)-quantile q̂ and
/// tail mean m̂ (conventions there):
///
///     VaR = −(μ + σ_(t+1)·q̂),   ES = −(μ + σ_(t+1)·m̂)     (VaR floored at 0)
///
/// - `.ewma` (`fhs`): σ the RiskMetrics EWMA (λ 0.94, seeded with the mean of the first 20 squared
///   returns), μ = 0; residuals are kept once the EWMA is seeded.
/// - `.gjrGARCH` (`garch-fhs`): σ and μ from a `GJRGARCHFilter` with Student-t likelihood; at each refit
///   the residuals are recomputed under the new parameters over the last `residualCapacity` returns.
///
/// Forecasts start once `warmupReturns` returns and `minimumResiduals` residuals have been seen.
/// - Complexity: O(residualCapacity) per return (the sorted insert), plus the GJR-GARCH refits.
public struct FilteredHistoricalVaR: VaRForecaster {
    public enum Filter: Sendable, Hashable {
        case ewma(lambda: Double)
        case gjrGARCH(GJRGARCHFilter.Configuration)
    }

    public let confidence: Double
    public let warmupReturns: Int
    public let minimumResiduals: Int
    public private(set) var residuals: EmpiricalTail
    private var ewma: EWMAReturnVariance?
    private var garch: GJRGARCHFilter?

    /// - Precondition: `warmupReturns >= 1`, `residualCapacity >= minimumResiduals >= 1`.
    public init(
        confidence: Double, warmupReturns: Int, filter: Filter, residualCapacity: Int = 1_000,
        minimumResiduals: Int = 50
    ) {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        precondition(warmupReturns >= 1, "warm-up needs at least one return")
        precondition(residualCapacity >= minimumResiduals && minimumResiduals >= 1, "invalid residual window")
        self.confidence = confidence
        self.warmupReturns = warmupReturns
        self.minimumResiduals = minimumResiduals
        residuals = EmpiricalTail(capacity: residualCapacity)
        switch filter {
        case .ewma(let lambda): ewma = EWMAReturnVariance(lambda: lambda, warmupReturns: 20)
        case .gjrGARCH(let configuration): garch = GJRGARCHFilter(configuration)
        }
    }

    /// μ and σ of the next return.
    private var meanAndVolatility: (Double, Double) {
        if let garch { return (garch.parameters.mean, garch.volatility) }
        return (0, ewma?.volatility ?? 0)
    }

    private var count: Int { garch?.count ?? ewma?.count ?? 0 }

    public func forecast() -> RiskForecast? {
        guard count >= warmupReturns, residuals.count >= minimumResiduals else { return nil }
        let p = 1 - confidence
        let shape = LowerTailShape(quantile: residuals.lowerQuantile(p), tailMean: residuals.lowerTailMean(p))
        let (mu, sigma) = meanAndVolatility
        return shape.forecast(mean: mu, volatility: sigma)
    }

    public mutating func observe(return r: Double) {
        guard r.isFinite else { return }
        if var filter = ewma {
            if filter.isWarm && filter.volatility > 0 { residuals.append(r / filter.volatility) }
            filter.observe(r)
            ewma = filter
        } else if var filter = garch {
            garch = nil  // keep the filter uniquely referenced while it is mutated
            let refitted = filter.observe(r)
            if refitted {
                residuals.replaceAll(with: filter.standardizedResiduals(last: residuals.capacity))
            } else if let z = filter.lastStandardizedResidual {
                residuals.append(z)
            }
            garch = filter
        }
    }

    public static var stateTag: String { "var-fhs" }
    public static var stateVersion: UInt16 { 1 }

    /// confidence, warm-up, minimum residuals, capacity, the residuals oldest first, the filter (a Bool,
    /// true for GJR-GARCH, then its state).
    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(confidence)
        writer.write(warmupReturns)
        writer.write(minimumResiduals)
        writer.write(residuals.capacity)
        writer.write(residuals.values)
        if let garch {
            writer.write(true)
            writer.write(model: garch)
        } else if let ewma {
            writer.write(false)
            writer.write(model: ewma)
        }
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        confidence = try readConfidence(&reader)
        warmupReturns = try readWarmup(&reader)
        let at = reader.offset
        minimumResiduals = try reader.readInt()
        let capacity = try reader.readInt()
        guard minimumResiduals >= 1, capacity >= minimumResiduals, capacity <= 1 << 24 else {
            throw ModelStateError(offset: at, reason: "invalid residual window")
        }
        residuals = EmpiricalTail(capacity: capacity)
        residuals.replaceAll(with: try reader.readDoubles(limit: capacity))
        if try reader.readBool() {
            garch = try reader.read(model: GJRGARCHFilter.self)
        } else {
            ewma = try reader.read(model: EWMAReturnVariance.self)
        }
    }
}
