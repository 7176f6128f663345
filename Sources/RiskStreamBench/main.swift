// riskstream-bench: the engine and its codec measured against the transport they run on, in one run.
//
//   swift build -c release --product riskstream-bench && .build/release/riskstream-bench [codec|engine|all] [--quick]
//
// codec:  ns/event for JSON and binary decode+validate and encode, next to bare libzmq PUB/SUB msgs/s.
// engine: engine events/s over tcp loopback with the learning stage off, on with sgd, and on with the
//         default sgd + arf, next to bare libzmq PUB→SUB moving the same frames; tick-to-alert latency
//         percentiles at a fixed rate, learning off and on, next to a bare relay.
// soak:   `riskstream-bench soak [--ticks N] [--models LIST]`, flat memory over N simulated ticks
//         (Bench+Soak.swift).
// fuzz-live: `riskstream-bench fuzz-live [--frames N] [--seed S]`, hostile frames with good events
//         interleaved into a live `riskstream run`, its counters checked exact (Bench+FuzzLive.swift).
// journal: `riskstream-bench journal [--records N] [--dir DIR]`, the journal writer's cost per 100-byte
//         record under each fsync policy (Bench+Journal.swift).
// See Options.swift for the flags.
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

if CommandLine.arguments.dropFirst().first == "soak" {
    exit(runSoak(Array(CommandLine.arguments.dropFirst(2))))
}
if CommandLine.arguments.dropFirst().first == "fuzz-live" {
    exit(runFuzzLive(Array(CommandLine.arguments.dropFirst(2))))
}
if CommandLine.arguments.dropFirst().first == "journal" {
    exit(runJournalBench(Array(CommandLine.arguments.dropFirst(2))))
}

guard let options = Options(Array(CommandLine.arguments.dropFirst())) else {
    printError(Options.usage)
    exit(64)
}

let version = Context.libraryVersion
print(
    "riskstream-bench \(options.section.rawValue)\(options.quick ? " --quick" : ""); libzmq "
        + "\(version.major).\(version.minor).\(version.patch)")
print("machine: \(machineNote())")
let started = now()

do {
    if options.section != .engine {
        print("")
        try CodecBench(quick: options.quick).run()
    }
    if options.section != .codec {
        print("")
        let throughput = try runThroughput(options)
        print("")
        print("machine: \(machineNote())")
        print("")
        let latency = try runLatency(options)
        print("")
        let ratios = throughput.filter { !$0.isBare }.map {
            "\($0.name.replacingOccurrences(of: "engine, ", with: "")) (\($0.format)) \(fixed($0.ratio, 2))×"
        }
        let percentiles = { (h: Histogram) in
            [50.0, 99, 99.9].map { fixed(Double(h.value(atPercentile: $0)) / 1000, 1) }.joined(separator: "/")
        }
        print("summary: engine ÷ bare libzmq throughput: \(ratios.joined(separator: "; "))")
        print(
            "  tick-to-alert p50/p99/p99.9 µs: engine, learning off \(percentiles(latency[1].histogram)); "
                + "learning on \(percentiles(latency[2].histogram)); bare relay \(percentiles(latency[0].histogram))")
    }
} catch {
    printError("riskstream-bench: \(error)")
    exit(70)
}
print("")
print("machine: \(machineNote()); took \(fixed(Double(now() - started) / 1e9, 1)) s")
