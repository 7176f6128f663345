/// What a whole journal holds, read record by record with every checksum checked: what `riskstream
/// journal inspect` prints and what `verify` judges.
public struct JournalSummary: Sendable {
    /// One segment file as read.
    public struct Segment: Sendable {
        public var segment: JournalSegment
        public var records = 0
        public var firstSequence: UInt64?
        public var lastSequence: UInt64?
        public var firstTime: Int64?
        public var lastTime: Int64?
    }

    public var directory: String
    public var segments: [Segment] = []
    public var records = 0
    /// Records of frames the engine rejected (flag bit 0).
    public var rejected = 0
    /// Records journaled right after frames that were not (flag bit 1).
    public var afterDrop = 0
    public var firstTime: Int64?
    public var lastTime: Int64?
    /// Corrupt records, headers and sequence breaks, in file order (reading went on after each).
    public var damage: [JournalError] = []
    /// The torn tail of the last segment, if any.
    public var tornTail: JournalError?

    /// Sound: no damage and no torn tail.
    public var isSound: Bool { damage.isEmpty && tornTail == nil }

    /// Reads the whole journal, skipping over damage to report all of it, and calls `visit` on every
    /// sound record in order.
    /// - Throws: `JournalError` `.io` when the directory or a segment cannot be read.
    /// - Complexity: one read of every segment; O(records) checksums; memory of one segment.
    public static func read(
        _ directory: String, visit: (JournalRecordView) -> Void = { _ in }
    ) throws(JournalError) -> JournalSummary {
        var reader = try JournalReader(directory: directory, skipCorrupt: true)
        var summary = JournalSummary(directory: directory)
        summary.segments = reader.segments.map { Segment(segment: $0) }
        while let record = try reader.next() {
            visit(record)
            summary.records += 1
            if record.isRejected { summary.rejected += 1 }
            if record.flags & JournalFormat.Flag.afterDrop != 0 { summary.afterDrop += 1 }
            summary.firstTime = min(summary.firstTime ?? record.receiveTime, record.receiveTime)
            summary.lastTime = max(summary.lastTime ?? record.receiveTime, record.receiveTime)
            var s = summary.segments[reader.segmentIndex]
            s.records += 1
            s.firstSequence = s.firstSequence ?? record.sequence
            s.lastSequence = record.sequence
            s.firstTime = s.firstTime ?? record.receiveTime
            s.lastTime = record.receiveTime
            summary.segments[reader.segmentIndex] = s
        }
        summary.damage = reader.skipped
        summary.tornTail = reader.tornTail
        return summary
    }
}
