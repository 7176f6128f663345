import MarketEvents

/// Why a `SimulatorConfiguration` cannot be simulated: the offending field and the rule it breaks.
public struct SimulatorConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field, e.g. `instruments[2].tickSize` or `newsProbability`.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

extension SimulatorConfiguration {
    /// Checks every field against its documented range.
    /// - Throws: the first violation found.
    /// - Complexity: O(number of instruments × symbol length).
    public func validate() throws(SimulatorConfigurationError) {
        if let error = validationError { throw error }
    }

    var validationError: SimulatorConfigurationError? {
        func fail(_ field: String, _ message: String) -> SimulatorConfigurationError {
            SimulatorConfigurationError(field: field, message: message)
        }
        func isNonNegative(_ x: Double) -> Bool { x.isFinite && x >= 0 }
        func isPositive(_ x: Double) -> Bool { x.isFinite && x > 0 }
        func isProbability(_ x: Double) -> Bool { x.isFinite && x >= 0 && x <= 1 }

        if instruments.isEmpty { return fail("instruments", "at least one instrument is required") }
        var seen = Set<String>()
        for (i, instrument) in instruments.enumerated() {
            let name = "instruments[\(i)]"
            let bytes = instrument.symbol.utf8
            if bytes.isEmpty || bytes.count > 64 || !bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                return fail("\(name).symbol", "must be 1...64 printable ASCII bytes without whitespace")
            }
            if !seen.insert(instrument.symbol).inserted {
                return fail("\(name).symbol", "duplicate symbol \(instrument.symbol)")
            }
            if !isPositive(instrument.initialPrice) { return fail("\(name).initialPrice", "must be finite and > 0") }
            if !instrument.beta.isFinite { return fail("\(name).beta", "must be finite") }
            if !isNonNegative(instrument.idiosyncraticVolatility) {
                return fail("\(name).idiosyncraticVolatility", "must be finite and >= 0")
            }
            if !isPositive(instrument.tickSize) || instrument.tickSize > instrument.initialPrice {
                return fail("\(name).tickSize", "must be finite, > 0 and at most the initial price")
            }
            if !isNonNegative(instrument.spreadBasisPoints) {
                return fail("\(name).spreadBasisPoints", "must be finite and >= 0")
            }
            if !isPositive(instrument.typicalDepth) { return fail("\(name).typicalDepth", "must be finite and > 0") }
            if !isPositive(instrument.typicalTradeSize) {
                return fail("\(name).typicalTradeSize", "must be finite and > 0")
            }
        }
        if let indexSymbol, !seen.contains(indexSymbol) {
            return fail("indexSymbol", "\(indexSymbol) is not one of the instruments")
        }
        if startTimestamp < 0 { return fail("startTimestamp", "must be >= 0") }
        if meanEventSpacingNanoseconds < 1 { return fail("meanEventSpacingNanoseconds", "must be >= 1") }
        if !isNonNegative(intensityElasticity) { return fail("intensityElasticity", "must be finite and >= 0") }
        if !isNonNegative(marketVolatility) { return fail("marketVolatility", "must be finite and >= 0") }
        for regime in Regime.allCases {
            let settings = self[regime]
            if !isPositive(settings.volatilityMultiplier) {
                return fail("\(regime).volatilityMultiplier", "must be finite and > 0")
            }
            if !isProbability(settings.jumpProbability) {
                return fail("\(regime).jumpProbability", "must be in [0, 1]")
            }
            if !(settings.meanDurationEvents >= 1) || settings.meanDurationEvents.isNaN {
                return fail("\(regime).meanDurationEvents", "must be >= 1")
            }
        }
        if !isProbability(normalToStressedShare) { return fail("normalToStressedShare", "must be in [0, 1]") }
        if !isNonNegative(volatilityOfVolatility) {
            return fail("volatilityOfVolatility", "must be finite and >= 0")
        }
        if !isPositive(volatilityHalfLifeEvents) { return fail("volatilityHalfLifeEvents", "must be > 0") }
        if !jumpMean.isFinite { return fail("jumpMean", "must be finite") }
        if !isNonNegative(jumpStandardDeviation) {
            return fail("jumpStandardDeviation", "must be finite and >= 0")
        }
        if !(priceMeanReversionHalfLifeEvents > 0) {
            return fail("priceMeanReversionHalfLifeEvents", "must be > 0")
        }
        if !(newsProbability.isFinite && newsProbability >= 0 && newsProbability < 1) {
            return fail("newsProbability", "must be in [0, 1)")
        }
        if !isProbability(sentimentOmittedFraction) { return fail("sentimentOmittedFraction", "must be in [0, 1]") }
        if !isProbability(marketNewsFraction) { return fail("marketNewsFraction", "must be in [0, 1]") }
        if !isProbability(neutralNewsFraction) { return fail("neutralNewsFraction", "must be in [0, 1]") }
        if !isNonNegative(newsStressRate) { return fail("newsStressRate", "must be finite and >= 0") }
        if !isProbability(symbolNewsMarketWeight) { return fail("symbolNewsMarketWeight", "must be in [0, 1]") }
        if !isNonNegative(newsVolatilityShock) { return fail("newsVolatilityShock", "must be finite and >= 0") }
        if !isPositive(newsImpactHalfLifeEvents) { return fail("newsImpactHalfLifeEvents", "must be > 0") }
        if let desk {
            if desk.accounts.isEmpty { return fail("desk.accounts", "at least one account is required") }
            for account in desk.accounts where !WireCodec.isValidSymbol(account) {
                return fail("desk.accounts", "'\(account)' is not a valid account name")
            }
            if !(isProbability(desk.positionProbability) && desk.positionProbability < 1) {
                return fail("desk.positionProbability", "must be in [0, 1)")
            }
            if !isPositive(desk.maximumNotional) { return fail("desk.maximumNotional", "must be finite and > 0") }
            if !isProbability(desk.longFraction) { return fail("desk.longFraction", "must be in [0, 1]") }
        }
        if let m = microstructure {
            if !isProbability(m.sameSideProbability) {
                return fail("microstructure.sameSideProbability", "must be in [0, 1]")
            }
            if !isProbability(m.tradeOnlyFraction) {
                return fail("microstructure.tradeOnlyFraction", "must be in [0, 1]")
            }
            if !isProbability(m.burstProbability) {
                return fail("microstructure.burstProbability", "must be in [0, 1]")
            }
            if !(m.meanBurstLength >= 1 && m.meanBurstLength.isFinite) {
                return fail("microstructure.meanBurstLength", "must be finite and >= 1")
            }
        }
        if let session {
            guard let first = session.periods.first, first.start == 0 else {
                return fail("session.periods", "the first period must start at 0")
            }
            for (i, period) in session.periods.enumerated() {
                if !isPositive(period.intensity) {
                    return fail("session.periods[\(i)].intensity", "must be finite and > 0")
                }
                if period.start >= 86_400 || (i > 0 && period.start <= session.periods[i - 1].start) {
                    return fail("session.periods[\(i)].start", "must increase and stay below 86400")
                }
            }
        }
        if let crash {
            if crash.offsetNanoseconds < 0 { return fail("crash.offsetNanoseconds", "must be >= 0") }
            if crash.durationNanoseconds < 1 { return fail("crash.durationNanoseconds", "must be >= 1") }
            if !(crash.size > 0 && crash.size < 1) { return fail("crash.size", "must be in (0, 1)") }
        }
        return nil
    }
}
