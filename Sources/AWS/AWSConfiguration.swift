import Foundation
import SigV4

/// Credentials, region and endpoints, resolved the way the AWS CLI resolves them
/// (docs/aws.md has the whole story).
///
/// - Profile: AWS_PROFILE (or AWS_DEFAULT_PROFILE), else "default". A profile's settings are
///   those of `[profile name]` in the config file (AWS_CONFIG_FILE, ~/.aws/config) with those
///   of `[name]` in the credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials) on top.
/// - Credentials: the provider chain of `CredentialChain` (environment, assume role, web
///   identity, SSO, static keys, credential_process, container, instance metadata), fetched
///   on first use and refreshed before they expire (`RefreshingCredentials`).
/// - Region: AWS_REGION, AWS_DEFAULT_REGION, then the profile's `region` (either file).
/// - Endpoint of a service: AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_LAMBDA,
///   AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL_STS), AWS_ENDPOINT_URL, the profile's
///   `endpoint_url`, else the public regional endpoint; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
///   (or the profile's ignore_configured_endpoint_urls) skips the overrides.
/// Missing pieces are reported only when asked for, so an unsigned HTTP run needs none.
public struct AWSConfiguration: Sendable {
    public var profile: String
    public var region: String?
    var credentialsResult: Result<RefreshingCredentials, AWSError>
    var endpoints: EndpointSettings

    /// Explicit settings (tests, tools that take them from elsewhere).
    public init(credentials: AWSCredentials?, region: String?, endpointURL: String? = nil) {
        profile = "default"
        self.region = region
        credentialsResult =
            credentials.map { .success(RefreshingCredentials($0)) } ?? .failure(.missingCredentials(profile: "default"))
        endpoints = EndpointSettings(
            environment: endpointURL.map { ["AWS_ENDPOINT_URL": $0] } ?? [:], profile: "default", profileEndpoint: nil,
            ignoreConfiguredEndpoints: false)
    }

    /// Resolves from `environment` and the files under `home` (defaults: this process's).
    /// Reads only the environment and the files: credentials are fetched when first needed.
    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        home: String? = nil
    ) -> AWSConfiguration {
        func env(_ name: String) -> String? {
            guard let v = environment[name], !v.isEmpty else { return nil }
            return v
        }
        let home = home ?? env("HOME") ?? NSHomeDirectory()
        func expand(_ path: String) -> String { path.hasPrefix("~/") ? home + path.dropFirst() : path }
        let profiles = AWSProfiles(
            configPath: expand(env("AWS_CONFIG_FILE") ?? "~/.aws/config"),
            credentialsPath: expand(env("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials"))
        let profile = env("AWS_PROFILE") ?? env("AWS_DEFAULT_PROFILE") ?? "default"
        let settings = profiles.settings(profile) ?? [:]

        var config = AWSConfiguration(credentials: nil, region: nil)
        config.profile = profile
        config.region = env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? settings["region"]
        config.endpoints = EndpointSettings(
            environment: environment, profile: profile, profileEndpoint: settings["endpoint_url"],
            ignoreConfiguredEndpoints: (env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? settings["ignore_configured_endpoint_urls"])?
                .lowercased() == "true")
        let chain = CredentialChain(
            environment: environment, profiles: profiles, home: home, endpoints: config.endpoints, region: config.region)
        config.credentialsResult = Result { () throws(AWSError) in
            RefreshingCredentials(provider: try chain.provider(profile: profile))
        }
        return config
    }

    /// The chain's provider and its cache, or the one-line error saying why there is none.
    /// Fetches nothing.
    public func credentialProvider() throws(AWSError) -> RefreshingCredentials { try credentialsResult.get() }

    /// Which provider the credentials come from ("environment", "credential_process of profile [dev]").
    public var credentialSource: String? { try? credentialsResult.get().source }

    /// The credentials (fetched now if they have not been), or the one-line error naming
    /// the provider that failed and why.
    public func credentials() throws(AWSError) -> AWSCredentials { try credentialProvider().current() }

    /// The region, or the one-line error naming what to set.
    public func requireRegion() throws(AWSError) -> String {
        guard let region else { throw .missingRegion(profile: profile) }
        return region
    }

    /// Where requests to `service` go.
    public func endpoint(for service: AWSService, region: String) throws(AWSError) -> AWSEndpoint {
        try endpoints.endpoint(for: service, region: region)
    }
}
