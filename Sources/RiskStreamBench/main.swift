// riskstream-bench: the engine and its codec measured against the transport they run on, in one run.
//
//   swift build -c release --product riskstream-bench && .build/release/riskstream-bench [codec|engine|all] [--quick]
//
// codec:  ns/event for JSON and binary decode+validate and encode, next to bare libzmq PUB/SUB msgs/s.
// engine: engine events/s on binary and JSON ticks over tcp loopback next to bare libzmq PUB→SUB moving
//         the same frames, and tick-to-alert latency percentiles at a fixed rate next to a bare relay.
// soak:   `riskstream-bench soak [--ticks N]`, flat memory over N simulated ticks (Bench+Soak.swift).
// See Options.swift for the flags.
import ZeroMQ

#if canImport(Glibc)
    import Glibc
#endif

if CommandLine.arguments.dropFirst().first == "soak" {
    exit(runSoak(Array(CommandLine.arguments.dropFirst(2))))
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
        let ratios = throughput.map { "\($0.name) \(fixed($0.engine / $0.bare, 2))×" }.joined(separator: ", ")
        let engine = latency[1].histogram
        let relay = latency[0].histogram
        let p = { (h: Histogram, q: Double) in Double(h.value(atPercentile: q)) / 1000 }
        print(
            "summary: engine ÷ bare libzmq throughput: \(ratios); tick-to-alert p50/p99/p99.9 "
                + "\(fixed(p(engine, 50), 1))/\(fixed(p(engine, 99), 1))/\(fixed(p(engine, 99.9), 1)) µs vs bare relay "
                + "\(fixed(p(relay, 50), 1))/\(fixed(p(relay, 99), 1))/\(fixed(p(relay, 99.9), 1)) µs")
    }
} catch {
    printError("riskstream-bench: \(error)")
    exit(70)
}
print("")
print("machine: \(machineNote()); took \(fixed(Double(now() - started) / 1e9, 1)) s")
