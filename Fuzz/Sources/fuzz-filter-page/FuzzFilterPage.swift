import FuzzSupport
import LogCollection

// await-logs' reader of FilterLogEvents answers (`FilterLogEventsPage.parse`; also what
// `aws logs filter-log-events` prints), and each event's message through the REPORT parser,
// as the collector does.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withExactCopy(UnsafeBufferPointer(start: data, count: size)) { body in
        do {
            let page = try FilterLogEventsPage.parse(body)
            for event in page.events { _ = ReportLineParser.parse(event.message) }
        } catch {
            _ = "\(error)"
        }
    }
    return 0
}

@main
enum Main {
    static func main() { FuzzInput.main { fuzz($0!, $1) } }
}
