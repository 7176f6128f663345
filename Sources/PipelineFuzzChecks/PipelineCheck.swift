import FuzzChecks
import RiskEngine

/// The pipeline loader's input: the YAML text (input that is not UTF-8 is skipped, as `riskstream run`
/// refuses it before parsing).
///
/// Checked: loading never traps; an accepted pipeline is one the engine takes (`Pipeline.problem` is
/// nil) and loads the same twice; a rejected one has a reason, a line and column inside the text when
/// it names them, and a short one-line message (not an echo of the file).
public func checkPipeline(_ input: UnsafeRawBufferPointer) -> [String] {
    guard let text = String(validating: input, as: UTF8.self) else { return [] }
    let pipeline: Pipeline
    do {
        pipeline = try Pipeline.load(yaml: text, source: "fuzz.yaml")
    } catch {
        var problems: [String] = []
        if error.reason.isEmpty { problems.append("error without a reason at '\(error.path)'") }
        let lines = text.utf8.count { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") } + 1  // YAML: CR too
        if let line = error.line, line < 0 || line > lines + 1 {
            problems.append("line \(line) of a \(lines)-line text")
        }
        if let column = error.column, column < 0 || column > text.utf8.count + 1 {
            problems.append("column \(column) of a \(text.utf8.count)-byte text")
        }
        if let problem = messageProblem(error.description, limit: 1_000) { problems.append(problem) }
        return problems
    }
    var problems: [String] = []
    if let problem = pipeline.problem { problems.append("accepted a pipeline the engine refuses: \(problem)") }
    if let again = try? Pipeline.load(yaml: text, source: "fuzz.yaml"), again != pipeline {
        problems.append("loading twice gave two pipelines")
    }
    return problems
}
