import OnlineLearning
import RiskModels
import SeededRandom
import Testing

@Suite struct ForwardLabelsTests {
    static let second: Int64 = 1_000_000_000
    static let allTargets = ForwardLabels.Target.allCases

    /// One event of a test stream: a tick with or without a return (a chain restart has none).
    struct Event {
        var ts: Int64
        var r: Double?
    }

    static func events(count: Int, seed: UInt64) -> [Event] {
        var rng = Xoshiro256(seed: seed)
        var ts: Int64 = 5 * second
        var out: [Event] = []
        for _ in 0..<count {
            let u = rng.nextUnitDouble()
            ts += u < 0.2 ? 0 : Int64(rng.nextExponential(rate: 1.0 / 3e8))
            if u > 0.95 { ts -= 200_000 }  // small backwards step
            out.append(Event(ts: ts, r: rng.nextUnitDouble() < 0.05 ? nil : 0.001 * rng.nextGaussian()))
        }
        return out
    }

    /// The labels of the row appended after event `i`, from scratch: the returns of events `i+1...` up to the
    /// horizon, with event time clamped to the running maximum as the queue does.
    static func direct(
        _ events: [Event], row i: Int, horizon: ForwardLabels.Horizon
    ) -> (labels: [Double], matured: Bool) {
        var clamped: [Int64] = []
        var newest = Int64.min
        for e in events {
            newest = max(newest, e.ts)
            clamped.append(newest)
        }
        var window: [Double] = []
        var matured = false
        for j in (i + 1)..<events.count {
            switch horizon {
            case .events(let h):
                if let r = events[j].r { window.append(r) }
                if window.count == h { matured = true }
            case .seconds(let s):
                if clamped[j] - clamped[i] > Int64((s * 1e9).rounded()) { matured = true }
                else if let r = events[j].r { window.append(r) }
            }
            if matured { break }
        }
        let total = window.reduce(0, +)
        let vol = window.isEmpty ? 0 : (window.reduce(0) { $0 + $1 * $1 } / Double(window.count)).squareRoot()
        return ([vol, total, abs(total)], matured)
    }

    /// Runs the stream through a queue in the documented order and returns every popped row as (row id, labels,
    /// ts), plus the queue.
    static func run(
        _ events: [Event], _ labels: inout ForwardLabels
    ) -> [(id: Int, labels: [Double], ts: Int64, poppedAt: Int)] {
        var popped: [(id: Int, labels: [Double], ts: Int64, poppedAt: Int)] = []
        for (i, e) in events.enumerated() {
            if let r = e.r { labels.observe(return: r, ts: e.ts) } else { labels.advance(to: e.ts) }
            labels.popMatured { features, targets, ts in
                popped.append((Int(features[0]), Array(targets), ts, i))
            }
            labels.append(features: [Double(i), -Double(i)], ts: e.ts)
        }
        return popped
    }

    @Test(arguments: [ForwardLabels.Horizon.events(1), .events(7), .seconds(0.5), .seconds(3)])
    func matchesDirectComputation(horizon: ForwardLabels.Horizon) {
        let events = Self.events(count: 3_000, seed: 4)
        var labels = ForwardLabels(
            configuration: .init(width: 2, capacity: 1_000, horizon: horizon, targets: Self.allTargets))
        let popped = Self.run(events, &labels)
        #expect(labels.droppedRows == 0)
        var expectedIds: [Int] = []
        for i in events.indices where Self.direct(events, row: i, horizon: horizon).matured { expectedIds.append(i) }
        #expect(popped.map(\.id) == expectedIds)
        #expect(labels.count == events.count - popped.count && labels.pendingCount == labels.count)
        var emptyWindows = 0
        for row in popped {
            let (expected, _) = Self.direct(events, row: row.id, horizon: horizon)
            if expected[0] == 0 { emptyWindows += 1 }
            for k in 0..<3 {
                #expect(abs(row.labels[k] - expected[k]) <= 1e-15 + 1e-12 * abs(expected[k]), "row \(row.id)")
            }
        }
        if case .seconds(0.5) = horizon { #expect(emptyWindows > 0) }  // quiet half-seconds label 0
        // Rows mature as soon as their horizon is complete: the row of event i is popped at the event that
        // completes it.
        for row in popped.prefix(200) {
            let (_, maturedWithout) = Self.direct(Array(events[0..<row.poppedAt]), row: row.id, horizon: horizon)
            #expect(!maturedWithout, "row \(row.id) popped late at \(row.poppedAt)")
        }
    }

    @Test func rowsWithoutReturnsBetweenThemMatureTogether() {
        var labels = ForwardLabels(configuration: .init(width: 1, capacity: 8, horizon: .events(2)))
        labels.append(features: [1], ts: 0)
        labels.advance(to: 1)
        labels.append(features: [2], ts: 1)
        labels.observe(return: 0.03, ts: 2)
        #expect(labels.maturedCount == 0 && labels.pendingCount == 2)
        labels.observe(return: -0.04, ts: 3)
        #expect(labels.maturedCount == 2)
        var seen: [[Double]] = []
        #expect(labels.popMatured { f, t, _ in seen.append([f[0], t[0]]) } == 2)
        let vol = ((0.03 * 0.03 + 0.04 * 0.04) / 2).squareRoot()
        #expect(seen.count == 2 && seen.allSatisfy { abs($0[1] - vol) < 1e-15 } && seen.map { $0[0] } == [1, 2])
        #expect(labels.count == 0)
    }

    /// A full queue drops its oldest row, counted; the survivors keep their own labels.
    @Test func overflowDropsTheOldestRowsAndCountsThem() {
        var labels = ForwardLabels(
            configuration: .init(width: 1, capacity: 4, horizon: .events(3), targets: [.forwardReturn]))
        for i in 0..<10 { labels.append(features: [Double(i)], ts: Int64(i)) }
        #expect(labels.droppedRows == 6 && labels.count == 4)
        for r in [0.1, 0.2, 0.3] { labels.observe(return: r, ts: 20) }
        var rows: [(Double, Double)] = []
        labels.popMatured { f, t, _ in rows.append((f[0], t[0])) }
        #expect(rows.map(\.0) == [6, 7, 8, 9])
        #expect(rows.allSatisfy { abs($0.1 - 0.6) < 1e-15 })
        // Matured but not popped rows are dropped too.
        for i in 0..<4 { labels.append(features: [Double(i)], ts: 30) }
        for _ in 0..<3 { labels.observe(return: 0.01, ts: 30) }
        labels.append(features: [99], ts: 31)
        #expect(labels.droppedRows == 7 && labels.maturedCount == 3 && labels.pendingCount == 1)
        var ids: [Double] = []
        labels.popMatured { f, _, _ in ids.append(f[0]) }
        #expect(ids == [1, 2, 3])
    }

    /// A million returns: an early volatile episode (|r| near 1) makes the running sum of r² large; then a
    /// calm stretch with a drift (r ≈ 1e-4 ± 1e-6; Σ r over the run reaches ~100). Every label must still match
    /// its direct sum: plain
    /// running sums would leave the calm windows' Σ r² (≈ 2e-7) at the mercy of rounding of order
    /// 1e5 × 2⁻⁵³ ≈ 1e-11 per difference, and the compensated sums must do far better.
    @Test func noDriftOverAMillionTicks() {
        var rng = Xoshiro256(seed: 21)
        let n = 1_000_000
        let h = 20
        var returns: [Double] = []
        returns.reserveCapacity(n)
        for i in 0..<n {
            returns.append(i < 200_000 ? rng.nextGaussian() : 1e-4 + 1e-6 * rng.nextGaussian())
        }
        var labels = ForwardLabels(configuration: .init(width: 1, capacity: 64, horizon: .events(h), targets: Self.allTargets))
        var worst = [0.0, 0.0, 0.0]
        var checked = 0
        for (i, r) in returns.enumerated() {
            labels.observe(return: r, ts: Int64(i))
            labels.popMatured { f, t, _ in
                let start = Int(f[0]) + 1
                var s1 = 0.0
                var s2 = 0.0
                var scale = 0.0
                for j in start..<(start + h) {
                    s1 += returns[j]
                    s2 += returns[j] * returns[j]
                    scale += abs(returns[j])
                }
                let expected = [(s2 / Double(h)).squareRoot(), s1, abs(s1)]
                // Errors relative to the value, or for sums of mixed signs to Σ|r| (the sum's own conditioning).
                let scales = [expected[0], scale, scale]
                for k in 0..<3 { worst[k] = max(worst[k], abs(t[k] - expected[k]) / scales[k]) }
                checked += 1
            }
            labels.append(features: [Double(i)], ts: Int64(i))
        }
        #expect(checked == n - h)
        #expect(worst.allSatisfy { $0 < 1e-12 }, "worst relative errors \(worst)")
    }

    @Test(arguments: [ForwardLabels.Horizon.events(5), .seconds(1)])
    func checkpointMidStreamResumesIdentically(horizon: ForwardLabels.Horizon) throws {
        let events = Self.events(count: 2_000, seed: 8)
        var labels = ForwardLabels(
            configuration: .init(width: 2, capacity: 16, horizon: horizon, targets: [.forwardAbsoluteReturn, .forwardVolatility]))
        let head = Self.run(Array(events[0..<1_000]), &labels)
        #expect(!head.isEmpty && labels.count > 0)
        var restored = try ForwardLabels(savedState: labels.savedState())
        #expect(restored.configuration == labels.configuration && restored.count == labels.count)
        #expect(restored.droppedRows == labels.droppedRows && restored.maturedCount == labels.maturedCount)
        let tail = Array(events[1_000...])
        let a = Self.run(tail, &labels)
        let b = Self.run(tail, &restored)
        #expect(a.count == b.count && a.count > 500)
        for (x, y) in zip(a, b) {
            #expect(x.id == y.id && x.ts == y.ts && x.labels.map(\.bitPattern) == y.labels.map(\.bitPattern))
        }
        #expect(restored.savedState() == labels.savedState())
        #expect(throws: ModelStateError.self) { try ForwardLabels(savedState: Array(labels.savedState().dropLast())) }
    }
}
