import Foundation
import JSON
import OrderStatistics
import RecordSchema

/// The kept response fields (`response_values` of log lines) gathered per function, memory
/// size and pointer while fit reads its input, summarised into models.json (docs/fit.md).
struct ResponseFieldStats: Sendable {
    struct Key: Hashable, Sendable {
        var function: String
        var memoryMB: Int
        var pointer: String
    }

    struct Values: Sendable {
        var numbers: [Double] = []
        var allNumbers = true
        var missing = 0
        var distinct: Set<String> = []
        var n = 0

        mutating func merge(_ o: Values) {
            numbers += o.numbers
            allNumbers = allNumbers && o.allNumbers
            missing += o.missing
            distinct.formUnion(o.distinct)
            n += o.n
        }
    }

    var byKey: [Key: Values] = [:]

    /// The log line's kept values, under the size Lambda ran it at.
    mutating func add(_ record: LogRecord) {
        let function = record.invocation.call.target.label
        let memory = record.report.memoryMB > 0 ? record.report.memoryMB : record.invocation.call.memoryMB
        for v in record.invocation.responseValues {
            let key = Key(function: function, memoryMB: memory, pointer: v.pointer)
            var values = byKey[key] ?? Values()
            if v.value == .null {
                values.missing += 1
            } else {
                values.n += 1
                values.distinct.insert(v.value.text)
                // true and false count as 1 and 0, so a flag's mean is its share (warm, newcontainer).
                let text = v.value.text
                if text == "true" || text == "false" {
                    values.numbers.append(text == "true" ? 1 : 0)
                } else if let d = DecimalNumber.parse(text), d.isFinite {
                    values.numbers.append(d)
                } else {
                    values.allNumbers = false
                }
            }
            byKey[key] = values
        }
    }

    mutating func merge(_ o: ResponseFieldStats) {
        for (k, v) in o.byKey { byKey[k, default: Values()].merge(v) }
    }

    /// nil when no line kept any field.
    var summaries: [ResponseFieldSummary]? {
        guard !byKey.isEmpty else { return nil }
        return byKey.keys.sorted {
            ($0.function, $0.pointer, $0.memoryMB) < ($1.function, $1.pointer, $1.memoryMB)
        }.map { key in
            let v = byKey[key]!
            var s = ResponseFieldSummary(
                function: key.function, memoryMB: key.memoryMB, pointer: key.pointer, n: v.n, missing: v.missing,
                distinct: v.distinct.count)
            if v.allNumbers, !v.numbers.isEmpty {
                let q = Quantiles(v.numbers)
                // Over the sorted values, so chunks read in parallel give the same bits; then
                // 7 significant digits, as every figure in models.json.
                s.mean = significant(q.mean)
                s.p50 = significant(q(0.5))
                s.p95 = significant(q(0.95))
                s.min = significant(q.sorted.first)
                s.max = significant(q.max)
            }
            return s
        }
    }
}
