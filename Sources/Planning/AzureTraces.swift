import NDJSONIO

/// Azure Functions 2019 (`invocations_per_function_md.anon.dNN.csv`): a header
/// `HashOwner,HashApp,HashFunction,Trigger,1,...,1440`, then one row per function with its
/// invocations in each minute of the day. Minute m covers trace seconds [60(m-1), 60m).
enum Azure2019Trace {
    static let keyColumns = ["HashOwner", "HashApp", "HashFunction", "Trigger"]

    /// Finds the row of `function` (and `app`, when given) and checks it whole; returns where
    /// the row starts and the number of minute columns.
    static func locate(_ lines: TraceLines, function: String, app: String?) throws -> (offset: Int, line: Int, minutes: Int)? {
        guard let header = lines.next() else { throw lines.error("header", "the file is empty") }
        var fields = CSVFields(header)
        for name in keyColumns {
            guard let f = fields.next(), f.equals(name) else {
                throw lines.error("header", "expected the Azure Functions 2019 header HashOwner,HashApp,HashFunction,Trigger,1,2,...")
            }
        }
        var minutes = 0
        while let f = fields.next() {
            guard f.equals(String(minutes + 1)) else {
                throw lines.error("header", "minute column \(minutes + 1) is named \"\(f.text)\"")
            }
            minutes += 1
        }
        guard minutes > 0 else { throw lines.error("header", "has no minute columns") }
        var found: (offset: Int, line: Int, app: String)? = nil
        while true {
            let before = lines.position
            guard let line = lines.next() else { break }
            var f = CSVFields(line)
            _ = f.next()
            guard let appField = f.next(), let functionField = f.next() else {
                throw lines.error("HashFunction", "missing: a row needs HashOwner, HashApp, HashFunction, Trigger and \(minutes) counts")
            }
            guard functionField.equals(function), app.map({ appField.equals($0) }) ?? true else { continue }
            let appName = String(decoding: appField, as: UTF8.self)
            if let first = found {
                throw lines.error(
                    "HashFunction",
                    "the function occurs again (first on line \(first.line + 1), app \(first.app)); give trace.app to choose one")
            }
            found = (before.offset, before.line, appName)
        }
        guard let found else { return nil }
        // Check every count of the row now, so no later pass can meet a bad one.
        let row = try AzureMinuteRow(
            lines: TraceLines(file: lines.file, name: lines.name, offset: found.offset, line: found.line), minutes: minutes)
        var counted = 0
        while try row.next() != nil { counted += 1 }
        guard counted == minutes else {
            throw row.lines.error("minute \(counted + 1)", "missing: the header has \(minutes) minute columns")
        }
        return (found.offset, found.line, minutes)
    }
}

/// The counts of one Azure 2019 row, minute by minute (up to `minutes`).
final class AzureMinuteRow: TraceEvents {
    let lines: TraceLines
    var fields: CSVFields
    let minutes: Int
    var minute = 0

    init(lines: TraceLines, minutes: Int) throws {
        self.lines = lines
        self.minutes = minutes
        guard let row = lines.next() else { throw lines.error("row", "the function's row is gone (did the file change?)") }
        fields = CSVFields(row)
        for _ in 0..<4 { _ = fields.next() }
    }

    func next() throws -> TraceEvent? {
        guard minute < minutes, let f = fields.next() else { return nil }
        minute += 1
        guard let count = f.callCount else {
            throw lines.error("minute \(minute)", "must be a count of invocations (an integer >= 0), got \"\(f.text)\"")
        }
        return TraceEvent(timeS: Double(minute - 1) * 60, count: count)
    }
}

/// Azure Functions 2021 (`AzureFunctionsInvocationTraceForTwoWeeksJan2021.txt`): a header
/// `app,func,end_timestamp,duration`, then one row per invocation; seconds from the trace's
/// start. The arrival is end_timestamp - duration. Rows are not in time order (the published
/// sample is not), so the selected function's arrivals are collected and sorted: 8 bytes a call.
enum Azure2021Trace {
    static func arrivals(_ lines: TraceLines, function: String, app: String?) throws -> [Double] {
        guard let header = lines.next() else { throw lines.error("header", "the file is empty") }
        var h = CSVFields(header)
        for name in ["app", "func", "end_timestamp", "duration"] {
            guard let f = h.next(), f.equals(name) else {
                throw lines.error("header", "expected the Azure Functions 2021 header app,func,end_timestamp,duration")
            }
        }
        var times: [Double] = []
        var firstApp: String? = nil
        while let line = lines.next() {
            var f = CSVFields(line)
            guard let appField = f.next(), let funcField = f.next() else { throw lines.error("func", "missing") }
            guard funcField.equals(function), app.map({ appField.equals($0) }) ?? true else { continue }
            if app == nil {
                if let firstApp, !appField.equals(firstApp) {
                    throw lines.error(
                        "func", "the function id occurs in two apps (\(firstApp) and \(appField.text)); give trace.app to choose one")
                }
                if firstApp == nil { firstApp = String(decoding: appField, as: UTF8.self) }
            }
            guard let endField = f.next(), let end = endField.number else {
                throw lines.error("end_timestamp", "must be a number of seconds")
            }
            guard let durationField = f.next(), let duration = durationField.number, duration >= 0 else {
                throw lines.error("duration", "must be a number of seconds >= 0")
            }
            times.append(end - duration)
        }
        times.sort()
        return times
    }
}
