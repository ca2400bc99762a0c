import FuzzSupport
import LogCollection

// await-logs' parser of Lambda log messages (`ReportLineParser.parse`): text REPORT lines in
// their variants, `Task timed out` lines, XRAY lines, and JSON-format `platform.report`
// events. The whole input is one message (a REPORT event may span lines).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzInput.withExactCopy(UnsafeBufferPointer(start: data, count: size)) { message in
        _ = ReportLineParser.parse(message)
    }
    return 0
}

@main
enum Main {
    static func main() { FuzzInput.main { fuzz($0!, $1) } }
}
