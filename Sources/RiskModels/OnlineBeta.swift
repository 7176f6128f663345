internal import Glibc
public import OnlineLearning

/// The beta of a symbol's returns on its hedge instrument's returns, by recursive least squares with
/// exponential forgetting, with R² as confidence.
///
/// Model. `y = α + β·x + ε`, `y` the symbol's return and `x` the hedge instrument's return over the same
/// interval. The estimate minimises the exponentially weighted squared error `Σ λ^(n−k) (y_k − α − β x_k)²`:
/// recursive least squares with forgetting factor λ. It is computed in covariance form — exponentially
/// weighted means and co-moments updated in O(1) per pair (West's weighted update):
///
///     W ← λ·W + 1
///     mx' = mx + (x − mx)/W,   my' = my + (y − my)/W
///     Cxx ← λ·Cxx + (x − mx)(x − mx'),  Cxy ← λ·Cxy + (x − mx)(y − my'),  Cyy ← λ·Cyy + (y − my)(y − my')
///     β = Cxy / Cxx,   α = my − β·mx,   R² = Cxy² / (Cxx·Cyy)
///
/// which is exactly RLS with an uninformative start (P₀⁻¹ = 0), so there is no prior to wash out and no
/// P-matrix blow-up, and R² comes from the same sums.
///
/// λ defaults to 0.995: an effective memory of `1/(1 − λ)` = 200 pairs (half-life ≈ 138). The engine
/// should sample pairs on a common clock (e.g. each second, or each hedge tick with the symbol's latest
/// price) so the two returns cover the same interval.
///
/// Guards. A pair with a non-finite return is rejected and counted (`rejectedCount`); state is unchanged.
/// `beta` is `nil` until `minimumObservations` pairs have been folded in, and while the weighted hedge
/// variance `Cxx/W` is at or below `minimumHedgeVariance` (a hedge that does not move gives no beta);
/// `rSquared` is 0 whenever `beta` is `nil` or the symbol does not move.
///
/// Hedge ratio. With returns, a position of notional `N = q·P` carries `β·N` of hedge-instrument
/// exposure; the minimum-variance hedge sells that notional: hedge quantity `= −β·q·P / P_h`. So the ratio
/// in hedge units per symbol unit is `β·P/P_h` (`hedgeRatio(symbolPrice:hedgePrice:)`), and the hedge
/// quantity is `−ratio·q`.
///
/// - Complexity: O(1) per pair, no allocation; ten words of state.
public struct OnlineBeta: Sendable, Hashable, Checkpointable {
    /// λ in (0, 1].
    public let forgetting: Double
    public let minimumObservations: Int
    public let minimumHedgeVariance: Double

    /// Pairs folded in.
    public private(set) var observationCount = 0
    /// Pairs rejected for a non-finite return.
    public private(set) var rejectedCount = 0
    /// W = Σ λ^(n−k): the effective number of pairs, at most `1/(1 − λ)`.
    public private(set) var effectiveCount = 0.0
    public private(set) var meanHedgeReturn = 0.0
    public private(set) var meanSymbolReturn = 0.0
    private var cxx = 0.0
    private var cxy = 0.0
    private var cyy = 0.0
    /// The last prices given to `observe(symbolPrice:hedgePrice:)`, or `nil` at the start of a chain.
    public private(set) var lastPrices: (symbol: Double, hedge: Double)?

    /// - Precondition: `0 < forgetting <= 1`, `minimumObservations >= 2`, `minimumHedgeVariance >= 0`.
    public init(forgetting: Double = 0.995, minimumObservations: Int = 20, minimumHedgeVariance: Double = 1e-18) {
        precondition(forgetting > 0 && forgetting <= 1, "OnlineBeta forgetting must be in (0, 1]")
        precondition(minimumObservations >= 2, "OnlineBeta needs at least two observations")
        precondition(minimumHedgeVariance >= 0 && minimumHedgeVariance.isFinite, "bad minimumHedgeVariance")
        self.forgetting = forgetting
        self.minimumObservations = minimumObservations
        self.minimumHedgeVariance = minimumHedgeVariance
    }

    /// Folds in one pair of returns over the same interval. Returns `false` (and changes nothing but
    /// `rejectedCount`) when either is not finite.
    /// - Complexity: O(1), no allocation.
    @discardableResult
    public mutating func observe(symbolReturn y: Double, hedgeReturn x: Double) -> Bool {
        guard x.isFinite, y.isFinite else {
            rejectedCount += 1
            return false
        }
        let l = forgetting
        effectiveCount = l * effectiveCount + 1
        let dx = x - meanHedgeReturn
        let dy = y - meanSymbolReturn
        meanHedgeReturn += dx / effectiveCount
        meanSymbolReturn += dy / effectiveCount
        cxx = l * cxx + dx * (x - meanHedgeReturn)
        cxy = l * cxy + dx * (y - meanSymbolReturn)
        cyy = l * cyy + dy * (y - meanSymbolReturn)
        observationCount += 1
        return true
    }

    /// Folds in the log returns from the previous prices to these (both `> 0`); the first call of a
    /// chain only records the prices. Returns whether a pair was folded in; a non-positive or
    /// non-finite price is rejected and restarts the chain.
    @discardableResult
    public mutating func observe(symbolPrice: Double, hedgePrice: Double) -> Bool {
        guard symbolPrice > 0, hedgePrice > 0, symbolPrice.isFinite, hedgePrice.isFinite else {
            rejectedCount += 1
            lastPrices = nil
            return false
        }
        defer { lastPrices = (symbolPrice, hedgePrice) }
        guard let last = lastPrices else { return false }
        return observe(symbolReturn: log(symbolPrice / last.symbol), hedgeReturn: log(hedgePrice / last.hedge))
    }

    /// Makes the next `observe(symbolPrice:hedgePrice:)` start a new chain (after a gap). Estimates kept.
    public mutating func restartReturns() {
        lastPrices = nil
    }

    /// Whether the weighted hedge variance is usable.
    private var hedgeMoves: Bool {
        effectiveCount > 0 && cxx > 0 && cxx / effectiveCount > minimumHedgeVariance
    }

    /// Whether `beta` is available.
    public var isReady: Bool { observationCount >= minimumObservations && hedgeMoves }

    /// β = Cxy/Cxx, or `nil` (see Guards).
    public var beta: Double? { isReady ? cxy / cxx : nil }

    /// α = my − β·mx, or `nil` with `beta`.
    public var alpha: Double? { beta.map { meanSymbolReturn - $0 * meanHedgeReturn } }

    /// R² = Cxy²/(Cxx·Cyy) in [0, 1]: the share of the symbol's (weighted) variance the hedge explains.
    /// 0 when `beta` is `nil` or the symbol's variance is 0.
    public var rSquared: Double {
        guard isReady, cyy > 0 else { return 0 }
        return min(1, max(0, cxy * cxy / (cxx * cyy)))
    }

    /// Weighted variance of the hedge returns, `Cxx/W`; 0 before the first pair.
    public var hedgeVariance: Double { effectiveCount > 0 ? cxx / effectiveCount : 0 }
    /// Weighted variance of the symbol returns, `Cyy/W`; 0 before the first pair.
    public var symbolVariance: Double { effectiveCount > 0 ? cyy / effectiveCount : 0 }
    /// Weighted residual variance `(Cyy − β·Cxy)/W`, or `nil` with `beta`.
    public var residualVariance: Double? {
        beta.map { max(0, cyy - $0 * cxy) / effectiveCount }
    }

    /// Hedge units per symbol unit for the minimum-variance hedge, `β·symbolPrice/hedgePrice`; `nil` with
    /// `beta` or for a non-positive price. The hedge quantity for `q` units held is `−ratio·q`.
    public func hedgeRatio(symbolPrice: Double, hedgePrice: Double) -> Double? {
        guard let beta, symbolPrice > 0, hedgePrice > 0, symbolPrice.isFinite, hedgePrice.isFinite else {
            return nil
        }
        return beta * symbolPrice / hedgePrice
    }

    public static func == (a: OnlineBeta, b: OnlineBeta) -> Bool {
        a.savedState() == b.savedState()
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(savedState())
    }

    // MARK: Checkpoint

    public static var stateTag: String { "online-beta" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(forgetting)
        writer.write(minimumObservations)
        writer.write(minimumHedgeVariance)
        writer.write(observationCount)
        writer.write(rejectedCount)
        for v in [effectiveCount, meanHedgeReturn, meanSymbolReturn, cxx, cxy, cyy] { writer.write(v) }
        writer.write(lastPrices != nil)
        writer.write(lastPrices?.symbol ?? 0)
        writer.write(lastPrices?.hedge ?? 0)
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let forgetting = try reader.readDouble()
        let minimumObservations = try reader.readInt()
        let minimumHedgeVariance = try reader.readDouble()
        guard forgetting > 0 && forgetting <= 1, minimumObservations >= 2,
            minimumHedgeVariance >= 0 && minimumHedgeVariance.isFinite
        else { throw ModelStateError(offset: at, reason: "invalid online-beta parameters") }
        self.init(
            forgetting: forgetting, minimumObservations: minimumObservations,
            minimumHedgeVariance: minimumHedgeVariance)
        observationCount = try reader.readCount(limit: Int.max)
        rejectedCount = try reader.readCount(limit: Int.max)
        effectiveCount = try reader.readDouble()
        meanHedgeReturn = try reader.readDouble()
        meanSymbolReturn = try reader.readDouble()
        cxx = try reader.readDouble()
        cxy = try reader.readDouble()
        cyy = try reader.readDouble()
        let hasPrices = try reader.readBool()
        let symbol = try reader.readDouble()
        let hedge = try reader.readDouble()
        lastPrices = hasPrices ? (symbol, hedge) : nil
    }
}
