import MarketEvents
import RiskEngine
import SeededRandom
import Testing

/// The ingest ring's overflow policies in a running engine: a ring of 8 in front of a compute stage that
/// learns on every tick (an SGD model and a ten-tree adaptive random forest) cannot keep up with a burst
/// of thousands of ticks that ingest decodes far faster, so events are lost, and every loss is counted
/// and reported on the engine's PUB socket. (`OverloadAccountingTests` balances the books under a flood;
/// this checks which events each policy keeps.)
@Suite struct OverflowEndToEndTests {
    /// A tick with no publisher `seq` (the engine's own losses must not read as a feed's sequence gaps).
    static func tick(_ symbol: String, ms: Int64, mid: Double) -> WireEvent {
        .tick(
            Tick(
                symbol: symbol, ts: Tape.ts(ms), price: mid, size: 100, bid: mid * (1 - 1e-4), ask: mid * (1 + 1e-4),
                bidSize: 500, askSize: 500))
    }

    /// Bursts of 5,000 ticks, each opened by a `HEAD` tick and closed by a `TAIL` tick whose prices name
    /// the burst, until a heartbeat reports drops (at most ten bursts; the first one does it). Then:
    /// `processed + dropped == events_in` on the engine and in the heartbeat; with `drop_newest` the ring
    /// keeps what it holds, so `HEAD` (pushed into the empty ring a settled engine has) survives, while
    /// with `drop_oldest` the newest event always survives, so `TAIL` reaches the symbol's state; each is
    /// read back from a risk snapshot made after the burst was processed.
    @Test(arguments: [OverflowPolicy.dropNewest, .dropOldest])
    func aBurstIntoATinyRingIsDroppedCountedAndReported(policy: OverflowPolicy) throws {
        let harness = try EngineHarness.risk {
            $0.ingest.ringCapacity = 8
            $0.ingest.whenFull = policy
            $0.publish.riskSnapshotMilliseconds = 50
        }
        var rng = Xoshiro256(seed: 31)
        var mid = 100.0
        var ms: Int64 = 0
        var sent: UInt64 = 0
        var burst = 0
        var beat = Heartbeat(seq: 0, ts: 0)
        while burst < 10 && beat.dropped == 0 {
            burst += 1
            ms += 1_000
            try harness.send(Self.tick("HEAD", ms: ms, mid: 1_000 + Double(burst)))
            for _ in 0..<5_000 {
                ms += 10
                mid *= 1 + 1e-4 * rng.nextGaussian()
                try harness.send(Self.tick("BURST", ms: ms, mid: mid))
            }
            try harness.send(Self.tick("TAIL", ms: ms + 1, mid: 2_000 + Double(burst)))
            sent += 5_002
            beat = try harness.settle(events: sent)
        }
        let counters = harness.engine.counters
        let processed = counters.processed.load(ordering: .relaxed)
        print(
            "\(policy.rawValue): \(burst) burst(s), events_in \(beat.eventsIn), processed \(processed), "
                + "dropped \(beat.dropped)")
        #expect(beat.dropped > 0, "no drops after \(burst) bursts of 5,002 ticks into a ring of 8")
        #expect(beat.eventsIn == sent)
        #expect(beat.dropped == harness.engine.dropped, "the heartbeat reports the ring's count")
        #expect(processed + beat.dropped == beat.eventsIn)
        // The engine says it is overloaded, on ENGINE; its own drops are no feed's fault.
        let dataQuality = harness.alerts.filter { $0.kind == .dataQuality }
        #expect(dataQuality.contains { $0.symbol == "ENGINE" && $0.severity == .critical }, "no ENGINE overload alert")
        #expect(dataQuality.allSatisfy { $0.symbol == "ENGINE" }, "\(dataQuality.map(\.message))")

        let survivor = policy == .dropNewest ? ("HEAD", 1_000 + Double(burst)) : ("TAIL", 2_000 + Double(burst))
        let snapshot = try harness.waitFor(seconds: 30) {
            if case .risk(let r) = $0 { r.symbol == survivor.0 && r.seq > beat.seq } else { false }
        }
        guard case .risk(let risk) = snapshot else {
            Issue.record("no snapshot of \(survivor.0) after the burst")
            return
        }
        #expect(risk.price == survivor.1, "\(policy.rawValue): \(survivor.0) of burst \(burst) was lost")
    }
}
