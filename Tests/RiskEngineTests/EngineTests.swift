import MarketEvents
import RiskEngine
import Testing
import ZeroMQ

@Suite struct EngineTests {
    @Test(arguments: [false, true])
    func everyValidTickIsCountedInEventsIn(binary: Bool) throws {
        let harness = try EngineHarness()
        let count = 2_000
        for i in 0..<count {
            try harness.send(EngineHarness.tick(["AAA", "BBB", "CCC"][i % 3], i, mid: 100, seq: UInt64(i / 3 + 1)), binary: binary)
        }
        let beat = try harness.settle(events: UInt64(count))
        #expect(beat.eventsIn == UInt64(count))
        #expect(beat.malformed == 0)
        #expect(beat.dropped == 0)
        #expect(harness.engine.counters.processed.load(ordering: .relaxed) == UInt64(count))
        #expect(harness.engine.counters.quarantined.load(ordering: .relaxed) == 0)
    }

    /// Every malformed kind, each followed by a good tick: all good ticks are counted, every bad frame is
    /// counted under its reason, and nothing bad reaches compute.
    @Test func malformedFramesAreCountedByReasonAndNeverCostAGoodTick() throws {
        let harness = try EngineHarness { $0.ingest.topics = [""] }  // everything, so bad topics arrive too
        let good = { (i: Int) in EngineHarness.tick("GOOD", i, mid: 50, seq: UInt64(i + 1)) }
        let valid = #"{"symbol":"AAPL","ts":1,"price":10}"#
        let bad: [(frames: [[UInt8]], reason: String)] = [
            ([Array("tick.AAPL".utf8)], "frame_count"),
            ([Array("tick.AAPL".utf8), Array(valid.utf8), [1]], "frame_count"),
            ([Array("tick.AAPL".utf8), []], "empty_payload"),
            ([Array("tick.AAPL".utf8), Array(#"{"symbol":"AAPL","ts":1,"price":NaN}"#.utf8)], "non_finite"),
            ([Array("tick.AAPL".utf8), Array(#"{"symbol":"AAPL","ts":1,"price":1e999}"#.utf8)], "non_finite"),
            ([Array("tick.AAPL".utf8), Array(#"{"symbol":"AAPL","ts":1,"price":0}"#.utf8)], "out_of_range"),
            ([Array("tick.AAPL".utf8), Array(#"{"symbol":"AAPL","ts":1}"#.utf8)], "missing_field"),
            ([Array("tick.AAPL".utf8), Array(#"{"symbol":"AAPL","ts":"1","price":3}"#.utf8)], "wrong_type"),
            ([Array("tick.AAPL".utf8), Array(#"{"symbol":"AAPL","ts":1,"pri"#.utf8)], "invalid_json"),
            ([Array("tick.AAPL".utf8), [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]], "invalid_utf8"),
            ([Array("tick.MSFT".utf8), Array(valid.utf8)], "topic_mismatch"),
            ([Array("tick.AAPL".utf8), Array("[1,2]".utf8)], "not_an_object"),
            ([Array("tick.AAPL".utf8), [0xB1, 0x01]], "truncated"),
            ([Array("tick.AAPL".utf8), [0x00, 0x01, 0x02]], "unknown_encoding"),
            ([Array("bogus.AAPL".utf8), Array(valid.utf8)], "invalid_topic"),
            ([Array("tick.AAPL".utf8), Array(repeating: 0x20, count: (1 << 20) + 1)], "oversized"),
            ([Array("alert.AAPL".utf8), WireCodec.encodeJSON(.alert(Alert(seq: 1, ts: 1, eventTs: 1, symbol: "AAPL", kind: .volatility, severity: .info, state: .raised, value: 1, threshold: 1, message: "x")))], "unexpected_kind"),
        ]
        for (i, item) in bad.enumerated() {
            try harness.send(good(i))
            try harness.sendRaw(item.frames)
        }
        try harness.send(good(bad.count))
        let beat = try harness.settle(events: UInt64(bad.count + 1))
        #expect(beat.malformed == UInt64(bad.count))
        var expected: [String: UInt64] = [:]
        for item in bad { expected[item.reason, default: 0] += 1 }
        #expect(harness.engine.malformedLog.countsByReason == expected)
        let recent = harness.engine.malformedLog.recent
        #expect(recent.count == min(bad.count, harness.engine.malformedLog.keep))
        #expect(recent.last?.reason == "unexpected_kind")
        // No good tick was lost or flagged: the per-topic seq stayed contiguous.
        #expect(!harness.alerts.contains { $0.kind == .dataQuality })
    }

    @Test func outboundSeqStartsAtOneAndIncreasesByOneAcrossAllMessages() throws {
        let harness = try EngineHarness { $0.publish.riskSnapshotMilliseconds = 20 }
        for i in 0..<300 { try harness.send(EngineHarness.tick("SEQ", i, mid: 10, seq: UInt64(i + 1))) }
        let settled = try harness.settle(events: 300)
        // Ten snapshots of SEQ made after every tick was processed (they go out every 20 ms), with the
        // heartbeats between them: enough messages to check the sequence on.
        var snapshots = 0
        _ = try harness.waitFor(seconds: 60) { event in
            if case .risk(let r) = event, r.symbol == "SEQ", r.seq > settled.seq { snapshots += 1 }
            return snapshots == 10
        }
        #expect(snapshots == 10, "risk snapshots of SEQ stopped")
        let seqs = harness.received.map { event -> UInt64 in
            switch event {
            case .alert(let a): a.seq
            case .hedge(let h): h.seq
            case .risk(let r): r.seq
            case .heartbeat(let b): b.seq
            default: 0
            }
        }
        #expect(seqs.count > 10)
        #expect(seqs.first == 1, "the observer attached before the first message, so it saw seq 1")
        #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $1 == $0 + 1 }, "seq must increase by one: \(seqs.prefix(20))")
        #expect(harness.received.contains { if case .risk(let r) = $0 { r.symbol == "SEQ" } else { false } })
    }

    /// The compute thread schedules the next heartbeat a period after the last, so a loaded machine can
    /// only stretch the gaps: seven of them span at least six periods (one period of slack for the time
    /// between the timer firing and the stamp), and their median stays within a factor of a few of the
    /// period. The measured gaps are printed.
    @Test func heartbeatsArriveAtTheConfiguredPeriod() throws {
        let period = 100.0
        let harness = try EngineHarness { $0.publish.heartbeatMilliseconds = Int64(period) }
        var beats: [Heartbeat] = []
        while beats.count < 8 {
            let beat = try #require(try harness.heartbeat(within: 30) { _ in true }, "heartbeats stopped")
            beats.append(beat)
        }
        #expect(zip(beats, beats.dropFirst()).allSatisfy { $1.seq > $0.seq })
        let gaps = zip(beats, beats.dropFirst()).map { Double($1.ts - $0.ts) / 1e6 }
        let median = gaps.sorted()[gaps.count / 2]
        print("heartbeat gaps for a \(period) ms period: median \(median) ms, all \(gaps.map { Int($0.rounded()) }) ms")
        #expect(gaps.reduce(0, +) >= Double(gaps.count - 1) * period, "heartbeats came faster than configured: \(gaps)")
        #expect(median > period / 2 && median < 5 * period, "median gap \(median) ms, period \(period) ms: \(gaps)")
        #expect(beats.allSatisfy { $0.lagNs == 0 }, "no event yet, so no lag")
    }

    /// A scripted burst: calm mids, a volatile stretch, calm again. A volatility alert is raised during
    /// the burst and cleared after it.
    @Test func aVolatilityBurstRaisesThenClearsAnAlert() throws {
        let harness = try EngineHarness {
            $0.volatility.lambda = 0.9
            $0.volatility.warmUp = 10
            $0.volatility.warning = 2
            $0.volatility.critical = 100
            $0.volatility.hysteresis = 0.2
            $0.volatility.cooldownMilliseconds = 0
            $0.volatility.minimumDwellMilliseconds = 0
            $0.dataQuality.jumpSigmas = 1000
            // Ticks 10 ms apart: a variance sampled every 50 ms with a 0.3 s half-life.
            $0.risk.variance = .init(samplingSeconds: 0.05, halfLifeSeconds: 0.3, maximumGapSeconds: 1, warmupSamples: 10)
        }
        var mid = 100.0
        var i = 0
        func run(_ n: Int, move: Double) throws {
            for _ in 0..<n {
                mid *= i % 2 == 0 ? 1 + move : 1 / (1 + move)
                try harness.send(EngineHarness.tick("VOL", i, mid: mid, seq: UInt64(i + 1)))
                i += 1
            }
        }
        // 10 ms between ticks: 0.1 bp moves are ~24 % annualised, 20 bp moves ~4900 %.
        try run(100, move: 0.00001)
        try run(60, move: 0.002)
        try run(200, move: 0.00001)
        try harness.settle(events: UInt64(i))
        let vol = harness.alerts.filter { $0.kind == .volatility }
        try #require(vol.count >= 2, "expected a raise and a clear, got \(vol.map(\.message)) \(harness.alerts.map(\.message))")
        #expect(vol.first?.state == .raised)
        #expect(vol.first?.severity == .warning)
        #expect(vol.first?.symbol == "VOL")
        #expect((vol.first?.value ?? 0) >= 2)
        #expect(vol.first?.threshold == 2)
        #expect(vol.first?.drivers.count == 2)
        #expect(vol.last?.state == .cleared)
        #expect((vol.last?.value ?? 99) < 2 * 0.8)
        let raisedAt = vol.first!.eventTs
        #expect(raisedAt >= EngineHarness.tick("VOL", 100, mid: 1).eventTime, "raised during the burst, not before")
    }

    @Test func aSequenceGapRaisesADataQualityAlertThatSaysWhatWasMissed() throws {
        let harness = try EngineHarness()
        for (i, seq) in [1, 2, 3, 7, 8].enumerated() {
            try harness.send(EngineHarness.tick("GAP", i, mid: 20, seq: UInt64(seq)))
        }
        let alert = try harness.waitFor(seconds: 5) { if case .alert(let a) = $0 { a.kind == .dataQuality } else { false } }
        guard case .alert(let a) = alert else {
            Issue.record("no data_quality alert")
            return
        }
        #expect(a.symbol == "GAP")
        #expect(a.state == .raised)
        #expect(a.value == 3)
        #expect(a.drivers.first?.feature == "sequence_gap")
        #expect(a.message.contains("expected seq 4, got 7"))
        // A gap is reported but the event is fine: not quarantined.
        try harness.settle(events: 5)
        #expect(harness.engine.counters.quarantined.load(ordering: .relaxed) == 0)
    }

    @Test func aCrossedQuoteIsQuarantinedAndRaised() throws {
        let harness = try EngineHarness()
        try harness.send(EngineHarness.tick("X", 0, mid: 20, seq: 1))
        try harness.send(.tick(Tick(symbol: "X", ts: 1_700_000_000_020_000_000, price: 20, bid: 20.1, ask: 19.9, seq: 2)))
        let alert = try harness.waitFor(seconds: 5) { if case .alert(let a) = $0 { a.kind == .dataQuality } else { false } }
        guard case .alert(let a) = alert else {
            Issue.record("no data_quality alert")
            return
        }
        #expect(a.drivers.first?.feature == "crossed_quote")
        #expect(a.message.contains("crossed quote"))
        try harness.settle(events: 2)
        #expect(harness.engine.counters.quarantined.load(ordering: .relaxed) == 1)
    }

    @Test func aStaleFeedRaisesAndRecoversADataQualityAlert() throws {
        let harness = try EngineHarness { $0.dataQuality.staleAfterMilliseconds = 200 }
        try harness.send(EngineHarness.tick("STALE", 0, mid: 5, seq: 1))
        let raised = try harness.waitFor(seconds: 3) {
            if case .alert(let a) = $0 { a.kind == .dataQuality && a.state == .raised } else { false }
        }
        guard case .alert(let a) = raised else {
            Issue.record("no stale alert")
            return
        }
        #expect(a.symbol == "STALE")
        #expect(a.message.contains("stale"))
        #expect(a.value >= 0.2)
        try harness.send(EngineHarness.tick("STALE", 1, mid: 5, seq: 2))
        let cleared = try harness.waitFor(seconds: 3) {
            if case .alert(let a) = $0 { a.kind == .dataQuality && a.state == .cleared } else { false }
        }
        #expect(cleared != nil, "the next tick must clear the stale alert")
    }

    @Test func symbolsBeyondTheLimitAreRejectedAndCounted() throws {
        let harness = try EngineHarness { $0.symbols.max = 2 }
        for (i, symbol) in ["A1", "A2", "A3", "A3", "A1"].enumerated() {
            try harness.send(EngineHarness.tick(symbol, i, mid: 1))
        }
        try harness.settle(events: 5)
        #expect(harness.engine.counters.rejectedSymbols.load(ordering: .relaxed) == 2)
    }

    @Test func endpointErrorsSayWhichEndpointAndWhetherItIsUsage() throws {
        let context = try Context()
        var pipeline = Pipeline()
        pipeline.publish.endpoint = "nonsense://x"
        #expect(throws: EngineError.self) { try Engine(pipeline: pipeline, context: context) }
        do {
            _ = try Engine(pipeline: pipeline, context: context)
        } catch {
            #expect(error.kind == .badEndpoint)
            #expect(error.message.contains("nonsense://x"))
        }
        let holder = try Socket(context, .pub)
        try holder.bind("tcp://127.0.0.1:*")
        pipeline.publish.endpoint = try holder.lastEndpoint
        do {
            _ = try Engine(pipeline: pipeline, context: context)
            Issue.record("binding a taken port must fail")
        } catch {
            #expect(error.kind == .unavailable)
        }
    }
}

extension WireEvent {
    var eventTime: Int64 {
        if case .tick(let t) = self { t.ts } else { 0 }
    }
}
