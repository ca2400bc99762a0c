import FuzzSupport
import JSON
import RecordSchema

// The record decoder every stage reads NDJSON with (`Record.decode`, docs/records.md): each
// line of the input is one record. A decoded record must write back as a line that decodes
// to a record that writes the same line again (the writer and the reader agree; the first
// write may round, e.g. milliseconds to three decimals).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.forEachLine(UnsafeBufferPointer(start: data, count: size)) { line in
        let record: Record
        do {
            record = try Record.decode(line)
        } catch {
            _ = "\(error)"
            return
        }
        var w = JSONWriter()
        record.write(to: &w)
        let again: Record
        do {
            again = try w.bytes.dropLast().withUnsafeBufferPointer { try Record.decode($0) }
        } catch {
            FuzzInput.fail("a decoded record does not read back: \(error)\n\(String(decoding: w.bytes, as: UTF8.self))")
        }
        var w2 = JSONWriter()
        again.write(to: &w2)
        if w2.bytes != w.bytes {
            FuzzInput.fail("a written record reads back different:\n\(record)\n\(again)")
        }
    }
    return 0
}

@main
enum Main {
    static func main() { FuzzInput.main { fuzz($0!, $1) } }
}
