import ArgumentParser
import MarketEvents
import RiskEngine
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print what a ZeroMQ PUB socket emits, one JSON line per message.",
        discussion: """
            Each line is {"topic": ..., "payload": {...}} with the payload in canonical JSON, whether it \
            arrived as JSON or binary. A message that breaks the wire contract prints as \
            {"topic": ..., "error": reason, "field": ..., "detail": ...} and tail keeps going.

            Example:
              riskstream tail --connect tcp://127.0.0.1:5556 --topic alert.
            """
    )

    @Option(help: ArgumentHelp("Endpoint of a PUB socket to connect to (repeatable).", valueName: "endpoint"))
    var connect: [String]

    @Option(help: ArgumentHelp("Topic prefix to subscribe to (repeatable; default: everything).", valueName: "prefix"))
    var topic: [String] = []

    @Option(parsing: .unconditional, help: "Exit after this many messages.")
    var count: Int?

    @Option(parsing: .unconditional, help: "Exit after this many seconds.")
    var duration: Double?

    @Option(parsing: .unconditional, help: "Largest payload accepted, in bytes.")
    var maxMessageSize: Int = WireCodec.defaultMaxPayloadBytes

    func validate() throws {
        guard !connect.isEmpty else { throw ValidationError("give at least one --connect endpoint") }
        if let count, count <= 0 { throw ValidationError("--count must be > 0") }
        if let duration, let problem = durationProblem(duration) { throw ValidationError(problem) }
        guard maxMessageSize > 0 else { throw ValidationError("--max-message-size must be > 0") }
    }

    func run() throws {
        installStopHandlers()
        let context: Context
        let socket: Socket
        do {
            context = try Context()
            socket = try Socket(context, .sub)
            try socket.set(.receiveTimeout(.milliseconds(100)))
            for prefix in topic.isEmpty ? [""] : topic { try socket.subscribe(prefix) }
        } catch {
            throw failure("cannot create the SUB socket: \(error)", ExitStatus.software)
        }
        defer { socket.close() }
        for endpoint in connect {
            do { try socket.connect(endpoint) } catch { throw endpointFailure(error) }
        }
        let codec = WireCodec(maxPayloadBytes: maxMessageSize)
        let buffer = MessageBuffer(capacity: 2)
        let deadline = duration.map { EngineClock.monotonicNanoseconds() + Int64($0 * 1e9) }
        var line: [UInt8] = []
        // Lines are batched and written when the socket goes quiet or 64 KiB have gathered.
        var output: [UInt8] = []
        var printed = 0
        while !shouldStop {
            if let count, printed >= count { break }
            if let deadline, EngineClock.monotonicNanoseconds() >= deadline { break }
            let received: Bool
            do {
                received = try socket.receive(into: buffer)
            } catch {
                throw failure("receiving failed: \(error)", ExitStatus.software)
            }
            guard received else {
                writeAll(fd: 1, &output)
                output.removeAll(keepingCapacity: true)
                continue
            }
            line.removeAll(keepingCapacity: true)
            TailLine.render(buffer, codec: codec, into: &line)
            line.append(UInt8(ascii: "\n"))
            output.append(contentsOf: line)
            if output.count >= 1 << 16 {
                writeAll(fd: 1, &output)
                output.removeAll(keepingCapacity: true)
            }
            printed += 1
        }
        writeAll(fd: 1, &output)
    }
}

/// Renders one received message as a JSON line.
enum TailLine {
    static func render(_ buffer: MessageBuffer, codec: WireCodec, into line: inout [UInt8]) {
        let topic = buffer.frame(0)
        line.append(contentsOf: #"{"topic":"#.utf8)
        appendJSONString(String(decoding: topic, as: UTF8.self), to: &line)
        let result: Result<WireEvent, WireError>
        if buffer.frameCount == 2 {
            result = Result { () throws(WireError) in try codec.decode(topic: topic, payload: buffer.frame(1)) }
        } else {
            let frames = (0..<min(buffer.frameCount, buffer.capacity)).map { buffer.copyFrame($0) }
            result = Result { () throws(WireError) in try codec.decode(frames: frames) }
        }
        switch result {
        case .success(let event):
            line.append(contentsOf: #","payload":"#.utf8)
            WireCodec.encodeJSON(event, into: &line)
        case .failure(let error):
            line.append(contentsOf: #","error":"#.utf8)
            appendJSONString(error.reason.rawValue, to: &line)
            if let field = error.field {
                line.append(contentsOf: #","field":"#.utf8)
                appendJSONString(field, to: &line)
            }
            line.append(contentsOf: #","detail":"#.utf8)
            appendJSONString(error.detail, to: &line)
        }
        line.append(UInt8(ascii: "}"))
    }

    /// Appends `text` as a JSON string, escaping quotes, backslashes and control characters. (Topic bytes
    /// that are not UTF-8 were already replaced by U+FFFD when the caller decoded them.)
    static func appendJSONString(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line.append(contentsOf: #"\""#.utf8)
            case "\\": line.append(contentsOf: #"\\"#.utf8)
            case "\n": line.append(contentsOf: #"\n"#.utf8)
            case _ where scalar.value < 0x20:
                let hex = Array("0123456789abcdef".utf8)
                line.append(contentsOf: #"\u00"#.utf8)
                line.append(hex[Int(scalar.value >> 4)])
                line.append(hex[Int(scalar.value & 0xF)])
            default: line.append(contentsOf: String(scalar).utf8)
            }
        }
        line.append(UInt8(ascii: "\""))
    }
}
