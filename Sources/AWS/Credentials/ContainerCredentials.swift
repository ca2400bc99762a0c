import CurlHTTP
import Foundation
import JSON
import SigV4

/// The ECS / CodeBuild / Fargate / EKS Pod Identity endpoint:
/// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or
/// AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a loopback address or one of the
/// container agents' link-local hosts, as the SDKs allow), with the Authorization header
/// from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at every fetch: it is rotated) or
/// AWS_CONTAINER_AUTHORIZATION_TOKEN.
struct ContainerCredentials: CredentialProvider {
    let url: String
    let tokenFile: String?
    let token: String?
    var name: String { "the container credentials endpoint \(url)" }

    static let agentHost = "169.254.170.2"
    static let allowedHosts: Set<String> = [agentHost, "169.254.170.23", "fd00:ec2::23", "[fd00:ec2::23]", "localhost"]

    /// From the environment; nil when neither variable is set.
    static func from(environment env: [String: String]) throws(AWSError) -> ContainerCredentials? {
        let tokenFile = env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        let token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if let relative = env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            return ContainerCredentials(url: "http://\(agentHost)\(relative)", tokenFile: tokenFile, token: token)
        }
        guard let full = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty else { return nil }
        guard let c = URLComponents(string: full), let scheme = c.scheme?.lowercased(), let host = c.host?.lowercased() else {
            throw .credentialsFailed(provider: "AWS_CONTAINER_CREDENTIALS_FULL_URI", problem: "\"\(full)\" is not a URL")
        }
        guard scheme == "https" || (scheme == "http" && (isLoopback(host) || allowedHosts.contains(host))) else {
            throw .credentialsFailed(
                provider: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                problem: "http://\(host) is not allowed: use https, a loopback address or \(agentHost)")
        }
        return ContainerCredentials(url: full, tokenFile: tokenFile, token: token)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    func fetch() throws(AWSError) -> ExpiringCredentials {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        var authorization = token
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw .credentialsFailed(provider: name, problem: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            authorization = String(decoding: data, as: UTF8.self)
        }
        if let authorization {
            guard !authorization.contains("\r") && !authorization.contains("\n") else {
                throw .credentialsFailed(provider: name, problem: "the authorization token contains a line break")
            }
            headers.append(("Authorization", authorization))
        }
        var problem = ""
        for attempt in 1...3 {
            let outcome = BlockingHTTP.send(HTTPRequest(method: "GET", url: url, headers: headers, timeout: 2, connectTimeout: 2))
            switch outcome.result {
            case .success(let response) where response.status == 200:
                return try Self.decode(response.body, provider: name)
            case .success(let response):
                let (code, message) = ErrorBody.codeAndMessage(response)
                problem = "HTTP \(response.status) \(code)" + (message.isEmpty ? "" : ": \(message)")
                // A refusal is final; only a failing or busy endpoint is asked again.
                if (400..<500).contains(response.status) && response.status != 429 {
                    throw .credentialsFailed(provider: name, problem: problem)
                }
            case .failure(let error):
                problem = error.message
            }
            if attempt < 3 { Thread.sleep(forTimeInterval: 1) }
        }
        throw .credentialsFailed(provider: name, problem: problem)
    }

    /// The JSON the container endpoint and instance metadata answer with.
    static func decode(_ body: [UInt8], provider: String) throws(AWSError) -> ExpiringCredentials {
        guard let json = try? JSONTree.parse(body), json.members != nil else {
            throw .credentialsFailed(provider: provider, problem: "the answer is not a JSON object")
        }
        if let code = json["Code"]?.string, code != "Success" {
            throw .credentialsFailed(provider: provider, problem: "Code \(code): \(json["Message"]?.string ?? "")")
        }
        guard let key = json["AccessKeyId"]?.string, let secret = json["SecretAccessKey"]?.string else {
            throw .credentialsFailed(provider: provider, problem: "the answer lacks AccessKeyId or SecretAccessKey")
        }
        return ExpiringCredentials(
            AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: json["Token"]?.string),
            expiration: json["Expiration"]?.string.flatMap(CredentialFields.date))
    }
}
