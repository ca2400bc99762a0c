/// Everything the AWS layer reports, each as one line that says what to do.
/// Descriptions never contain secrets (no keys, tokens or signatures).
public enum AWSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No credentials anywhere in the chain; names what to set (and why instance metadata,
    /// the chain's last resort, gave none, when it was asked).
    case missingCredentials(profile: String, instanceMetadata: String? = nil)
    /// Some but not all of a credential pair was found (`missing` names the absent setting).
    case partialCredentials(source: String, missing: String)
    /// AWS_PROFILE names a profile that neither file defines.
    case profileNotFound(profile: String)
    /// The profile's settings cannot give credentials (a role without a source, a source
    /// profile loop, an MFA code to type, a missing SSO setting...).
    case invalidProfile(profile: String, problem: String)
    /// A provider of the chain was asked and failed (`provider` names it, `problem` says why).
    case credentialsFailed(provider: String, problem: String)
    case missingRegion(profile: String)
    case badEndpoint(setting: String, value: String)
    /// The service answered with an error status (after retries, when the call is retried).
    case service(operation: String, status: Int, code: String, message: String, requestId: String?)
    /// No response: connection failure or timeout (after retries).
    case transport(operation: String, message: String)
    /// UpdateFunctionConfiguration ended with LastUpdateStatus Failed.
    case updateFailed(function: String, reason: String)
    /// The function did not reach LastUpdateStatus Successful in time.
    case waitTimedOut(function: String, seconds: Double, lastStatus: String)
    /// A call of such a wait was still unanswered when its time ran out.
    case waitUnanswered(function: String, seconds: Double, call: String)
    /// A response body that is not what the API documents.
    case malformedResponse(operation: String, problem: String)

    public var description: String {
        switch self {
        case .missingCredentials(let profile, let instanceMetadata):
            return "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary "
                + "credentials), or add aws_access_key_id/aws_secret_access_key to profile [\(profile)] in ~/.aws/credentials "
                + "(AWS_PROFILE selects the profile; docs/aws.md lists every source)"
                + (instanceMetadata.map { "; instance metadata: \($0)" } ?? "")
        case .partialCredentials(let source, let missing):
            return "partial AWS credentials in \(source): \(missing) is not set"
        case .profileNotFound(let profile):
            return "AWS profile \"\(profile)\" (from AWS_PROFILE) is in neither ~/.aws/credentials nor ~/.aws/config"
        case .invalidProfile(let profile, let problem):
            return "AWS profile \"\(profile)\": \(problem)"
        case .credentialsFailed(let provider, let problem):
            return "AWS credentials from \(provider) failed: \(problem)"
        case .missingRegion(let profile):
            return "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or region in profile [\(profile)] of ~/.aws/config"
        case .badEndpoint(let setting, let value):
            return "\(setting) is not an http(s) URL: \"\(value)\""
        case .service(let operation, let status, let code, let message, let requestId):
            var text = "\(operation) failed: HTTP \(status) \(code)"
            if !message.isEmpty { text += ": \(message)" }
            if let requestId { text += " (request id \(requestId))" }
            return text
        case .transport(let operation, let message):
            return "\(operation) failed: \(message)"
        case .updateFailed(let function, let reason):
            return "updating \(function) failed (LastUpdateStatus Failed): \(reason)"
        case .waitTimedOut(let function, let seconds, let lastStatus):
            return "\(function) was still \(lastStatus) after \(Int(seconds)) s waiting for LastUpdateStatus Successful"
        case .waitUnanswered(let function, let seconds, let call):
            return "\(function): gave up after \(Int(seconds)) s waiting for the configuration change: \(call)"
        case .malformedResponse(let operation, let problem):
            return "\(operation): unexpected response: \(problem)"
        }
    }

    /// A problem with the settings or the credentials (exit status 2), not with a call.
    public var isConfigurationProblem: Bool {
        switch self {
        case .missingCredentials, .partialCredentials, .profileNotFound, .invalidProfile, .credentialsFailed,
            .missingRegion, .badEndpoint:
            return true
        default: return false
        }
    }

    /// The AWS error code of a service error (e.g. "ResourceConflictException").
    public var code: String? {
        if case .service(_, _, let code, _, _) = self { return code }
        return nil
    }
}
