/// A small derivative-free minimiser (Nelder and Mead, 1965, with the standard coefficients: reflection 1,
/// expansion 2, contraction ½, shrink ½) for the few-parameter likelihoods of `GJRGARCHFit`.
///
/// The objective may return `+∞` (or NaN, treated as `+∞`) for an infeasible point; the start point must be
/// finite. It stops after `maxEvaluations` or once the simplex's values differ by less than `tolerance`
/// (relative, plus an absolute 1e-12) and its vertices by less than √`tolerance` in every coordinate.
///
/// - Complexity: O(d) work per evaluation beyond the objective itself (O(d²) per shrink); the workspace is
///   allocated once per `NelderMead` value and reused by every `minimize` call of the same dimension.
struct NelderMead {
    let dimension: Int
    /// The d + 1 vertices, vertex i at `vertices[i*d ..< (i+1)*d]`.
    private var vertices: [Double]
    private var values: [Double]
    private var centroid: [Double]
    private var trial: [Double]
    private var second: [Double]

    init(dimension d: Int) {
        precondition(d >= 1, "Nelder–Mead needs at least one dimension")
        dimension = d
        vertices = Array(repeating: 0, count: (d + 1) * d)
        values = Array(repeating: 0, count: d + 1)
        centroid = Array(repeating: 0, count: d)
        trial = Array(repeating: 0, count: d)
        second = Array(repeating: 0, count: d)
    }

    /// The outcome: the best vertex, its value and the evaluations spent.
    struct Result {
        var point: [Double]
        var value: Double
        var evaluations: Int
    }

    /// Minimises `objective` from `start`, the initial simplex `start` plus `step` along each axis.
    mutating func minimize(
        from start: [Double], step: Double, maxEvaluations: Int, tolerance: Double = 1e-7,
        _ objective: ([Double]) -> Double
    ) -> Result {
        let d = dimension
        precondition(start.count == d, "start has \(start.count) coordinates, expected \(d)")
        func f(_ x: [Double]) -> Double {
            let v = objective(x)
            return v.isNaN ? .infinity : v
        }
        var evaluations = 0
        for i in 0...d {
            for j in 0..<d { trial[j] = start[j] + (i > 0 && j == i - 1 ? step : 0) }
            for j in 0..<d { vertices[i * d + j] = trial[j] }
            values[i] = f(trial)
            evaluations += 1
        }
        while evaluations < maxEvaluations {
            // Order: best, worst and second worst.
            var best = 0
            var worst = 0
            for i in 1...d {
                if values[i] < values[best] { best = i }
                if values[i] > values[worst] { worst = i }
            }
            var nextWorst = best
            for i in 0...d where i != worst && values[i] > values[nextWorst] { nextWorst = i }
            if converged(best: best, worst: worst, tolerance: tolerance) { break }
            for j in 0..<d {
                var sum = 0.0
                for i in 0...d where i != worst { sum += vertices[i * d + j] }
                centroid[j] = sum / Double(d)
            }
            // Reflect.
            for j in 0..<d { trial[j] = centroid[j] + (centroid[j] - vertices[worst * d + j]) }
            let reflected = f(trial)
            evaluations += 1
            if reflected < values[best] {
                // Expand.
                for j in 0..<d { second[j] = centroid[j] + 2 * (centroid[j] - vertices[worst * d + j]) }
                let expanded = f(second)
                evaluations += 1
                if expanded < reflected {
                    replace(worst, with: second, value: expanded)
                } else {
                    replace(worst, with: trial, value: reflected)
                }
                continue
            }
            if reflected < values[nextWorst] {
                replace(worst, with: trial, value: reflected)
                continue
            }
            // Contract, outside when the reflection beat the worst vertex, inside otherwise.
            let outside = reflected < values[worst]
            for j in 0..<d {
                let w = vertices[worst * d + j]
                second[j] =
                    outside ? centroid[j] + 0.5 * (trial[j] - centroid[j]) : centroid[j] + 0.5 * (w - centroid[j])
            }
            let contracted = f(second)
            evaluations += 1
            if contracted < (outside ? reflected : values[worst]) {
                replace(worst, with: second, value: contracted)
                continue
            }
            // Shrink towards the best vertex.
            for i in 0...d where i != best {
                for j in 0..<d {
                    let x = vertices[best * d + j] + 0.5 * (vertices[i * d + j] - vertices[best * d + j])
                    vertices[i * d + j] = x
                    trial[j] = x
                }
                values[i] = f(trial)
                evaluations += 1
            }
        }
        var best = 0
        for i in 1...d where values[i] < values[best] { best = i }
        return Result(point: Array(vertices[best * d..<(best + 1) * d]), value: values[best], evaluations: evaluations)
    }

    private mutating func replace(_ i: Int, with point: [Double], value: Double) {
        for j in 0..<dimension { vertices[i * dimension + j] = point[j] }
        values[i] = value
    }

    private func converged(best: Int, worst: Int, tolerance: Double) -> Bool {
        guard values[worst].isFinite else { return false }
        guard values[worst] - values[best] <= tolerance * abs(values[best]) + 1e-12 else { return false }
        let d = dimension
        let spread = tolerance.squareRoot()
        for i in 0...d where i != best {
            for j in 0..<d where abs(vertices[i * d + j] - vertices[best * d + j]) > spread { return false }
        }
        return true
    }
}
