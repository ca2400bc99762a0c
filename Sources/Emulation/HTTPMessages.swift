import JSON
import SigV4

/// One HTTP request as the router sees it (the body already collected).
struct HTTPRequest: Sendable {
    var method: String
    /// Raw path, as on the wire (percent-encoded).
    var path: String
    /// Raw query string, without '?'.
    var query: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    /// The body exceeded the payload limit and was dropped.
    var bodyTooLarge = false

    init(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8], bodyTooLarge: Bool = false) {
        self.method = method
        if let q = uri.firstIndex(of: "?") {
            path = String(uri[..<q])
            query = String(uri[uri.index(after: q)...])
        } else {
            path = uri
            query = ""
        }
        self.headers = headers
        self.body = body
        self.bodyTooLarge = bodyTooLarge
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) }?.value
    }

    /// Query parameters, percent-decoded.
    var queryItems: [(String, String)] {
        query.split(separator: "&").map { item in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (PercentEncoding.decode(String(parts[0])), parts.count > 1 ? PercentEncoding.decode(String(parts[1])) : "")
        }
    }
}

extension String {
    fileprivate func caseInsensitiveCompare(_ other: String) -> Bool {
        self.utf8.count == other.utf8.count && self.lowercased() == other.lowercased()
    }
}

/// One HTTP response.
struct HTTPReply: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ body: [UInt8], contentType: String = "application/json", requestId: String) -> HTTPReply {
        HTTPReply(status: status, headers: [("Content-Type", contentType), ("x-amzn-RequestId", requestId)], body: body)
    }
}

/// AWS's error responses, in each protocol's shape.
enum AWSError {
    /// Lambda (REST-JSON): status, `x-amzn-ErrorType`, body `{"Type", "message"}`.
    static func lambda(
        _ status: Int, _ type: String, _ message: String, requestId: String,
        extraHeaders: [(name: String, value: String)] = []
    ) -> HTTPReply {
        let body = jsonObject { w in
            w.key("Type")
            w.string(status >= 500 ? "Service" : "User")
            w.key("message")
            w.string(message)
        }
        return HTTPReply(
            status: status,
            headers: [("Content-Type", "application/json"), ("x-amzn-RequestId", requestId), ("x-amzn-ErrorType", type)] + extraHeaders,
            body: body)
    }

    /// CloudWatch Logs (JSON 1.1): status 400 (500 for service faults), body `{"__type", "message"}`.
    static func logs(_ type: String, _ message: String?, requestId: String, status: Int = 400) -> HTTPReply {
        let body = jsonObject { w in
            w.key("__type")
            w.string(type)
            if let message {
                w.key("message")
                w.string(message)
            }
        }
        return HTTPReply(
            status: status, headers: [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", requestId)], body: body)
    }

    /// API Gateway: `{"message": ...}`.
    static func gateway(_ status: Int, _ message: String, requestId: String, errorType: String? = nil) -> HTTPReply {
        let body = jsonObject { w in
            w.key("message")
            w.string(message)
        }
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("x-amzn-RequestId", requestId)]
        if let errorType { headers.append(("x-amzn-ErrorType", errorType)) }
        return HTTPReply(status: status, headers: headers, body: body)
    }
}
