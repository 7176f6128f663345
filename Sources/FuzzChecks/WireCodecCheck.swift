import MarketEvents

/// The wire codec's input: the topic up to the first `\n`, the payload after it (no `\n`: all payload,
/// empty topic). Seeds read as they are sent: `tick.AAPL\n{"symbol":"AAPL",...}`.
///
/// Checked: decoding never traps; a rejected frame's error has a detail, an offset inside the payload
/// and a one-line message; an accepted event's topic agrees with the frame's, and the event re-encodes,
/// in JSON and in binary, to payloads that decode to the same event (the JSON one canonically: encoding
/// the decoded event again gives the same bytes).
public func checkWireCodec(_ input: UnsafeRawBufferPointer) -> [String] {
    let newline = input.firstIndex(of: UInt8(ascii: "\n"))
    let topic = newline.map { Array(input[..<$0]) } ?? []
    let payload = newline.map { Array(input[($0 + 1)...]) } ?? Array(input)
    let codec = WireCodec()
    let event: WireEvent
    do {
        event = try codec.decode(topic: topic, payload: payload)
    } catch {
        var problems: [String] = []
        if error.detail.isEmpty { problems.append("\(error.reason) without a detail") }
        if let offset = error.offset, offset < 0 || offset > payload.count {
            problems.append("offset \(offset) outside the \(payload.count)-byte payload")
        }
        if let problem = messageProblem(error.description, limit: 600) { problems.append(problem) }
        return problems
    }
    var problems: [String] = []
    let topicText = String(decoding: topic, as: UTF8.self)
    if case .news(let news) = event {
        if !topicText.hasPrefix("news.") || !news.symbols.contains(String(topicText.dropFirst(5))) {
            problems.append("news accepted on topic '\(topicText)' whose key is not one of \(news.symbols)")
        }
    } else if event.topic != topicText {
        problems.append("event topic '\(event.topic)' accepted on topic '\(topicText)'")
    }
    let json = WireCodec.encodeJSON(event)
    do {
        let again = try codec.decode(topic: topic, payload: json)
        if again != event { problems.append("JSON round trip changed the event: \(event) -> \(again)") }
        if WireCodec.encodeJSON(again) != json { problems.append("JSON encoding not canonical") }
    } catch {
        problems.append("own JSON rejected: \(error): \(String(decoding: json, as: UTF8.self))")
    }
    let binary = WireCodec.encodeBinary(event)
    do {
        let again = try codec.decode(topic: topic, payload: binary)
        if again != event { problems.append("binary round trip changed the event: \(event) -> \(again)") }
    } catch {
        problems.append("own binary rejected: \(error)")
    }
    return problems
}
