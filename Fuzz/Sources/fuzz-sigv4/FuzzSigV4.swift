import Foundation
import FuzzSupport
import SigV4

// Signature V4: the canonicalizer (through `SigV4Signer`) and the verifier the emulator runs
// on every AWS-API request (`SigV4Verifier.verify`). The input is a request in the AWS test
// suite's text form (`METHOD target HTTP/1.1`, header lines, a blank line, the body), as in
// ../shared/refdata/sigv4. The request is verified as it is (any answer but a crash is
// right), then signed and verified again, which must say `.valid` whenever the request is
// one HTTP can carry (token header names, a Host header) and does not bring its own
// x-amz-content-sha256 (the signer hashes the body whatever that header says).

private let accessKey = "AKIDEXAMPLE"
private let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
private let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z, the suite's

private func parseRequest(_ raw: String) -> SignableRequest {
    var lines = raw.split(separator: "\n", omittingEmptySubsequences: false)
    let first = lines.isEmpty ? "" : lines.removeFirst()
    let method = String(first.prefix { $0 != " " })
    var target = first.dropFirst(method.count + 1)
    if target.hasSuffix(" HTTP/1.1") { target = target.dropLast(" HTTP/1.1".count) }
    let (path, query) =
        target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (String(target), "")
    var headers: [(name: String, value: String)] = []
    var body: [Substring] = []
    var inBody = false
    for line in lines {
        if inBody {
            body.append(line)
        } else if line.isEmpty {
            inBody = true
        } else if line.first == " " || line.first == "\t", !headers.isEmpty {
            headers[headers.count - 1].value += "\n" + line
        } else if let colon = line.firstIndex(of: ":") {
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
    }
    return SignableRequest(method: method, path: path, query: query, headers: headers, body: Array(body.joined(separator: "\n").utf8))
}

private func isToken(_ s: String) -> Bool {
    !s.isEmpty
        && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var request = parseRequest(String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self))
    let lookup: (String) -> String? = { $0 == accessKey ? secret : nil }
    _ = SigV4Verifier.verify(request, now: date, secretFor: lookup)
    if let sent = request.header("X-Amz-Date") { _ = AmzDate.parse(sent) }

    guard request.headers.allSatisfy({ isToken($0.name) }), request.header("host") != nil,
        request.header("x-amz-content-sha256") == nil
    else { return 0 }
    let signer = SigV4Signer(
        credentials: AWSCredentials(accessKeyId: accessKey, secretAccessKey: secret), region: "us-east-1", service: "service")
    signer.sign(&request, date: date)
    let outcome = SigV4Verifier.verify(request, now: date, secretFor: lookup)
    guard outcome == .valid(accessKeyId: accessKey) else {
        FuzzInput.fail("a request signed by SigV4Signer does not verify: \(outcome)\n\(request.headers)")
    }
    return 0
}

@main
enum Main {
    static func main() { FuzzInput.main { fuzz($0!, $1) } }
}
