import AWS
import CurlHTTP
import Foundation
import RecordSchema
import SigV4

/// Builds each scheduled call's HTTP request: a signed Lambda Invoke, or a plain or
/// IAM-signed (`execute-api`) request to an HTTP target. Payloads are sent as given.
struct CallRequests: Sendable {
    let timeout: Double
    /// Lambda clients by region ("" = the configured region).
    let lambdaClients: [String: LambdaClient]
    /// Regions of the signed HTTP targets, and the credentials they are signed with (refreshed
    /// during the run, so each request is signed with those of the moment it is built).
    let apiRegions: Set<String>
    let apiCredentials: RefreshingCredentials?
    /// The configured region, for signed HTTP targets whose host does not name one.
    let defaultRegion: String?

    /// Resolves everything the calls need before any is sent; throws the one-line
    /// AWSError naming what to set when credentials or a region are missing.
    init(calls: [ScheduledCall], configuration: AWSConfiguration, http: HTTPClient, timeout: Double) throws(AWSError) {
        self.timeout = timeout
        self.defaultRegion = configuration.region
        var lambdaClients: [String: LambdaClient] = [:]
        var apiRegions: Set<String> = []
        var apiCredentials: RefreshingCredentials?
        for call in calls {
            switch call.target {
            case .lambda(_, let region, _, _):
                let key = region ?? ""
                if lambdaClients[key] == nil {
                    lambdaClients[key] = try LambdaClient(http: http, configuration: configuration, region: region)
                }
            case .http(let url, _, let signed):
                guard signed else { continue }
                let region: String
                if let fromURL = Self.apiGatewayRegion(url) { region = fromURL } else { region = try configuration.requireRegion() }
                apiRegions.insert(region)
                if apiCredentials == nil {
                    let credentials = try configuration.credentialProvider()
                    _ = try credentials.current()
                    apiCredentials = credentials
                }
            }
        }
        self.lambdaClients = lambdaClients
        self.apiRegions = apiRegions
        self.apiCredentials = apiCredentials
    }

    /// The region in an API Gateway host name (`<id>.execute-api.<region>.amazonaws.com`).
    static func apiGatewayRegion(_ url: String) -> String? {
        guard let host = URLComponents(string: url)?.host else { return nil }
        let parts = host.split(separator: ".")
        guard parts.count >= 5, parts[1] == "execute-api", parts[3] == "amazonaws" else { return nil }
        return String(parts[2])
    }

    func request(for call: ScheduledCall, date: Date) -> HTTPRequest {
        let payload = Array(call.payload.text.utf8)
        switch call.target {
        case .lambda(let function, let region, let invocationType, let qualifier):
            return lambdaClients[region ?? ""]!.invokeRequest(
                function: function, payload: payload,
                invocationType: invocationType, qualifier: qualifier,
                date: date, timeout: timeout)
        case .http(let url, let method, let signed):
            let method = method.uppercased()
            let body = method == "GET" || method == "HEAD" ? [] : payload
            let headers: [(name: String, value: String)] = body.isEmpty ? [] : [("Content-Type", "application/json")]
            if signed, let components = URLComponents(string: url), let host = components.host {
                let credentials = (try? apiCredentials?.forSigning()) ?? AWSCredentials(accessKeyId: "", secretAccessKey: "")
                let signer = SigV4Signer(
                    credentials: credentials, region: Self.apiGatewayRegion(url) ?? defaultRegion ?? "", service: "execute-api")
                let hostHeader = components.port.map { "\(host):\($0)" } ?? host
                return AWSRequestSender.sign(
                    method: method, url: url, host: hostHeader, path: components.percentEncodedPath,
                    query: components.percentEncodedQuery ?? "", headers: headers, body: body,
                    signer: signer, date: date, timeout: timeout)
            }
            return HTTPRequest(method: method, url: url, headers: headers, body: body, timeout: timeout)
        }
    }
}
