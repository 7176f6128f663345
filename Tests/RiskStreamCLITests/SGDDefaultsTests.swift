import Foundation
import Testing

/// The default `sgd` of `evaluate` on a stream whose first feature is nearly constant for a while (a
/// quiet market) and then moves: no forecast spikes, so its RMSE stays close to the best variant's.
@Suite struct SGDDefaultsTests {
    /// y = 0.5·x0 + x1 + noise; x0 sits at 10 (± 1e-7) for the first 600 rows, then varies by several units.
    static func quietStart(rows: Int) -> String {
        var state: UInt64 = 17
        func gaussian() -> Double {  // SplitMix64 and Box–Muller
            func uniform() -> Double {
                state &+= 0x9E37_79B9_7F4A_7C15
                var z = state
                z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                return (Double((z ^ (z >> 31)) >> 11) + 0.5) / 9_007_199_254_740_992
            }
            return (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
        }
        var text = "x0,x1,target\n"
        for i in 0..<rows {
            let x0 = i < 600 ? 10 + 1e-7 * gaussian() : 10 + 3 * abs(gaussian())
            let x1 = gaussian()
            text += "\(x0),\(x1),\(0.5 * x0 + x1 + 0.5 * gaussian())\n"
        }
        return text
    }

    @Test func defaultSGDHasNoSpikesAfterAQuietStart() throws {
        let file = try EvaluateCommandTests.TempFile(contents: Self.quietStart(rows: 6000))
        defer { file.cleanUp() }
        func rmse(_ options: [String]) throws -> Double {
            let output = try CLI.run(
                ["evaluate", "--csv", file.path, "--delay", "5", "--json", "--model", "sgd"] + options)
            #expect(output.status == 0, "\(output.stderr)")
            return try #require(BacktestCommandTests.number(output.stdout, "rmse"))
        }
        let byDefault = try rmse([])
        let variants = [
            ["--no-standardize"], ["--clip", "3"], ["--clip", "10"], ["--learning-rate", "0.5"],
            ["--learning-rate", "0.125"], ["--scale-target", "false"],
        ]
        let scores = try variants.map { ($0.joined(separator: " "), try rmse($0)) }
        let best = scores.map(\.1).min()!
        #expect(byDefault <= 1.1 * best, "default RMSE \(byDefault), variants \(scores)")
        // Without the clamp the first move of x0 standardises to millions of σ: the spike this guards against.
        let unclamped = try rmse(["--clip", "0", "--scale-target", "false", "--learning-rate", "1"])
        #expect(unclamped > 3 * byDefault, "unclamped RMSE \(unclamped), default \(byDefault)")
    }
}
