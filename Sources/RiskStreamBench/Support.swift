// Shared helpers: clocks, medians, number formatting, a joinable thread, and the machine note.

#if canImport(Glibc)
    import Glibc
#endif

/// Monotonic nanoseconds, for durations.
func now() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Sleeps until the monotonic clock reads `deadline` (returns at once if it already has).
func sleep(until deadline: Int64) {
    var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil) == EINTR {}
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func padLeft(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

func fixed(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    let frac = abs(scaled % Int(scale))
    guard digits > 0 else { return "\(whole)" }
    let f = String(frac)
    return "\(whole).\(String(repeating: "0", count: digits - f.count))\(f)"
}

func grouped(_ value: Double) -> String {
    let digits = Array(String(Int(value.rounded())))
    var out = ""
    for (i, d) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(d)
    }
    return out
}

/// Writes one line to standard error (short writes are not worth retrying for a usage message).
func printError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// What the machine was doing: online cores and the load averages from /proc/loadavg.
func machineNote() -> String {
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    var load = "unknown"
    if let file = fopen("/proc/loadavg", "r") {
        var line = [CChar](repeating: 0, count: 128)
        if fgets(&line, Int32(line.count), file) != nil {
            let fields = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .split(separator: " ")
            load = fields.prefix(3).joined(separator: " ")
        }
        fclose(file)
    }
    return "\(cores) cores online, load average \(load) (1, 5, 15 min)"
}

/// A value handed from a `Thread` back to its joiner.
final class Box<Value>: @unchecked Sendable {
    // @unchecked: written by the thread before it ends, read by the owner after `join`, which orders them.
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// CPU time each thread of this process has had so far, in nanoseconds, by thread id: the first field
/// of `/proc/self/task/<tid>/schedstat` (time on a CPU, nanosecond resolution). Empty where /proc is
/// missing. - Complexity: one directory scan and one small file read per thread.
func threadCPUNanoseconds() -> [Int: Int64] {
    var out: [Int: Int64] = [:]
    guard let directory = opendir("/proc/self/task") else { return out }
    defer { closedir(directory) }
    var line = [CChar](repeating: 0, count: 96)
    while let entry = readdir(directory) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
        guard let tid = Int(name), let file = fopen("/proc/self/task/\(tid)/schedstat", "r") else { continue }
        defer { fclose(file) }
        guard fgets(&line, Int32(line.count), file) != nil else { continue }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let first = text.split(separator: " ").first, let ns = Int64(first) { out[tid] = ns }
    }
    return out
}
