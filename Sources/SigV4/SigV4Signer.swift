import Foundation
import Hashing

/// Signs requests with AWS Signature Version 4 (Authorization header form).
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    /// Remove dot segments and repeated slashes from the path before signing (all services but S3).
    public var normalizePath = true
    /// Add and sign `x-amz-content-sha256` (S3 style); other services only hash the body.
    public var signBodyHeader = false
    /// Add the session token after signing instead of signing it (legacy STS behaviour).
    public var omitSessionTokenFromSignature = false

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The artefacts of one signature, for tests and debugging (never includes the secret).
    public struct Signature: Sendable {
        public var canonicalRequest: String
        public var stringToSign: String
        public var signature: String
        public var authorization: String
    }

    /// Adds X-Amz-Date, X-Amz-Security-Token (with a session token) and Authorization.
    public func sign(_ request: inout SignableRequest, date: Date) {
        _ = signature(for: &request, date: date)
    }

    @discardableResult
    public func signature(for request: inout SignableRequest, date: Date) -> Signature {
        let stamp = AmzDate(date)
        // A request signed before (a retry, or one read back from the wire) must not sign its
        // old Authorization header: the verifier would canonicalize the new one instead.
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        request.setHeader("X-Amz-Date", stamp.full)
        let payloadHash = SHA256.hex(request.body)
        if signBodyHeader { request.setHeader("x-amz-content-sha256", payloadHash) }
        if let token = credentials.sessionToken, !omitSessionTokenFromSignature {
            request.setHeader("X-Amz-Security-Token", token)
        }
        let scope = "\(stamp.day)/\(region)/\(service)/aws4_request"
        let canonical = Canonical.request(request, signedNames: nil, payloadHash: payloadHash, normalize: normalizePath)
        let stringToSign = ["AWS4-HMAC-SHA256", stamp.full, scope, SHA256.hex(canonical.text)].joined(separator: "\n")
        let key = SigningKey.derive(secret: credentials.secretAccessKey, day: stamp.day, region: region, service: service)
        let signature = Hex.encode(HMACSHA256.authenticate(key: key, message: Array(stringToSign.utf8)))
        let authorization =
            "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        if let token = credentials.sessionToken, omitSessionTokenFromSignature {
            request.setHeader("X-Amz-Security-Token", token)
        }
        request.setHeader("Authorization", authorization)
        return Signature(canonicalRequest: canonical.text, stringToSign: stringToSign, signature: signature, authorization: authorization)
    }
}

enum SigningKey {
    static func derive(secret: String, day: String, region: String, service: String) -> [UInt8] {
        var key = HMACSHA256.authenticate(key: Array("AWS4\(secret)".utf8), message: Array(day.utf8))
        for part in [region, service, "aws4_request"] {
            key = HMACSHA256.authenticate(key: key, message: Array(part.utf8))
        }
        return key
    }
}

/// `X-Amz-Date` (yyyyMMdd'T'HHmmss'Z', UTC) and its day part, without a DateFormatter.
public struct AmzDate: Sendable {
    public let full: String
    public let day: String

    public init(_ date: Date) {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        gmtime_r(&t, &tm)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        day = "\(tm.tm_year + 1900)\(two(tm.tm_mon + 1))\(two(tm.tm_mday))"
        full = "\(day)T\(two(tm.tm_hour))\(two(tm.tm_min))\(two(tm.tm_sec))Z"
    }

    public init(unixMs: Double) { self.init(Date(timeIntervalSince1970: unixMs / 1000)) }

    /// Parses the basic ISO 8601 form; nil when malformed.
    public static func parse(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 16, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "Z") else { return nil }
        func num(_ r: Range<Int>) -> Int32? { Int32(String(decoding: b[r], as: UTF8.self)) }
        guard let y = num(0..<4), let mo = num(4..<6), let d = num(6..<8), let h = num(9..<11),
            let mi = num(11..<13), let s = num(13..<15)
        else { return nil }
        var tm = tm()
        tm.tm_year = y - 1900
        tm.tm_mon = mo - 1
        tm.tm_mday = d
        tm.tm_hour = h
        tm.tm_min = mi
        tm.tm_sec = s
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }
}
