import Foundation
import SigV4

/// SigV4 verification of AWS-API requests against the configured key pairs.
struct Authentication: Sendable {
    enum Failure: Sendable, Equatable {
        case missing
        case malformed(String)
        case unknownKey, badSignature
        case skewed(String)
    }

    /// nil = `--no-auth`.
    let secrets: [String: String]?
    static let maxSkewSeconds = 300.0

    /// nil when the request may proceed.
    func check(_ request: HTTPRequest, now: Date = Date()) -> Failure? {
        guard let secrets else { return nil }
        let signable = SignableRequest(
            method: request.method, path: request.path, query: request.query,
            headers: request.headers, body: request.body)
        switch SigV4Verifier.verify(signable, now: now, maxSkewSeconds: Self.maxSkewSeconds, secretFor: { secrets[$0] }) {
        case .valid: return nil
        case .missingAuthentication: return .missing
        case .malformed(let why): return .malformed(why)
        case .unknownAccessKey: return .unknownKey
        case .signatureMismatch: return .badSignature
        case .requestTimeTooSkewed:
            let nowMs = now.timeIntervalSince1970 * 1000
            let sent = request.header("X-Amz-Date") ?? "?"
            let sentMs = AmzDate.parse(sent).map { $0.timeIntervalSince1970 * 1000 } ?? nowMs
            if sentMs < nowMs {
                return .skewed(
                    "Signature expired: \(sent) is now earlier than \(AmzDate(unixMs: nowMs - Self.maxSkewSeconds * 1000).full) (\(AmzDate(unixMs: nowMs).full) - 5 min.)"
                )
            }
            return .skewed(
                "Signature not yet current: \(sent) is still later than \(AmzDate(unixMs: nowMs + Self.maxSkewSeconds * 1000).full) (\(AmzDate(unixMs: nowMs).full) + 5 min.)"
            )
        }
    }

    static let invalidToken = "The security token included in the request is invalid."
    static let signatureMismatch =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

    /// The error Lambda answers (403).
    static func lambdaReply(_ failure: Failure, requestId: String) -> HTTPReply {
        switch failure {
        case .missing:
            return AWSError.lambda(403, "MissingAuthenticationTokenException", "Missing Authentication Token", requestId: requestId)
        case .malformed(let why): return AWSError.lambda(403, "IncompleteSignatureException", why, requestId: requestId)
        case .unknownKey: return AWSError.lambda(403, "UnrecognizedClientException", invalidToken, requestId: requestId)
        case .badSignature: return AWSError.lambda(403, "InvalidSignatureException", signatureMismatch, requestId: requestId)
        case .skewed(let message): return AWSError.lambda(403, "InvalidSignatureException", message, requestId: requestId)
        }
    }

    /// The error CloudWatch Logs answers (JSON 1.1, 400).
    static func logsReply(_ failure: Failure, requestId: String) -> HTTPReply {
        switch failure {
        case .missing: return AWSError.logs("MissingAuthenticationTokenException", "Missing Authentication Token", requestId: requestId)
        case .malformed(let why): return AWSError.logs("IncompleteSignatureException", why, requestId: requestId)
        case .unknownKey: return AWSError.logs("UnrecognizedClientException", invalidToken, requestId: requestId)
        case .badSignature: return AWSError.logs("InvalidSignatureException", signatureMismatch, requestId: requestId)
        case .skewed(let message): return AWSError.logs("InvalidSignatureException", message, requestId: requestId)
        }
    }
}
