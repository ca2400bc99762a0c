import Foundation
import SigV4
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client over a real socket, so tests can send exactly the
/// bytes they mean (malformed requests included) and see exactly what comes back.
final class RawHTTP {
    struct Response {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw Failure(description: "connect: \(errno)")
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send: \(errno)") }
            offset += n
        }
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, 65536, 0) }
        if n <= 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// Reads one response (Content-Length bodies, or until close).
    func readResponse() throws -> Response {
        var headerEnd: Int? = nil
        while headerEnd == nil {
            if let r = findCRLFCRLF() {
                headerEnd = r
                break
            }
            guard try fill() else { throw Failure(description: "connection closed before a response") }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        buffer.removeFirst(headerEnd! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line \(head)") }
        let headers = lines.compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        if status == 100 { return try readResponse() }
        if status == 204 || status == 304 { return Response(status: status, headers: headers, body: []) }
        let length = headers.first { $0.0.lowercased() == "content-length" }.flatMap { Int($0.1) }
        if let length {
            while buffer.count < length { guard try fill() else { throw Failure(description: "short body") } }
            let body = Array(buffer[0..<length])
            buffer.removeFirst(length)
            return Response(status: status, headers: headers, body: body)
        }
        while try fill() {}
        defer { buffer = [] }
        return Response(status: status, headers: headers, body: buffer)
    }

    private func findCRLFCRLF() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
            return i
        }
        return nil
    }

    /// Builds request bytes; signs them with SigV4 when `credentials` is given.
    static func request(
        _ method: String, _ path: String, port: Int, headers: [(String, String)] = [], body: [UInt8] = [],
        sign credentials: AWSCredentials? = nil, service: String = "lambda", date: Date = Date()
    ) -> [UInt8] {
        let (rawPath, query) = path.firstIndex(of: "?").map { (String(path[..<$0]), String(path[path.index(after: $0)...])) } ?? (path, "")
        var signable = SignableRequest(
            method: method, path: rawPath, query: query,
            headers: [("Host", "127.0.0.1:\(port)")] + headers.map { (name: $0.0, value: $0.1) }, body: body)
        if let credentials {
            SigV4Signer(credentials: credentials, region: "us-east-1", service: service).sign(&signable, date: date)
        }
        var text = "\(method) \(path) HTTP/1.1\r\n"
        for h in signable.headers { text += "\(h.name): \(h.value)\r\n" }
        text += "Content-Length: \(body.count)\r\n\r\n"
        return Array(text.utf8) + body
    }

    /// One request on a fresh connection.
    static func exchange(
        _ method: String, _ path: String, port: Int, headers: [(String, String)] = [], body: [UInt8] = [],
        sign credentials: AWSCredentials? = RawHTTP.localCredentials, service: String = "lambda",
        date: Date = Date()
    ) throws -> Response {
        let client = try RawHTTP(port: port)
        try client.send(request(method, path, port: port, headers: headers, body: body, sign: credentials, service: service, date: date))
        return try client.readResponse()
    }

    static let localCredentials = AWSCredentials(accessKeyId: "AKIDLOCALEMULATOR", secretAccessKey: "local-emulator-secret-key")

    // Conveniences for the two APIs.
    static func invoke(
        _ function: String, _ payload: String, port: Int, type: String = "RequestResponse", tail: Bool = true,
        sign: AWSCredentials? = localCredentials
    ) throws -> Response {
        try exchange(
            "POST", "/2015-03-31/functions/\(function)/invocations", port: port,
            headers: [("X-Amz-Invocation-Type", type), ("X-Amz-Log-Type", tail ? "Tail" : "None"), ("Content-Type", "application/json")],
            body: Array(payload.utf8), sign: sign)
    }

    static func logs(_ operation: String, _ body: String, port: Int, sign: AWSCredentials? = localCredentials) throws -> Response {
        try exchange(
            "POST", "/", port: port,
            headers: [("X-Amz-Target", "Logs_20140328.\(operation)"), ("Content-Type", "application/x-amz-json-1.1")],
            body: Array(body.utf8), sign: sign, service: "logs")
    }
}

extension RawHTTP.Response {
    /// The invocation's log from `X-Amz-Log-Result`.
    var tailLog: String { TailLog.decode(header("X-Amz-Log-Result")) }

    /// The REPORT line's fields (`Duration` -> "26.73 ms", ...).
    var report: [String: String] { TailLog.report(tailLog) }

    func reportNumber(_ field: String) -> Double? { TailLog.number(report[field]) }
}
