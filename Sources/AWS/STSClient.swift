import CurlHTTP
import Foundation
import SigV4

/// STS over its Query API (form-encoded POST, XML answers): AssumeRole, signed with the
/// source credentials, and AssumeRoleWithWebIdentity, which is not signed. The regional
/// endpoint (sts.<region>.amazonaws.com, as botocore's default `sts_regional_endpoints =
/// regional`), the global one without a region; AWS_ENDPOINT_URL_STS and the other
/// endpoint overrides apply.
struct STSClient: Sendable {
    let endpoints: EndpointSettings
    let region: String?
    let timeout: Double = 10

    func assumeRole(
        roleArn: String, sessionName: String, externalId: String?, durationSeconds: Int?,
        source: AWSCredentials, provider: String
    ) throws(AWSError) -> ExpiringCredentials {
        var parameters = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { parameters.append(("ExternalId", externalId)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        return try call("AssumeRole", parameters, signedWith: source, provider: provider)
    }

    func assumeRoleWithWebIdentity(
        roleArn: String, sessionName: String, token: String, provider: String
    ) throws(AWSError)
        -> ExpiringCredentials
    {
        let parameters = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
            ("RoleSessionName", sessionName), ("WebIdentityToken", token),
        ]
        return try call("AssumeRoleWithWebIdentity", parameters, signedWith: nil, provider: provider)
    }

    /// Form and query encoding as AWS wants it: `name=value` pairs joined by `&`, everything
    /// but unreserved ASCII characters percent-encoded.
    static func formEncode(_ parameters: [(String, String)]) -> String {
        parameters.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            let unreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F || byte == 0x2E || byte == 0x7E
            if unreserved { out.unicodeScalars.append(Unicode.Scalar(byte)) } else { out += String(format: "%%%02X", byte) }
        }
        return out
    }

    private func call(
        _ action: String, _ parameters: [(String, String)], signedWith source: AWSCredentials?, provider: String
    )
        throws(AWSError) -> ExpiringCredentials
    {
        let signingRegion = region ?? "us-east-1"
        let endpoint: AWSEndpoint
        if let region {
            endpoint = try endpoints.endpoint(for: .sts, region: region)
        } else {
            // No region: the global endpoint, unless an override names another.
            let global = try endpoints.endpoint(for: .sts, region: "us-east-1")
            endpoint = global.host == "sts.us-east-1.amazonaws.com" ? AWSEndpoint(url: "https://sts.amazonaws.com")! : global
        }
        let body = Array(Self.formEncode(parameters).utf8)
        let headers: [(name: String, value: String)] = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]
        let request: HTTPRequest
        if let source {
            request = AWSRequestSender.sign(
                method: "POST", url: endpoint.url(path: "/"), host: endpoint.hostHeader, path: endpoint.basePath + "/",
                query: "", headers: headers, body: body,
                signer: SigV4Signer(credentials: source, region: signingRegion, service: "sts"), date: Date(), timeout: timeout)
        } else {
            request = HTTPRequest(
                method: "POST", url: endpoint.url(path: "/"), headers: [("Host", endpoint.hostHeader)] + headers, body: body,
                timeout: timeout)
        }
        var backoff = Backoff()
        var attempt = 0
        while true {
            attempt += 1
            let outcome = BlockingHTTP.send(request)
            let failure: String
            switch outcome.result {
            case .success(let response) where response.status == 200:
                return try Self.credentials(in: response.body, action: action, provider: provider)
            case .success(let response):
                let (code, message) = ErrorBody.codeAndMessage(response)
                failure = "\(action) at \(endpoint): HTTP \(response.status) \(code)" + (message.isEmpty ? "" : ": \(message)")
                guard RetryPolicy.isRetryable(status: response.status, code: code) else {
                    throw .credentialsFailed(provider: provider, problem: failure)
                }
            case .failure(let error):
                failure = "\(action) at \(endpoint): \(error.message)"
            }
            guard attempt < 3 else { throw .credentialsFailed(provider: provider, problem: failure) }
            Thread.sleep(forTimeInterval: backoff.next())
        }
    }

    /// `<…Response><…Result><Credentials>` of AssumeRole and AssumeRoleWithWebIdentity.
    static func credentials(in body: [UInt8], action: String, provider: String) throws(AWSError) -> ExpiringCredentials {
        guard let xml = XMLElement.parse(body), let result = xml.child("\(action)Result"),
            let key = result.text(at: ["Credentials", "AccessKeyId"]),
            let secret = result.text(at: ["Credentials", "SecretAccessKey"]), !key.isEmpty, !secret.isEmpty
        else {
            throw .credentialsFailed(provider: provider, problem: "\(action) answered without Credentials in \(action)Result")
        }
        let token = result.text(at: ["Credentials", "SessionToken"])
        let expiration = result.text(at: ["Credentials", "Expiration"]).flatMap(CredentialFields.date)
        return ExpiringCredentials(
            AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token?.isEmpty == false ? token : nil),
            expiration: expiration)
    }
}
