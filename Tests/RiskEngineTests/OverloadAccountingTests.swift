import MarketEvents
import RiskEngine
import Testing
import ZeroMQ

/// Overload end to end: a feed far faster than the engine, small high-water marks on both sides and a
/// tiny ring, under every `when_full` policy. Every tick the feed sent is accounted for exactly once:
/// received (`events_in`, of which `dropped` the ring discarded) or lost before the engine
/// (`lost_upstream`, from the gaps in each topic's `seq`), and the two are never confused.
@Suite(.serialized) struct OverloadAccountingTests {
    static let symbols = ["AAA", "BBB", "CCC", "DDD"]

    @Test(arguments: OverflowPolicy.allCases)
    func everySentTickIsReceivedDroppedOrLostUpstreamExactlyOnce(policy: OverflowPolicy) throws {
        let harness = try EngineHarness(feedHighWaterMark: 200) { pipeline in
            pipeline.ingest.receiveHighWaterMark = 200
            pipeline.ingest.ringCapacity = 16
            pipeline.ingest.whenFull = policy
        }
        let counters = harness.engine.counters
        var seqs = Array(repeating: UInt64(0), count: Self.symbols.count)
        var sent: UInt64 = 0
        // The flood: the feed never waits, so libzmq drops what the engine cannot take.
        for i in 0..<100_000 {
            let s = i % Self.symbols.count
            seqs[s] += 1
            try harness.send(
                EngineHarness.tick(Self.symbols[s], i, mid: 100 + Double(i % 7) * 0.01, seq: seqs[s]), binary: true)
            sent += 1
        }
        // A loss after a topic's last received tick shows only when a later tick arrives: send one more
        // per topic until the books balance (each try counts as sent; a lost try is itself a gap later).
        var balanced = false
        for _ in 0..<200 where !balanced {
            for s in Self.symbols.indices {
                seqs[s] += 1
                try harness.send(EngineHarness.tick(Self.symbols[s], 100_000 + s, mid: 100, seq: seqs[s]), binary: true)
                sent += 1
            }
            // Received plus lost can only grow towards `sent`; equal means nothing is left in flight.
            balanced = try harness.heartbeat(within: 2) { $0.eventsIn + $0.lostUpstream == sent } != nil
        }
        let eventsIn = counters.eventsIn.load(ordering: .relaxed)
        let lost = counters.lostUpstream.load(ordering: .relaxed)
        #expect(balanced, "\(policy): events_in \(eventsIn) + lost_upstream \(lost) never reached sent \(sent)")
        #expect(eventsIn + lost == sent)
        // Everything received is processed or dropped by the ring, once the engine has caught up.
        let caughtUp = try harness.heartbeat {
            $0.eventsIn == eventsIn && counters.processed.load(ordering: .relaxed) + $0.dropped == eventsIn
        }
        #expect(caughtUp != nil, "\(policy): processed + dropped never reached events_in \(eventsIn)")
        let dropped = harness.engine.dropped
        let processed = counters.processed.load(ordering: .relaxed)
        #expect(processed + dropped + lost == sent)
        #expect(harness.engine.lossLog.byTopic.values.reduce(0, +) == lost)
        // Where the loss happened decides who reports it: `block` pushes back into ZeroMQ, the drop
        // policies lose inside the engine, say so on `ENGINE`, and never report their own drops as the
        // feed's sequence gaps.
        let engineAlerts = harness.alerts.filter { $0.symbol == "ENGINE" && $0.kind == .dataQuality }
        switch policy {
        case .block:
            #expect(dropped == 0)
            #expect(lost > 0, "a feed 100,000 ticks ahead of a 16-slot ring behind 200-message HWMs lost nothing")
            #expect(engineAlerts.isEmpty)
        case .dropOldest, .dropNewest:
            #expect(dropped > 0, "\(policy): a 16-slot ring never overflowed")
            #expect(engineAlerts.first?.severity == .critical, "\(policy): no ENGINE overload alert")
        }
        let gapAlerts = harness.alerts.filter { $0.kind == .dataQuality && $0.message.contains("sequence gap") }
        #expect(gapAlerts.allSatisfy { $0.message.contains("upstream") })
        if lost == 0 { #expect(gapAlerts.isEmpty, "\(policy): ring drops reported as feed gaps") }
        print(
            "overload \(policy.rawValue): sent \(sent) events_in \(eventsIn) processed \(processed) "
                + "dropped \(dropped) lost_upstream \(lost)")
    }
}
