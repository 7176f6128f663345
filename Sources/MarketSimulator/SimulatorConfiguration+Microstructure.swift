#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// The parts of a simulated market that make it look like a real tape rather than a smooth diffusion:
// how prints arrive (order-flow persistence, trade-only prints, same-millisecond bursts), when they
// arrive (a session calendar), and a scripted crash. All are off (`nil`) by default, so the standard
// market's stream is unchanged.

extension SimulatorConfiguration {
    /// How prints are made from the simulated mid.
    ///
    /// Trades hit the bid or the ask of a quote on the instrument's tick grid. Order flow is persistent
    /// (a buyer is followed by a buyer), and the quote only moves when the mid crosses a grid line, so
    /// on a grid of a fraction of a basis point or coarser most prints repeat the previous price.
    public struct Microstructure: Sendable, Hashable {
        /// Probability that a print trades on the same side as the symbol's previous print, in `[0, 1]`.
        /// Otherwise the side is drawn afresh (buyers more likely after an up move).
        public var sameSideProbability: Double
        /// Fraction of prints published without a quote (no bid, ask or sizes), in `[0, 1]`.
        public var tradeOnlyFraction: Double
        /// Probability that a print starts a burst: more prints of the same symbol at the same quote in
        /// the same millisecond, in `[0, 1]`.
        public var burstProbability: Double
        /// Mean number of extra prints in a burst, `>= 1` (geometric).
        public var meanBurstLength: Double

        public init(
            sameSideProbability: Double = 0.8, tradeOnlyFraction: Double = 0.1, burstProbability: Double = 0.03,
            meanBurstLength: Double = 4
        ) {
            self.sameSideProbability = sameSideProbability
            self.tradeOnlyFraction = tradeOnlyFraction
            self.burstProbability = burstProbability
            self.meanBurstLength = meanBurstLength
        }
    }

    /// Trading intensity by time of day (UTC) of the simulated clock: event spacing is divided by the
    /// multiplier in force at the event's time, so overnight hours are quiet and the open is busy.
    /// Since a tick's volatility is per event, fewer events per second also means less volatility per
    /// second of event time.
    public struct SessionCalendar: Sendable, Hashable {
        /// One stretch of the day: from `start` (seconds after midnight UTC) to the next period's start.
        public struct Period: Sendable, Hashable {
            public var start: Int
            public var intensity: Double

            public init(start: Int, intensity: Double) {
                self.start = start
                self.intensity = intensity
            }
        }

        /// Periods in increasing `start`, the first at 0; each multiplier `> 0`.
        public var periods: [Period]

        public init(periods: [Period]) {
            self.periods = periods
        }

        /// A US equity day in UTC (winter time): quiet overnight (0.05), pre-market from 09:00 (0.2),
        /// a busy open 14:30-15:00 (4), the regular session (1), a busier close 20:30-21:00 (2), then
        /// overnight again.
        public static let usEquities = SessionCalendar(periods: [
            Period(start: 0, intensity: 0.05),
            Period(start: 9 * 3600, intensity: 0.2),
            Period(start: 14 * 3600 + 1800, intensity: 4),
            Period(start: 15 * 3600, intensity: 1),
            Period(start: 20 * 3600 + 1800, intensity: 2),
            Period(start: 21 * 3600, intensity: 0.05),
        ])

        /// The multiplier in force at `ts` (nanoseconds since the Unix epoch).
        /// - Complexity: O(number of periods), no allocation.
        public func intensity(at ts: Int64) -> Double {
            let second = Int((ts / 1_000_000_000) % 86_400)
            var value = periods.first?.intensity ?? 1
            for period in periods where period.start <= second { value = period.intensity }
            return value
        }
    }

    /// A scripted market-wide fall: every symbol's log price is pushed down linearly in event time,
    /// step by step, until it has fallen by `size` (a fraction) over `durationNanoseconds`.
    public struct Crash: Sendable, Hashable {
        /// Start, in nanoseconds of event time after `startTimestamp`, `>= 0`.
        public var offsetNanoseconds: Int64
        /// Length of the fall, `>= 1` ns.
        public var durationNanoseconds: Int64
        /// Total fall as a fraction of the price, in `(0, 1)`: 0.03 is a 3 % crash.
        public var size: Double

        public init(offsetNanoseconds: Int64, durationNanoseconds: Int64, size: Double) {
            self.offsetNanoseconds = offsetNanoseconds
            self.durationNanoseconds = durationNanoseconds
            self.size = size
        }

        /// The crash's total log move so far at `elapsed` ns after `startTimestamp`: 0 before it,
        /// `log(1 - size)` after it, linear in between.
        func logMove(elapsed: Int64) -> Double {
            if elapsed <= offsetNanoseconds { return 0 }
            let fraction = min(1, Double(elapsed - offsetNanoseconds) / Double(durationNanoseconds))
            return fraction * log1p(-size)
        }
    }
}
