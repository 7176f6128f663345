import OnlineLearning
import SeededRandom
import Testing

@Suite struct ADWINTests {
    @Test(arguments: [UInt64(1), 2, 3, 4, 5])
    func detectsMeanShiftWithinBoundedDelay(seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        var adwin = ADWIN()
        for _ in 0..<2000 {
            #expect(adwin.update(0.2 + 0.1 * rng.nextGaussian()) == false)
        }
        #expect(abs(adwin.estimation - 0.2) < 0.01)
        var delay: Int?
        for i in 0..<1000 where delay == nil {
            if adwin.update(0.5 + 0.1 * rng.nextGaussian()) { delay = i }
        }
        let found = try! #require(delay)
        // A 3σ shift is found within a couple of clock periods.
        #expect(found < 100)
        // After the cut the window holds (mostly) the new concept.
        #expect(adwin.width < 1000)
    }

    @Test func staysQuietOnStationaryStreamAtItsDelta() {
        // ADWIN bounds the false-positive probability of each check by δ; count alarms over many
        // seeded stationary runs and compare with δ × checks.
        var alarms = 0
        var checks = 0
        for seed in 0..<40 {
            var rng = Xoshiro256(seed: UInt64(seed) &+ 100)
            var adwin = ADWIN()
            for _ in 0..<4000 {
                if adwin.update(rng.nextUnitDouble()) { alarms += 1 }
            }
            checks += 4000 / adwin.clock
        }
        #expect(Double(alarms) <= 0.002 * Double(checks) + 1)
    }

    @Test func windowWidthAndEstimationTrackInput() {
        var adwin = ADWIN()
        for i in 0..<1000 { adwin.update(Double(i % 2)) }
        #expect(adwin.width == 1000)
        #expect(abs(adwin.estimation - 0.5) < 1e-12)
    }

    /// The window grows on a stationary stream, is cut back to (about) the new concept after each change,
    /// and the detector's whole state (its saved form) never grows. Measured widths are printed.
    @Test func theWindowShrinksAfterEachChangeAndTheStateStaysFixed() {
        var adwin = ADWIN()
        var rng = Xoshiro256(seed: 9)
        let stateBytes = adwin.savedState().count
        var widths: [Int] = []
        for (phase, mean) in [0.2, 0.8, 0.2].enumerated() {
            let before = adwin.detections
            let length = phase == 0 ? 50_000 : 5_000
            for _ in 0..<length { adwin.update(mean + 0.1 * rng.nextGaussian()) }
            widths.append(adwin.width)
            #expect(abs(adwin.estimation - mean) < 0.02, "phase \(phase): estimate \(adwin.estimation), mean \(mean)")
            if phase == 0 {
                #expect(adwin.width > 40_000, "a stationary stream keeps (nearly) all of its window: \(adwin.width)")
            } else {
                #expect(adwin.detections > before, "phase \(phase): the change was not detected")
                // The old concept is cut at bucket granularity: under 2 % of the window is left of it.
                #expect(
                    adwin.width < length + length / 50, "phase \(phase): window \(adwin.width) after \(length) new values")
                #expect(adwin.width > length / 2, "phase \(phase): the new concept is kept: \(adwin.width)")
            }
            #expect(adwin.savedState().count == stateBytes, "the histogram is fixed: no growth")
        }
        print("ADWIN widths at the end of each phase (50,000 at 0.2, 5,000 at 0.8, 5,000 at 0.2): \(widths)")
        #expect(stateBytes < adwin.memoryBound)
    }

    @Test func restoredDetectorContinuesIdentically() throws {
        var rng = Xoshiro256(seed: 7)
        var a = ADWIN(delta: 0.01)
        for _ in 0..<3000 { a.update(rng.nextUnitDouble()) }
        var b = try ADWIN(savedState: a.savedState())
        for i in 0..<3000 {
            let v = rng.nextUnitDouble() + (i > 1000 ? 0.5 : 0)
            #expect(a.update(v) == b.update(v))
            #expect(a.estimation.bitPattern == b.estimation.bitPattern)
            #expect(a.width == b.width)
        }
        #expect(a.detections > 0)
    }

    @Test func corruptStateIsAnErrorNotACrash() {
        var a = ADWIN()
        for i in 0..<500 { a.update(Double(i % 7)) }
        let bytes = a.savedState()
        for cut in Swift.stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: ModelStateError.self) { try ADWIN(savedState: Array(bytes[..<cut])) }
        }
        var flipped = bytes
        for i in Swift.stride(from: 0, to: flipped.count, by: 13) {
            flipped[i] ^= 0xA5
            _ = try? ADWIN(savedState: flipped)
        }
    }
}

@Suite struct PageHinkleyTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func detectsUpwardShift(seed: UInt64) {
        var rng = Xoshiro256(seed: seed)
        var ph = PageHinkley(direction: .up)
        for _ in 0..<3000 { #expect(ph.update(0.1 * rng.nextGaussian()) == false) }
        var delay: Int?
        for i in 0..<1000 where delay == nil {
            if ph.update(2 + 0.1 * rng.nextGaussian()) { delay = i }
        }
        let found = try! #require(delay)
        #expect(found < 40)
    }

    @Test func ignoresDownwardShiftWhenWatchingUp() {
        var ph = PageHinkley(direction: .up)
        for i in 0..<2000 { #expect(ph.update(i < 1000 ? 5 : 0) == false) }
    }

    @Test func restoredDetectorContinuesIdentically() throws {
        var rng = Xoshiro256(seed: 4)
        var a = PageHinkley()
        for _ in 0..<500 { a.update(rng.nextGaussian()) }
        var b = try PageHinkley(savedState: a.savedState())
        for i in 0..<2000 {
            let v = rng.nextGaussian() + (i > 700 ? 2 : 0)
            #expect(a.update(v) == b.update(v))
        }
        #expect(a.detections > 0)
        let bytes = a.savedState()
        for cut in 0..<bytes.count {
            #expect(throws: ModelStateError.self) { try PageHinkley(savedState: Array(bytes[..<cut])) }
        }
    }
}
