import Journal

#if canImport(Glibc)
    import Glibc
#endif

/// `riskstream-bench journal [--records N] [--dir DIR]`: the journal writer's cost for 100-byte records
/// (a 9-byte tick topic, a 59-byte payload, 32 bytes of framing and checksum) under each fsync policy.
///
/// Per policy, into a fresh directory under DIR (default /tmp): N appends from this thread with
/// `whenFull: .block`, so nothing is dropped and the writer thread's sustained rate shows.
/// - append ns: the producer's time per `append` (what the engine's ingest thread pays);
/// - written ns/record and MB/s: first append → `close()` returned (every record written, and synced
///   unless the policy is `os`) over N records and their bytes.
func runJournalBench(_ arguments: [String]) -> Int32 {
    var records = 500_000
    var base = "/tmp"
    var i = 0
    while i < arguments.count {
        switch arguments[i] {
        case "--records" where i + 1 < arguments.count:
            guard let n = Int(arguments[i + 1]), n > 0 else { return 64 }
            records = n
            i += 2
        case "--dir" where i + 1 < arguments.count:
            base = arguments[i + 1]
            i += 2
        default:
            printError("usage: riskstream-bench journal [--records N] [--dir DIR]")
            return 64
        }
    }
    print("journal writer: \(grouped(Double(records))) records of 100 bytes per policy; machine: \(machineNote())")
    print(pad("fsync policy", 16) + padLeft("append ns", 12) + padLeft("written ns/rec", 16) + padLeft("MB/s", 10)
        + padLeft("fdatasyncs", 12) + padLeft("dropped", 9))
    let topic = Array("tick.AAPL".utf8)
    var payload = [UInt8](repeating: 0, count: 59)
    for policy in [FsyncPolicy.os, .everyMilliseconds(100), .everyRecords(10_000), .always] {
        let dir = base + "/riskstream-bench-journal-\(getpid())-\(policy.description.replacing(":", with: "-"))"
        let writer: JournalWriter
        do {
            writer = try JournalWriter(directory: dir, options: .init(fsync: policy, whenFull: .block))
        } catch {
            printError("riskstream-bench: \(error)")
            return 70
        }
        let start = now()
        for k in 0..<records {
            payload[0] = UInt8(truncatingIfNeeded: k)
            payload.withUnsafeBytes { p in
                topic.withUnsafeBytes { t in _ = writer.append(topic: t, payload: p, receiveTime: Int64(k)) }
            }
        }
        let appended = now()
        writer.close()
        let done = now()
        let bytes = Double(writer.bytesWritten.load(ordering: .relaxed))
        let seconds = Double(done - start) / 1e9
        print(
            pad(policy.description, 16) + padLeft(fixed(Double(appended - start) / Double(records), 1), 12)
                + padLeft(fixed(Double(done - start) / Double(records), 1), 16)
                + padLeft(fixed(bytes / seconds / 1e6, 1), 10)
                + padLeft("\(writer.syncs.load(ordering: .relaxed))", 12)
                + padLeft("\(writer.dropped.load(ordering: .relaxed))", 9))
        if let error = writer.lastError { print("  error: \(error)") }
        for segment in (try? JournalDirectory.segments(dir)) ?? [] { unlink(segment.path) }
        rmdir(dir)
    }
    return 0
}
