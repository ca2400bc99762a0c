import Foundation
import Hashing
import JSON
import RecordSchema
import ToolSupport

/// The whole report: reads the inputs, aggregates them, and lays out one self-contained
/// HTML page (inline CSS and SVG only: no scripts, fonts or requests to anywhere).
public struct ReportDocument {
    public var models: ModelsFile?
    public var run: RunData
    public var inputs: [InputFile]
    /// Problems with the inputs that do not stop the report (shown at the top).
    public var notes: [String]
    /// `report --compare` and `--history`: sections across runs (empty = none).
    public var acrossRuns = AcrossRuns(comparison: nil, trends: [:])
    /// Closed loops, ramps and cold-start sweeps (empty when the run had none).
    public var experiments = Experiments()

    public init(models: ModelsFile?, run: RunData, inputs: [InputFile], notes: [String]) {
        self.models = models
        self.run = run
        self.inputs = inputs
        self.notes = notes
    }

    /// Reads models.json, logs.ndjson and (optionally) invocations.ndjson.
    /// Malformed input throws InputError (file:line: field: problem).
    public static func load(modelsPath: String, logsPath: String, invocationsPath: String?) throws -> ReportDocument {
        let (models, modelsBytes) = try readModels(modelsPath)
        let (run, files) = try RunData.load(logsPath: logsPath, invocationsPath: invocationsPath)
        let inputs = [InputFile(role: "models", path: modelsPath, bytes: modelsBytes.count, sha256: SHA256.hex(modelsBytes))] + files
        var notes: [String] = []
        if run.logRecords == 0 { notes.append("\(logsPath) has no log records: there are no measurements to show.") }
        if let m = models, m.functions.isEmpty { notes.append("\(modelsPath) has no function models: no recommendation can be made.") }
        if let m = models {
            notes += m.warnings
            // The models should have been fitted on these very logs.
            if let logs = inputs.first(where: { $0.role == "logs" }),
                let fitted = m.provenance.inputs.first(where: { $0.sha256 != logs.sha256 && $0.records["log"] != nil }),
                !m.provenance.inputs.contains(where: { $0.sha256 == logs.sha256 })
            {
                notes.append(
                    "models.json was fitted on \(fitted.path) (sha256 \(fitted.sha256.prefix(12))…), not on \(logsPath): the models and the measurements may not match."
                )
            }
        }
        var document = ReportDocument(models: models, run: run, inputs: inputs, notes: notes)
        // A second look, at the closed loops' lines only; standard input cannot be read twice.
        if logsPath != "-", invocationsPath != "-" {
            document.experiments = try Experiments.load(logsPath: logsPath, invocationsPath: invocationsPath)
        }
        return document
    }

    /// The parsed models (nil for an empty file) and the file's bytes, for provenance.
    static func readModels(_ path: String) throws -> (ModelsFile?, [UInt8]) {
        let data: Data
        do {
            data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw InputError(file: path, problem: "cannot read: \((error as NSError).localizedDescription)")
        }
        // An empty file (fit failed, or was skipped) still gives a report of the measurements.
        guard data.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return (nil, Array(data)) }
        // Our own parser first: its errors carry the line; the decoder's only the field.
        let tree: JSONNode
        do { tree = try JSONTree.parse(Array(data)) } catch let e as JSONSyntaxError {
            throw InputError(file: path, line: e.line, field: e.path.isEmpty ? nil : e.path, problem: "not valid JSON: \(e.problem)")
        }
        do {
            let m = try JSONDecoder().decode(ModelsFile.self, from: data)
            guard m.format == ModelsFile.formatName else {
                throw InputError(
                    file: path, line: tree["format"]?.line, field: "format",
                    problem: "expected \"\(ModelsFile.formatName)\", found \"\(m.format)\"")
            }
            return (m, Array(data))
        } catch let e as InputError {
            throw e
        } catch let e as DecodingError {
            let field = Self.fieldPath(e)
            throw InputError(
                file: path, line: Self.line(of: e, in: tree), field: field.isEmpty ? "models" : field, problem: Self.problem(e))
        }
    }

    /// The line of the value a decoding error is about (of its object, for a missing key).
    static func line(of e: DecodingError, in tree: JSONNode) -> Int? {
        let path: [CodingKey]
        switch e {
        case .keyNotFound(_, let c), .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        @unknown default: return nil
        }
        var node = tree
        for key in path {
            if let index = key.intValue, let items = node.array, items.indices.contains(index) {
                node = items[index]
            } else if let child = node[key.stringValue] {
                node = child
            } else {
                break
            }
        }
        return node.line
    }

    /// A Swift type as the JSON it stands for ("a number", not "Double").
    static func jsonKind(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Double.Type, is Int64.Type, is UInt64.Type, is Float.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    static func fieldPath(_ e: DecodingError) -> String {
        let path: [CodingKey]
        switch e {
        case .keyNotFound(let key, let c): path = c.codingPath + [key]
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        @unknown default: path = []
        }
        return path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(
            in: CharacterSet(charactersIn: "."))
    }

    static func problem(_ e: DecodingError) -> String {
        switch e {
        case .keyNotFound: "missing"
        case .typeMismatch(let t, _): "expected \(jsonKind(t))"
        case .valueNotFound(let t, _): "expected \(jsonKind(t)), found null"
        case .dataCorrupted(let c): c.debugDescription
        @unknown default: "invalid"
        }
    }

    // MARK: Rendering

    public var functionNames: [String] {
        var names = Set(run.functionNames)
        for f in models?.functions ?? [] { names.insert(f.function) }
        return names.sorted()
    }

    public func render() -> String {
        var out = ""
        out.reserveCapacity(1 << 20)
        let title = "rightsize report" + (run.header.map { ": " + $0.run } ?? "")
        out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<meta name=\"color-scheme\" content=\"light dark\">\n"
        out += "<meta name=\"generator\" content=\"rightsize report \(RightsizeVersion.current)\">\n"
        out += "<title>\(HTML.escape(title))</title>\n<style>\n\(PageStyle.css)\n</style>\n</head>\n<body>\n<main>\n"
        out += "<header><h1>\(HTML.escape(title))</h1>\n"
        out += "<p class=\"muted\">Memory sizing for \(functionNames.count) function\(functionNames.count == 1 ? "" : "s")"
        if let h = run.header {
            out += " · seed \(h.seed) · memory sizes \(HTML.escape(h.memorySizes.map(String.init).joined(separator: ", "))) MB"
        }
        out += " · \(Fmt.count(run.logRecords)) REPORT lines"
        if let p = models?.pricing { out += " · prices: \(HTML.escape(p.architecture)) \(HTML.escape(p.region))" }
        out += "</p>\n"
        for n in notes { note(&out, n) }
        if models == nil { note(&out, "The models file is empty: no recommendations, only the measurements.") }
        out += "<nav class=\"toc\">"
        for name in functionNames { out += "<a href=\"#\(HTML.anchor("fn", name))\">\(HTML.escape(name))</a>" }
        if acrossRuns.comparison != nil { out += "<a href=\"#compare\">Compared</a>" }
        if !acrossRuns.trends.isEmpty { out += "<a href=\"#history\">History</a>" }
        let experimentsSection = ExperimentsSection(experiments: experiments, responseFields: models?.responseFields ?? [])
        if !experimentsSection.isEmpty { out += "<a href=\"#experiments\">Experiments</a>" }
        out += "<a href=\"#run\">The run</a></nav>\n</header>\n"
        summaryTable(into: &out)
        acrossRuns.render(into: &out)
        let waits = Dictionary(run.logWaits.map { ($0.function, $0) }, uniquingKeysWith: { a, _ in a })
        for name in functionNames {
            FunctionSection(
                name: name, run: run.functions[name], models: models?.functions.filter { $0.function == name } ?? [],
                pricing: models?.pricing, options: models?.options, logWait: waits[name]
            )
            .render(into: &out)
        }
        experimentsSection.render(into: &out)
        RunSection(data: run, inputs: inputs).render(into: &out)
        out +=
            "<footer class=\"muted\"><p>Generated by rightsize report \(RightsizeVersion.current) from the files listed under Provenance. Self-contained: no scripts and no external resources.</p></footer>\n"
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    /// All functions at a glance, before the details.
    func summaryTable(into out: inout String) {
        guard let models, !models.functions.isEmpty else { return }
        var rows: [[String]] = []
        for name in functionNames {
            guard
                let m = models.functions.first(where: { $0.function == name && $0.payloadGroup == "all" })
                    ?? models.functions.first(where: { $0.function == name })
            else {
                rows.append([name, "–", "–", "–", "–", "no model"])
                continue
            }
            let r = m.recommendations
            let main = r?.underLatencyBound ?? r?.balanced ?? r?.cheapest ?? r?.fastest
            rows.append([
                name, main.map { "\($0.memoryMB) MB" } ?? "–", m.currentMemoryMB.map { "\($0) MB" } ?? "–",
                main.map { Fmt.dollars($0.costPerMillionUSD) } ?? "–",
                main.flatMap { $0.savingVsCurrentPct }.map { Fmt.fixed($0, 1) + "%" } ?? "–",
                main.map { Fmt.ms($0.durationMs) } ?? "no recommendation",
            ])
        }
        out += "<h2>Summary</h2>\n"
        DataTable(
            headers: ["function", "recommended", "current", "cost per 1M", "saving", "mean duration"],
            rows: rows, numeric: [3, 4, 5]
        ).render(into: &out, caption: nil, collapsed: false)
    }
}
