/// Where each service's requests go: the endpoint overrides of the environment and the
/// profile, else the public regional endpoint.
struct EndpointSettings: Sendable {
    var environment: [String: String]
    var profile: String
    var profileEndpoint: String?
    var ignoreConfiguredEndpoints: Bool

    func endpoint(for service: AWSService, region: String) throws(AWSError) -> AWSEndpoint {
        if !ignoreConfiguredEndpoints {
            let candidates: [(String, String?)] = [
                ("AWS_ENDPOINT_URL_\(service.environmentID)", environment["AWS_ENDPOINT_URL_\(service.environmentID)"]),
                ("AWS_ENDPOINT_URL", environment["AWS_ENDPOINT_URL"]),
                ("endpoint_url in profile [\(profile)]", profileEndpoint),
            ]
            for (setting, value) in candidates {
                guard let value, !value.isEmpty else { continue }
                guard let endpoint = AWSEndpoint(url: value) else { throw .badEndpoint(setting: setting, value: value) }
                return endpoint
            }
        }
        return .standard(service, region: region)
    }
}
