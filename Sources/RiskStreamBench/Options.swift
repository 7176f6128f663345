/// The command line: `riskstream-bench [codec|engine|all] [--quick] [--rate N] [--alert-every K] [--seconds S]`.
struct Options {
    enum Section: String { case codec, engine, all }

    var section = Section.all
    var quick = false
    /// Ticks per second offered in the latency runs.
    var rate = 10_000.0
    /// Every this many ticks in the latency runs is a crossed quote (one data_quality alert each).
    var alertEvery = 5
    /// Measured seconds per latency run (after a warm-up); `nil`: 8 s, or 2.5 s with `--quick`.
    var latencySeconds: Double?

    static let usage = """
        usage: riskstream-bench [codec|engine|all] [--quick] [--rate TICKS_PER_S] [--alert-every K] [--seconds S]
          codec   codec cost per tick next to bare libzmq PUB/SUB (inproc and tcp loopback)
          engine  engine events/s with learning off, sgd, and sgd + arf (binary ticks; JSON with learning
                  off) next to bare libzmq 2-frame throughput, and tick-to-alert latency at a fixed rate,
                  learning off and on, next to a bare SUB→PUB relay
          all     both (the default)
          --quick fewer runs and shorter measurements
        """

    /// Parses `arguments` (without the program name); `nil` on a usage error.
    init?(_ arguments: [String]) {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "codec", "engine", "all": section = Section(rawValue: argument)!
            case "--quick": quick = true
            case "--rate":
                guard let value = rest.popFirst().flatMap(Double.init), value >= 1, value <= 1_000_000 else {
                    return nil
                }
                rate = value
            case "--alert-every":
                guard let value = rest.popFirst().flatMap(Int.init), value >= 1 else { return nil }
                alertEvery = value
            case "--seconds":
                guard let value = rest.popFirst().flatMap(Double.init), value > 0, value <= 600 else { return nil }
                latencySeconds = value
            default: return nil
            }
        }
    }

    /// Runs per throughput figure (the median is reported).
    var runs: Int { quick ? 3 : 5 }
}
