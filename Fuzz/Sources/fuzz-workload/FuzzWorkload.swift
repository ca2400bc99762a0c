import FuzzSupport
import Planning

#if canImport(Glibc)
import Glibc
#endif

// plan's workload parser (`WorkloadParser.parse`, docs/workload.md). The input is a workload
// file; bytes after its first NUL (never in JSON) become the file `input.trace`, which the
// workload may name as a trace or payload file, so the trace readers are fuzzed too.
// Relative paths resolve in a scratch directory that also links data/traces and
// data/payloads, so the seed workloads from data/ parse as they do in the repository.

private let base: String = {
    var template = Array("/tmp/rightsize-fuzz-workload.XXXXXX".utf8CString)
    guard let dir = mkdtemp(&template) else { FuzzInput.fail("mkdtemp") }
    let path = String(cString: dir)
    for name in ["traces", "payloads"] { symlink(FuzzInput.repositoryRoot + "/data/" + name, path + "/" + name) }
    scratch = path
    atexit {
        if let scratch { system("rm -rf '\(scratch)'") }
    }
    return path
}()
nonisolated(unsafe) private var scratch: String?

private func writeTrace(_ bytes: UnsafeBufferPointer<UInt8>) {
    let fd = open(base + "/input.trace", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { FuzzInput.fail("cannot write input.trace") }
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        guard n > 0 else { break }
        done += n
    }
    close(fd)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    let cut = input.firstIndex(of: 0) ?? size
    writeTrace(UnsafeBufferPointer(rebasing: input[min(cut + 1, size)...]))
    let workload = Array(input[..<cut])
    do {
        _ = try WorkloadParser(file: "fuzz.json", baseDirectory: base).parse(workload)
    } catch {
        _ = "\(error)"  // the one-line message is built for every error
    }
    return 0
}

@main
enum Main {
    static func main() { FuzzInput.main { fuzz($0!, $1) } }
}
