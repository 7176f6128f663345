import Glibc
import MarketEvents
import RiskModels
import Testing

@Suite struct JumpFilterTests {
    static let ms: Int64 = 1_000_000

    /// Judges `prices` one per millisecond with sigma 1e-3 (threshold 8: a jump is beyond 0.8 %).
    static func judge(_ prices: [Double], configuration: JumpFilter.Configuration = .init()) -> [JumpFilter.Decision] {
        var filter = JumpFilter(configuration: configuration)
        return prices.enumerated().map { filter.judge(price: $0.element, ts: Int64($0.offset) * ms, sigma: 1e-3) }
    }

    @Test func smallMovesAreAcceptedAndMoveTheAnchor() {
        var filter = JumpFilter()
        #expect(filter.judge(price: 100, ts: 0, sigma: nil) == .accept)
        #expect(filter.judge(price: 200, ts: 1, sigma: nil) == .accept)  // not warm: no jump check
        #expect(filter.judge(price: 200 * exp(0.0079), ts: 2, sigma: 1e-3) == .accept)
        #expect(filter.anchor == 200 * exp(0.0079) && filter.pending == nil)
    }

    @Test func aSpikeThatRevertsIsRejected() {
        #expect(Self.judge([100, 101, 100.01]) == [.accept, .suspect, .revert])
        // Prints that held with it go too: the first print back decides.
        #expect(Self.judge([100, 90, 90.1, 100.2]) == [.accept, .suspect, .hold, .revert])
    }

    @Test func aLevelThatHoldsIsConfirmedAfterConfirmTicks() throws {
        #expect(Self.judge([100, 97, 97.1, 96.9, 97]) == [.accept, .suspect, .hold, .hold, .confirm])
        var filter = JumpFilter()
        for (i, price) in [100.0, 97, 97.1, 96.9, 97].enumerated() {
            _ = filter.judge(price: price, ts: Int64(i), sigma: 1e-3)
            if i == 1 {
                let suspect = try #require(filter.pending)
                #expect(abs(suspect.jumpReturn - log(0.97)) < 1e-12 && abs(suspect.sigmas + log(0.97) / 1e-3) < 1e-6)
                #expect(suspect.oldLevel == 100 && suspect.newLevel == 97)
            }
        }
        #expect(filter.pending == nil && filter.anchor == 97)
    }

    @Test(arguments: [(Int64(999), JumpFilter.Decision.hold), (1_000, .confirm)])
    func oneHoldingPrintConfirmsAfterConfirmAfter(elapsedMs: Int64, decision: JumpFilter.Decision) {
        var filter = JumpFilter(configuration: .init(confirmTicks: 3, confirmAfter: 1_000 * Self.ms))
        _ = filter.judge(price: 100, ts: 0, sigma: 1e-3)
        #expect(filter.judge(price: 103, ts: Self.ms, sigma: 1e-3) == .suspect)
        #expect(filter.judge(price: 103, ts: (1 + elapsedMs) * Self.ms, sigma: 1e-3) == decision)
    }

    @Test func confirmedFromOutside() {
        var filter = JumpFilter()
        _ = filter.judge(price: 100, ts: 0, sigma: 1e-3)
        #expect(filter.judge(price: 97, ts: 1, sigma: 1e-3) == .suspect)
        filter.confirm(lastHeldPrice: 97)
        #expect(filter.pending == nil && filter.anchor == 97)
        #expect(filter.judge(price: 97.01, ts: 2, sigma: 1e-3) == .accept)
    }

    @Test func sigmaHasAFloor() {
        var filter = JumpFilter(configuration: .init(threshold: 8, sigmaFloor: 1e-4))
        _ = filter.judge(price: 100, ts: 0, sigma: 0)
        #expect(filter.judge(price: 100 * exp(5e-4), ts: 1, sigma: 0) == .accept)  // 5 floor sigmas
        #expect(filter.judge(price: 100 * exp(15e-4), ts: 2, sigma: 0) == .suspect)  // 10
        #expect(abs(filter.pending!.sigmas - 10) < 1e-9)
    }
}

@Suite struct MarketMoveDetectorTests {
    static let ms: Int64 = 1_000_000

    @Test func threeSymbolsTheSameWayWithinTheWindowAreAMove() {
        var detector = MarketMoveDetector(configuration: .init(minimumSymbols: 3, window: 1_000 * Self.ms))
        // (symbol, return, ms): the same symbol twice, one the other way, then a third symbol down.
        let noted = [(0, -0.03, 0), (0, -0.03, 10), (1, 0.03, 20), (2, -0.03, 30), (3, -0.03, 40)].map {
            detector.note(symbol: $0.0, jumpReturn: $0.1, at: Int64($0.2) * Self.ms)
        }
        #expect(noted == [false, false, false, false, true])
        #expect(detector.move == .init(direction: -1, latest: 40 * Self.ms))
        #expect(detector.isPart(of: -1, ts: 1_040 * Self.ms) && !detector.isPart(of: 1, ts: 40 * Self.ms))
        // Later symbols within the window join the move and extend it.
        let joined = detector.note(symbol: 4, jumpReturn: -0.03, at: 900 * Self.ms)
        #expect(joined)
        #expect(detector.isPart(of: -1, ts: 1_900 * Self.ms) && !detector.isPart(of: -1, ts: 1_901 * Self.ms))
    }

    @Test func jumpsSpreadBeyondTheWindowAreNot() {
        var detector = MarketMoveDetector(configuration: .init(minimumSymbols: 3, window: 100 * Self.ms))
        let noted = (0..<10).map { detector.note(symbol: $0, jumpReturn: 0.02, at: Int64($0) * 101 * Self.ms) }
        #expect(!noted.contains(true) && detector.move == nil)
    }

    /// Six warm symbols gap down 3 % in the same 50 ms, with confirmation by their own prints set out of
    /// reach (10 prints): the third symbol's jump makes a market-wide move that confirms the first three at
    /// once, and the next three join it as they arrive. Every jump is accepted with its whole return.
    @Test func aGapAcrossSixSymbolsIsAcceptedOnAllOfThem() throws {
        let second: Int64 = 1_000_000_000
        var states = (0..<6).map { _ in
            SymbolState(
                configuration: .init(warmupReturns: 20, jumps: .init(confirmTicks: 10, confirmAfter: 60 * second)))
        }
        var detector = MarketMoveDetector(configuration: .init(minimumSymbols: 3, window: second))
        func tick(_ k: Int, _ ts: Int64, _ price: Double) -> Tick { Tick(symbol: "S\(k)", ts: ts, price: price) }
        for step in 1...100 {
            for k in states.indices {
                let ts = Int64(step) * second / 10
                states[k].receive(tick(k, ts, 100 * exp(3e-4 * sin(Double(step) + Double(k)))), now: ts)
                while states[k].nextReleased() != nil {}
            }
        }
        // What the compute stage does: note the suspect; on a market move confirm every pending jump in it.
        var released: [[SymbolState.Release]] = Array(repeating: [], count: 6)
        var releasedAfterEach: [Int] = []
        for k in states.indices {
            let ts = 101 * second / 10 + Int64(k) * 10_000_000
            let gap = tick(k, ts, 97 * exp(3e-4 * sin(101 + Double(k))))
            if let jump = states[k].receive(gap, now: ts),
                detector.note(symbol: k, jumpReturn: jump.jumpReturn, at: jump.ts)
            {
                for j in states.indices {
                    if let pending = states[j].pendingJump,
                        detector.isPart(of: pending.jumpReturn < 0 ? -1 : 1, ts: pending.ts)
                    {
                        states[j].confirmPendingJump()
                    }
                }
            }
            for j in states.indices { while let r = states[j].nextReleased() { released[j].append(r) } }
            releasedAfterEach.append(released.filter { !$0.isEmpty }.count)
        }
        #expect(releasedAfterEach == [0, 0, 3, 4, 5, 6])
        for k in states.indices {
            let update = try #require(released[k].first?.update)
            #expect(released[k].count == 1 && update.report.issues == .confirmedJump)
            let r = try #require(update.acceptedReturn)
            #expect(r < -0.029 && r > -0.031, "S\(k): \(r)")
            #expect(states[k].jumpsConfirmed == 1 && states[k].ticksQuarantined == 0)
        }
    }
}
