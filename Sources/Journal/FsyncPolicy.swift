/// When the journal writer asks the kernel to put written records on the disk (`fdatasync`).
///
/// Whatever the policy, a process crash (`kill -9`) loses only the records still in the writer's queue:
/// what `write` has handed to the kernel survives the process. The policy bounds what a power cut or a
/// kernel crash loses on top of that queue:
/// - `always`: nothing written (each batch the writer takes from its queue is synced before the next).
/// - `everyRecords(n)`: at most the last n − 1 written records, plus those written while a sync runs
///   (it runs on a thread of its own: `JournalSyncer`).
/// - `everyMilliseconds(n)`: at most the records written in the last n ms (a timer syncs even when
///   the feed goes quiet), plus those written while a sync runs (on its own thread, as above).
/// - `os`: whatever the kernel has not written back yet (Linux: up to `vm.dirty_expire_centisecs`,
///   30 s by default, or more under memory pressure).
/// Every policy also syncs a segment before rolling to the next one (so only the last segment can have
/// a torn tail) and, except `os`, at close.
public enum FsyncPolicy: Sendable, Hashable, CustomStringConvertible {
    case always
    case everyRecords(Int)
    case everyMilliseconds(Int)
    case os

    /// Parses `always`, `os`, `records:N` or `ms:N` (N ≥ 1).
    public init?(_ text: String) {
        switch text {
        case "always": self = .always
        case "os": self = .os
        default:
            let parts = text.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let n = Int(parts[1]), n >= 1 else { return nil }
            switch parts[0] {
            case "records": self = .everyRecords(n)
            case "ms": self = .everyMilliseconds(n)
            default: return nil
            }
        }
    }

    public var description: String {
        switch self {
        case .always: "always"
        case .os: "os"
        case .everyRecords(let n): "records:\(n)"
        case .everyMilliseconds(let n): "ms:\(n)"
        }
    }
}
