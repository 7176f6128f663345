public import OnlineLearning

/// Decides whether a position (or an account's portfolio) needs a hedge in its hedge instrument, and how
/// much.
///
/// When. A hedge is due when the current risk measure (the position's VaR, or its volatility-scaled
/// notional — whatever the account's limit is expressed in) is above the limit, the beta is known with
/// `R² >= minimumRSquared`, and the resulting trade is not zero after lot rounding.
///
/// Sign and size. A position of `q` units at price `P` with beta `β` carries `E = β·q·P` of hedge-instrument
/// exposure. The hedge trades the opposite: target hedge position `H = −c·E / P_h` units of the hedge
/// instrument (`P_h` its price), where `c` in `[0, 1]` is the coverage. So long stock with β > 0 sells the
/// hedge, short stock with β > 0 buys it, and a negative beta reverses both. The signal's `quantity` is
/// the trade `H − h₀` given the hedge already held `h₀` (default 0), rounded towards zero to `lotSize`;
/// `notional = quantity·P_h` (signed like `quantity`); `ratio = c·β·P/P_h` hedge units per symbol unit,
/// so `H = −ratio·q`.
///
/// Coverage. `.minimumVariance` hedges the whole beta exposure (`c = 1`, the minimum-variance hedge).
/// `.withinLimit(target:)` hedges just enough to bring the risk to `target × limit`: for a measure
/// proportional to the position's volatility, hedging a fraction `c` of the beta exposure leaves
/// `risk·sqrt((1 − c)²·R² + 1 − R²)`, so `c = 1 − sqrt(((target·limit/risk)² − (1 − R²)) / R²)`,
/// clamped to `[0, 1]`; when even a full hedge cannot reach the target (the idiosyncratic part alone is
/// over it) `c = 1` and the reason says so.
///
/// Portfolio. `size(portfolio:…)` does the same for the sum of the legs' beta exposures
/// `E = Σ βᵢ·qᵢ·Pᵢ` against one hedge instrument, with R² the legs' `|βᵢ·qᵢ·Pᵢ|`-weighted mean. Legs
/// whose beta is not confident are left out (and named in the reason). `ratio` is then `c·E / G`, hedge
/// currency per currency of gross notional `G = Σ |qᵢ·Pᵢ|` of the hedged legs.
///
/// - Complexity: O(1) per position, O(legs) per portfolio; allocates only the reason string.
public struct HedgeSizing: Sendable, Hashable {
    public enum Coverage: Sendable, Hashable {
        /// Hedge the whole beta exposure.
        case minimumVariance
        /// Hedge enough to bring the risk to `target × limit`, `0 < target <= 1`.
        case withinLimit(target: Double)
    }

    /// One symbol's position with its beta to the hedge instrument.
    public struct Exposure: Sendable, Hashable {
        public var symbol: String
        /// Signed units (negative is short).
        public var quantity: Double
        public var price: Double
        public var beta: Double
        public var rSquared: Double

        public init(symbol: String, quantity: Double, price: Double, beta: Double, rSquared: Double) {
            self.symbol = symbol
            self.quantity = quantity
            self.price = price
            self.beta = beta
            self.rSquared = rSquared
        }

        /// `q·P`, signed.
        public var notional: Double { quantity * price }
        /// `β·q·P`: the hedge-instrument exposure, signed.
        public var betaNotional: Double { beta * quantity * price }
    }

    /// The hedge instrument and the risk to compare against the limit.
    public struct Request: Sendable, Hashable {
        public var hedgeSymbol: String
        public var hedgePrice: Double
        /// The current risk measure (same units as `limit`), `>= 0`.
        public var risk: Double
        public var limit: Double
        /// A name for the measure in reasons, e.g. "VaR99" or "vol-scaled notional".
        public var measure: String
        /// Hedge units already held against this exposure (signed).
        public var existingHedge: Double

        public init(
            hedgeSymbol: String, hedgePrice: Double, risk: Double, limit: Double, measure: String = "risk",
            existingHedge: Double = 0
        ) {
            self.hedgeSymbol = hedgeSymbol
            self.hedgePrice = hedgePrice
            self.risk = risk
            self.limit = limit
            self.measure = measure
            self.existingHedge = existingHedge
        }
    }

    /// A hedge to signal; maps onto the wire's `Hedge` with the engine's seq, ts, account and symbol.
    public struct Proposal: Sendable, Hashable {
        public var hedgeSymbol: String
        /// Hedge units per symbol unit (position form) or per currency of gross notional (portfolio form).
        public var ratio: Double
        /// The trade in hedge units, signed (negative sells).
        public var quantity: Double
        /// `quantity × hedgePrice`, signed like `quantity`.
        public var notional: Double
        /// The hedge position after the trade: `existingHedge + quantity`.
        public var targetHedge: Double
        /// The fraction of the beta exposure hedged, in `[0, 1]`.
        public var coverage: Double
        public var reason: String

        public init(
            hedgeSymbol: String, ratio: Double, quantity: Double, notional: Double, targetHedge: Double,
            coverage: Double, reason: String
        ) {
            self.hedgeSymbol = hedgeSymbol
            self.ratio = ratio
            self.quantity = quantity
            self.notional = notional
            self.targetHedge = targetHedge
            self.coverage = coverage
            self.reason = reason
        }
    }

    public enum Decision: Sendable, Hashable {
        /// Risk at or below the limit: no hedge.
        case withinLimit
        /// Over the limit but no hedge can be sized; the reason says why (no confident beta, zero exposure,
        /// bad price, trade below one lot).
        case notHedgeable(String)
        case hedge(Proposal)
    }

    public var coverage: Coverage
    /// Least R² for a beta to be used, in `[0, 1]`.
    public var minimumRSquared: Double
    /// The hedge instrument's lot: trades are rounded towards zero to a multiple of it; 0 = no rounding.
    public var lotSize: Double

    public init(coverage: Coverage = .minimumVariance, minimumRSquared: Double = 0.2, lotSize: Double = 0) {
        if case .withinLimit(let target) = coverage {
            precondition(target > 0 && target <= 1, "HedgeSizing target must be in (0, 1]")
        }
        precondition(minimumRSquared >= 0 && minimumRSquared <= 1, "minimumRSquared must be in [0, 1]")
        precondition(lotSize >= 0 && lotSize.isFinite, "lotSize must be >= 0")
        self.coverage = coverage
        self.minimumRSquared = minimumRSquared
        self.lotSize = lotSize
    }

    /// The decision for one position.
    public func size(position: Exposure, request: Request) -> Decision {
        guard request.risk > request.limit else { return .withinLimit }
        guard position.rSquared >= minimumRSquared, position.beta.isFinite else {
            return .notHedgeable(
                "\(request.measure) \(fixed(request.risk)) over limit \(fixed(request.limit)) but beta of "
                    + "\(position.symbol) on \(request.hedgeSymbol) is not confident (R² \(fixed(position.rSquared)))")
        }
        guard position.price > 0, position.price.isFinite else { return .notHedgeable("no price for \(position.symbol)") }
        return decide(
            exposure: position.betaNotional, gross: nil, rSquared: position.rSquared, request: request,
            ratioPerUnit: position.beta * position.price / request.hedgePrice,
            what: "\(position.symbol) beta \(fixed(position.beta)) (R² \(fixed(position.rSquared)))")
    }

    /// The decision for an account's beta-weighted portfolio against one hedge instrument.
    public func size(portfolio legs: [Exposure], request: Request) -> Decision {
        guard request.risk > request.limit else { return .withinLimit }
        var exposure = 0.0
        var gross = 0.0
        var weightedR2 = 0.0
        var weight = 0.0
        var skipped: [String] = []
        for leg in legs {
            guard leg.rSquared >= minimumRSquared, leg.beta.isFinite, leg.price > 0, leg.price.isFinite,
                leg.quantity.isFinite
            else {
                skipped.append(leg.symbol)
                continue
            }
            let e = leg.betaNotional
            exposure += e
            gross += abs(leg.notional)
            weightedR2 += abs(e) * leg.rSquared
            weight += abs(e)
        }
        let r2 = weight > 0 ? weightedR2 / weight : 0
        var what = "portfolio beta exposure \(fixed(exposure)) over \(legs.count - skipped.count) legs (R² \(fixed(r2)))"
        if !skipped.isEmpty { what += ", unhedged legs without confident beta: \(skipped.joined(separator: ","))" }
        guard weight > 0 else {
            return .notHedgeable(
                "\(request.measure) \(fixed(request.risk)) over limit \(fixed(request.limit)) but no leg has a "
                    + "confident beta on \(request.hedgeSymbol)")
        }
        return decide(exposure: exposure, gross: gross, rSquared: r2, request: request, ratioPerUnit: nil, what: what)
    }

    /// Shared sizing: `exposure` is the signed beta notional to hedge.
    private func decide(
        exposure: Double, gross: Double?, rSquared: Double, request: Request, ratioPerUnit: Double?, what: String
    ) -> Decision {
        let hp = request.hedgePrice
        guard hp > 0, hp.isFinite else { return .notHedgeable("no price for hedge \(request.hedgeSymbol)") }
        guard exposure != 0, exposure.isFinite else { return .notHedgeable("\(what): no beta exposure to hedge") }
        let (c, reachable) = coverage(risk: request.risk, limit: request.limit, rSquared: rSquared)
        let target = -c * exposure / hp
        var trade = target - request.existingHedge
        if lotSize > 0 { trade = (trade / lotSize).rounded(.towardZero) * lotSize }
        guard trade != 0 else {
            return .notHedgeable("\(what): hedge \(request.hedgeSymbol) already at target \(fixed(target))")
        }
        let ratio = ratioPerUnit.map { c * $0 } ?? (c * exposure / (gross ?? 1))
        var reason =
            "\(request.measure) \(fixed(request.risk)) over limit \(fixed(request.limit)); \(what); "
            + "\(trade < 0 ? "sell" : "buy") \(fixed(abs(trade))) \(request.hedgeSymbol) "
            + "hedging \(fixed(100 * c))% of beta exposure"
        if !reachable { reason += "; residual risk stays over the limit after a full hedge" }
        return .hedge(
            Proposal(
                hedgeSymbol: request.hedgeSymbol, ratio: ratio, quantity: trade, notional: trade * hp,
                targetHedge: request.existingHedge + trade, coverage: c, reason: reason))
    }

    /// The coverage fraction and whether the target is reachable by hedging.
    func coverage(risk: Double, limit: Double, rSquared r2: Double) -> (Double, Bool) {
        switch coverage {
        case .minimumVariance:
            return (1, true)
        case .withinLimit(let target):
            let goal = target * limit / risk
            let rhs = goal * goal - (1 - r2)
            guard r2 > 0, rhs > 0 else { return (1, false) }
            return (min(1, max(0, 1 - (rhs / r2).squareRoot())), true)
        }
    }

    private func fixed(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        let scaled = (v * 100).rounded()
        let sign = scaled < 0 ? "-" : ""
        let a = abs(scaled)
        let whole = Int(a / 100)
        let cents = Int(a.truncatingRemainder(dividingBy: 100))
        return "\(sign)\(whole).\(cents < 10 ? "0" : "")\(cents)"
    }
}

/// Stops a hedge signal from repeating while nothing material changed: one gate per (account, symbol) or
/// (account, portfolio).
///
/// Rule. A proposal passes when
/// - no signal was sent since the risk was last within its limit (a new breach always signals), or
/// - its target hedge has the opposite sign of the last signalled target, or
/// - its target differs from the last signalled target by more than `materialChange` (default 10%) of
///   the last target's size,
///
/// and at least `cooldown` nanoseconds passed since the last signal (default 0). A `.withinLimit`
/// decision re-arms the gate (the next breach signals even with an unchanged size); `.notHedgeable`
/// changes nothing. A passed proposal becomes the new reference. Comparing targets rather than trades
/// means a hedge that was executed (so the trade shrinks to near 0) is not re-signalled.
///
/// - Complexity: O(1), no allocation.
public struct HedgeSignalGate: Sendable, Hashable, Checkpointable {
    /// Relative change of the target hedge that counts as material, `>= 0`.
    public let materialChange: Double
    public let cooldown: Int64

    /// The target of the last signal since the risk was last within its limit, or `nil`.
    public private(set) var lastTarget: Double?
    /// When the last signal passed.
    public private(set) var lastSignal: Int64?

    public init(materialChange: Double = 0.1, cooldown: Int64 = 0) {
        precondition(materialChange >= 0 && materialChange.isFinite, "materialChange must be >= 0")
        precondition(cooldown >= 0, "cooldown must be >= 0")
        self.materialChange = materialChange
        self.cooldown = cooldown
    }

    /// The proposal to publish for `decision` at `ts`, or `nil`.
    public mutating func admit(_ decision: HedgeSizing.Decision, at ts: Int64) -> HedgeSizing.Proposal? {
        switch decision {
        case .withinLimit:
            lastTarget = nil
            return nil
        case .notHedgeable:
            return nil
        case .hedge(let proposal):
            if let last = lastSignal, (ts > last ? ts - last : 0) < cooldown { return nil }
            if let previous = lastTarget {
                let flipped = (previous < 0) != (proposal.targetHedge < 0) && proposal.targetHedge != 0
                let material = abs(proposal.targetHedge - previous) > materialChange * abs(previous)
                guard flipped || material else { return nil }
            }
            lastTarget = proposal.targetHedge
            lastSignal = ts
            return proposal
        }
    }

    public static var stateTag: String { "hedge-gate" }
    public static var stateVersion: UInt16 { 1 }

    public func writeState(to writer: inout ModelStateWriter) {
        writer.write(materialChange)
        writer.write(Int(cooldown))
        writer.write(lastTarget != nil)
        writer.write(lastTarget ?? 0)
        writer.write(lastSignal != nil)
        writer.write(Int(lastSignal ?? 0))
    }

    public init(readingStateFrom reader: inout ModelStateReader, version: UInt16) throws(ModelStateError) {
        let at = reader.offset
        let material = try reader.readDouble()
        let cooldown = try reader.readInt()
        guard material >= 0 && material.isFinite, cooldown >= 0 else {
            throw ModelStateError(offset: at, reason: "invalid hedge-gate parameters")
        }
        self.init(materialChange: material, cooldown: Int64(cooldown))
        let hasTarget = try reader.readBool()
        let target = try reader.readDouble()
        let hasSignal = try reader.readBool()
        let signal = try reader.readInt()
        lastTarget = hasTarget ? target : nil
        lastSignal = hasSignal ? Int64(signal) : nil
    }
}
