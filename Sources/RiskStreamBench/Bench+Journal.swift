import Journal

#if canImport(Glibc)
    import Glibc
#endif

/// `riskstream-bench journal [--records N] [--dir DIR]`: the journal writer's cost for 100-byte records
/// (a 9-byte tick topic, a 59-byte payload, 32 bytes of framing and checksum) under each fsync policy.
///
/// Per policy, into a fresh directory under DIR (default /tmp), two runs of N appends from this thread:
/// - append ns: the producer's time per `append` (what the engine's ingest thread pays), with a queue
///   large enough for all N records, so it never waits for the writer thread;
/// - written ns/record and MB/s: with the default 16 MiB queue and `whenFull: .block` (nothing dropped),
///   first append → `close()` returned (every record written, and synced unless the policy is `os`)
///   over N records and their bytes: the writer thread's sustained rate.
/// Then `always` with one record per batch: the time from append to its `fdatasync` returning.
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
    print(
        pad("fsync policy", 16) + padLeft("append ns", 12) + padLeft("written ns/rec", 16) + padLeft("MB/s", 10)
            + padLeft("fdatasyncs", 12) + padLeft("dropped", 9))
    let topic = Array("tick.AAPL".utf8)
    var payload = [UInt8](repeating: 0, count: 59)
    for policy in [FsyncPolicy.os, .everyMilliseconds(100), .everyRecords(10_000), .always] {
        let dir = base + "/riskstream-bench-journal-\(getpid())-\(policy.description.replacing(":", with: "-"))"
        var times: [(start: Int64, appended: Int64, done: Int64)] = []
        var writer: JournalWriter?
        for queueBytes in [records * 100 + (1 << 20), 16 << 20] {
            let w: JournalWriter
            do {
                w = try JournalWriter(
                    directory: dir, options: .init(fsync: policy, queueBytes: queueBytes, whenFull: .block))
            } catch {
                printError("riskstream-bench: \(error)")
                return 70
            }
            let start = now()
            for k in 0..<records {
                payload[0] = UInt8(truncatingIfNeeded: k)
                payload.withUnsafeBytes { p in
                    topic.withUnsafeBytes { t in _ = w.append(topic: t, payload: p, receiveTime: Int64(k)) }
                }
            }
            let appended = now()
            w.close()
            times.append((start, appended, now()))
            writer = w
            if let error = w.lastError { print("  error: \(error)") }
            for segment in (try? JournalDirectory.segments(dir)) ?? [] { unlink(segment.path) }
        }
        let (start, _, done) = times[1]
        let writer_ = writer!
        let bytes = Double(writer_.bytesWritten.load(ordering: .relaxed))
        let seconds = Double(done - start) / 1e9
        let appendNs = Double(times[0].appended - times[0].start) / Double(records)
        print(
            pad(policy.description, 16) + padLeft(fixed(appendNs, 1), 12)
                + padLeft(fixed(Double(done - start) / Double(records), 1), 16)
                + padLeft(fixed(bytes / seconds / 1e6, 1), 10)
                + padLeft("\(writer_.syncs.load(ordering: .relaxed))", 12)
                + padLeft("\(writer_.dropped.load(ordering: .relaxed))", 9))
        rmdir(dir)
    }
    // `always` one record at a time: append, wait until it is synced, again. The cost of a durable
    // record when the feed is slow enough for every batch to be a single record.
    let dir = base + "/riskstream-bench-journal-\(getpid())-one"
    guard let writer = try? JournalWriter(directory: dir, options: .init(fsync: .always)) else { return 70 }
    let rounds = 200
    let start = now()
    for k in 1...rounds {
        payload.withUnsafeBytes { p in
            topic.withUnsafeBytes { t in _ = writer.append(topic: t, payload: p, receiveTime: Int64(k)) }
        }
        while writer.lastSynced.load(ordering: .relaxed) < UInt64(k) && writer.lastError == nil { usleep(5) }
    }
    let elapsed = now() - start
    writer.close()
    print(
        "always, one record per batch: \(fixed(Double(elapsed) / Double(rounds) / 1000, 1)) µs per durable record "
            + "(append → fdatasync returned; \(rounds) records, \(writer.syncs.load(ordering: .relaxed)) fdatasyncs)")
    for segment in (try? JournalDirectory.segments(dir)) ?? [] { unlink(segment.path) }
    rmdir(dir)
    return 0
}
