import CurlHTTP
import Foundation

/// The EC2 instance role from the instance metadata service, IMDSv2: a session token
/// (PUT /latest/api/token), the role name, then its credentials. Falls back to IMDSv1 when
/// the token PUT is refused (403/404/405), as the SDKs do, unless AWS_EC2_METADATA_V1_DISABLED.
/// AWS_EC2_METADATA_SERVICE_ENDPOINT (or the profile's ec2_metadata_service_endpoint)
/// replaces http://169.254.169.254; AWS_EC2_METADATA_DISABLED=true skips it. A short
/// timeout (AWS_METADATA_SERVICE_TIMEOUT, 1 s) so that a machine without it fails fast.
struct InstanceMetadataCredentials: CredentialProvider {
    let endpoint: String
    let timeout: Double
    let attempts: Int
    let v1Disabled: Bool
    var name: String { "instance metadata (\(endpoint))" }

    static let defaultEndpoint = "http://169.254.169.254"

    func fetch() throws(AWSError) -> ExpiringCredentials {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        var headers: [(name: String, value: String)] = []
        let tokenResponse = try send("PUT", base + "/latest/api/token", [("X-aws-ec2-metadata-token-ttl-seconds", "21600")])
        switch tokenResponse.status {
        case 200: headers.append(("X-aws-ec2-metadata-token", tokenResponse.bodyText))
        case 403, 404,
            405 where !v1Disabled:
            break
        default: throw failure("PUT /latest/api/token answered HTTP \(tokenResponse.status)")
        }
        let listPath = "/latest/meta-data/iam/security-credentials/"
        let list = try send("GET", base + listPath, headers)
        guard list.status == 200, let role = list.bodyText.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty
        else {
            throw failure(list.status == 404 ? "the instance has no IAM role" : "GET \(listPath) answered HTTP \(list.status)")
        }
        let credentials = try send("GET", base + listPath + role, headers)
        guard credentials.status == 200 else { throw failure("GET \(listPath)\(role) answered HTTP \(credentials.status)") }
        return try ContainerCredentials.decode(credentials.body, provider: name)
    }

    private func failure(_ problem: String) -> AWSError { .credentialsFailed(provider: name, problem: problem) }

    private func send(_ method: String, _ url: String, _ headers: [(name: String, value: String)]) throws(AWSError) -> HTTPResponse {
        var last = ""
        for _ in 0..<max(attempts, 1) {
            let outcome = BlockingHTTP.send(
                HTTPRequest(method: method, url: url, headers: headers, timeout: timeout, connectTimeout: timeout))
            switch outcome.result {
            case .success(let response): return response
            case .failure(let error): last = error.message
            }
        }
        throw failure("no answer within \(timeout) s (\(last))")
    }
}
