import CurlHTTP
import Foundation
import JSON

/// The AWS error code and message of an error response, whatever its body: the JSON
/// protocols' `__type`/`code` + `message`, the Query and REST-XML protocols'
/// `<Error><Code>…<Message>`, or something that is not AWS at all (an empty body, a proxy's
/// HTML page), which is named by its HTTP status.
enum ErrorBody {
    static func codeAndMessage(_ response: HTTPResponse) -> (code: String, message: String) {
        var code = response.header("x-amzn-ErrorType") ?? ""
        var message = response.header("x-amzn-ErrorMessage") ?? ""
        let body = response.body
        let firstByte = body.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if firstByte == UInt8(ascii: "{"), let json = try? JSONTree.parse(body) {
            let nested = json["Error"]
            if code.isEmpty {
                code =
                    [json["__type"], json["code"], json["Code"], nested?["Code"], json["Type"]]
                    .lazy.compactMap { $0?.string }.first ?? ""
            }
            if message.isEmpty {
                message =
                    [json["message"], json["Message"], nested?["Message"], json["errorMessage"]]
                    .lazy.compactMap { $0?.string }.first ?? ""
            }
        } else if firstByte == UInt8(ascii: "<"), let xml = XMLElement.parse(body), xml.name.lowercased() != "html" {
            if code.isEmpty { code = xml.first(named: "Code")?.text ?? (xml.name == "Code" ? xml.text : "") }
            if message.isEmpty { message = (xml.first(named: "Message") ?? xml.first(named: "message"))?.text ?? "" }
        } else if message.isEmpty, firstByte != nil {
            message = plainText(body)
        }
        // "Name:http://internal..." and "com.amazon.coral#Name" forms.
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        if code.isEmpty { code = reasonCode(response.status) }
        if message.isEmpty && body.isEmpty { message = "empty response body" }
        return (code, oneLine(message))
    }

    /// A page that is not AWS's: its title, else its text without tags, bounded.
    static func plainText(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        if let open = text.range(of: "<title>", options: .caseInsensitive),
            let close = text.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
        {
            return String(text[open.upperBound..<close.lowerBound])
        }
        var out = ""
        var inTag = false
        for ch in text {
            if ch == "<" { inTag = true } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
        }
        return out
    }

    /// Whitespace runs (newlines included) as one space, at most 300 characters.
    static func oneLine(_ text: String) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        let joined = words.joined(separator: " ")
        return joined.count > 300 ? String(joined.prefix(297)) + "..." : joined
    }

    /// The status's reason phrase as a code ("Forbidden", "BadGateway"), for bodies without one.
    static func reasonCode(_ status: Int) -> String {
        let reasons: [Int: String] = [
            400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
            408: "RequestTimeout", 409: "Conflict", 413: "PayloadTooLarge", 429: "TooManyRequests",
            500: "InternalServerError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
        ]
        return reasons[status] ?? "HTTP\(status)"
    }
}
