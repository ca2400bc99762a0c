import Foundation
import Hashing

/// Checks a received request's Signature V4, as an AWS endpoint does (used by lambda-emulator).
public enum SigV4Verifier {
    public enum Outcome: Equatable, Sendable {
        case valid(accessKeyId: String)
        /// No Authorization header.
        case missingAuthentication
        /// An Authorization header or X-Amz-Date that cannot be parsed.
        case malformed(String)
        case unknownAccessKey(String)
        case signatureMismatch
        /// X-Amz-Date more than `maxSkewSeconds` away from the server's clock.
        case requestTimeTooSkewed
    }

    public static func verify(
        _ request: SignableRequest, now: Date, maxSkewSeconds: Double = 300,
        secretFor: (String) -> String?
    ) -> Outcome {
        guard let authorization = request.header("Authorization") else { return .missingAuthentication }
        guard let parsed = ParsedAuthorization(authorization) else { return .malformed("Authorization header is malformed") }
        guard let amzDate = request.header("X-Amz-Date") else { return .malformed("X-Amz-Date header is missing") }
        guard let date = AmzDate.parse(amzDate) else { return .malformed("X-Amz-Date is not yyyyMMddTHHmmssZ") }
        guard let secret = secretFor(parsed.accessKeyId) else { return .unknownAccessKey(parsed.accessKeyId) }
        if abs(date.timeIntervalSince(now)) > maxSkewSeconds { return .requestTimeTooSkewed }
        guard parsed.day == String(amzDate.prefix(8)) else { return .signatureMismatch }

        let payloadHash =
            request.header("x-amz-content-sha256").flatMap { $0 == "UNSIGNED-PAYLOAD" ? $0 : nil }
            ?? SHA256.hex(request.body)
        let canonical = Canonical.request(request, signedNames: Set(parsed.signedHeaders), payloadHash: payloadHash, normalize: true)
        let scope = "\(parsed.day)/\(parsed.region)/\(parsed.service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hex(canonical.text)].joined(separator: "\n")
        let key = SigningKey.derive(secret: secret, day: parsed.day, region: parsed.region, service: parsed.service)
        let expected = Hex.encode(HMACSHA256.authenticate(key: key, message: Array(stringToSign.utf8)))
        return constantTimeEqual(expected, parsed.signature) ? .valid(accessKeyId: parsed.accessKeyId) : .signatureMismatch
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// `AWS4-HMAC-SHA256 Credential=AKID/day/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`
struct ParsedAuthorization {
    var accessKeyId, day, region, service, signature: String
    var signedHeaders: [String]

    init?(_ header: String) {
        guard header.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
        var fields: [String: String] = [:]
        for part in header.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let eq = trimmed.firstIndex(of: "=") else { return nil }
            fields[String(trimmed[..<eq])] = String(trimmed[trimmed.index(after: eq)...])
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"],
            let signature = fields["Signature"]
        else { return nil }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else { return nil }
        accessKeyId = scope[0]
        day = scope[1]
        region = scope[2]
        service = scope[3]
        self.signature = signature
        signedHeaders = signed.split(separator: ";").map { $0.lowercased() }
        guard signedHeaders.contains("host") else { return nil }
    }
}
