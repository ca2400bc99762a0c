import Foundation
import SigV4

/// Credentials, region and endpoints, resolved the way the AWS CLI resolves them.
///
/// - Profile: AWS_PROFILE (or AWS_DEFAULT_PROFILE), else "default".
/// - Credentials, first found: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN);
///   the profile in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials);
///   the profile in the config file (AWS_CONFIG_FILE, ~/.aws/config).
/// - Region: AWS_REGION, AWS_DEFAULT_REGION, then `region` in the config file's profile.
/// - Endpoint of a service: AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_LAMBDA,
///   AWS_ENDPOINT_URL_CLOUDWATCH_LOGS), AWS_ENDPOINT_URL, the profile's `endpoint_url`,
///   else the public regional endpoint; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the
///   profile's ignore_configured_endpoint_urls) skips the overrides.
/// Missing pieces are reported only when asked for, so an unsigned HTTP run needs none.
public struct AWSConfiguration: Sendable {
    public var profile: String
    /// Where the credentials came from, for diagnostics ("environment", "~/.aws/credentials [dev]").
    public var credentialSource: String?
    public var region: String?
    var credentialsResult: Result<AWSCredentials, AWSError>
    var environment: [String: String]
    var profileEndpoint: String?
    var ignoreConfiguredEndpoints: Bool

    /// Explicit settings (tests, tools that take them from elsewhere).
    public init(credentials: AWSCredentials?, region: String?, endpointURL: String? = nil) {
        profile = "default"
        credentialSource = credentials == nil ? nil : "explicit"
        self.region = region
        credentialsResult = credentials.map { .success($0) } ?? .failure(.missingCredentials(profile: "default"))
        environment = endpointURL.map { ["AWS_ENDPOINT_URL": $0] } ?? [:]
        profileEndpoint = nil
        ignoreConfiguredEndpoints = false
    }

    /// Resolves from `environment` and the files under `home` (defaults: this process's).
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
        let credentialsPath = expand(env("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials")
        let configPath = expand(env("AWS_CONFIG_FILE") ?? "~/.aws/config")
        let credentialsFile = SharedConfigFile(path: credentialsPath)
        let configFile = SharedConfigFile(path: configPath)
        let profile = env("AWS_PROFILE") ?? env("AWS_DEFAULT_PROFILE") ?? "default"
        let fromCredentials = credentialsFile?.credentialsProfile(profile)
        let fromConfig = configFile?.configProfile(profile)

        var config = AWSConfiguration(credentials: nil, region: nil)
        config.profile = profile
        config.environment = environment
        config.region = env("AWS_REGION") ?? env("AWS_DEFAULT_REGION") ?? fromConfig?["region"].flatMap { $0.isEmpty ? nil : $0 }
        config.profileEndpoint = fromConfig?["endpoint_url"]
        config.ignoreConfiguredEndpoints =
            (env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") ?? fromConfig?["ignore_configured_endpoint_urls"])?
            .lowercased() == "true"

        func pair(
            _ key: String?, _ secret: String?, _ token: String?, source: String, keyName: String,
            secretName: String
        ) -> Result<AWSCredentials, AWSError>? {
            switch (key, secret) {
            case (let k?, let s?): return .success(AWSCredentials(accessKeyId: k, secretAccessKey: s, sessionToken: token))
            case (_?, nil): return .failure(.partialCredentials(source: source, missing: secretName))
            case (nil, _?): return .failure(.partialCredentials(source: source, missing: keyName))
            case (nil, nil): return nil
            }
        }
        func nonEmpty(_ v: String?) -> String? { v.flatMap { $0.isEmpty ? nil : $0 } }
        let candidates: [(String, () -> Result<AWSCredentials, AWSError>?)] = [
            (
                "environment",
                {
                    pair(
                        env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY"), env("AWS_SESSION_TOKEN") ?? env("AWS_SECURITY_TOKEN"),
                        source: "the environment", keyName: "AWS_ACCESS_KEY_ID", secretName: "AWS_SECRET_ACCESS_KEY")
                }
            ),
            (
                "~/.aws/credentials [\(profile)]",
                {
                    guard let p = fromCredentials else { return nil }
                    return pair(
                        nonEmpty(p["aws_access_key_id"]), nonEmpty(p["aws_secret_access_key"]), nonEmpty(p["aws_session_token"]),
                        source: "\(credentialsPath) [\(profile)]", keyName: "aws_access_key_id",
                        secretName: "aws_secret_access_key")
                }
            ),
            (
                "~/.aws/config [\(profile)]",
                {
                    guard let p = fromConfig else { return nil }
                    if let found = pair(
                        nonEmpty(p["aws_access_key_id"]), nonEmpty(p["aws_secret_access_key"]),
                        nonEmpty(p["aws_session_token"]), source: "\(configPath) [\(profile)]",
                        keyName: "aws_access_key_id", secretName: "aws_secret_access_key")
                    {
                        return found
                    }
                    for setting in ["role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"]
                    where p[setting] != nil {
                        return .failure(.unsupportedProfile(profile: profile, setting: setting))
                    }
                    return nil
                }
            ),
        ]
        for (source, find) in candidates {
            if let result = find() {
                config.credentialsResult = result
                if case .success = result { config.credentialSource = source }
                return config
            }
        }
        if profile != "default", fromCredentials == nil, fromConfig == nil {
            config.credentialsResult = .failure(.profileNotFound(profile: profile))
        } else {
            config.credentialsResult = .failure(.missingCredentials(profile: profile))
        }
        return config
    }

    /// The credentials, or the one-line error naming what to set.
    public func credentials() throws(AWSError) -> AWSCredentials { try credentialsResult.get() }

    /// The region, or the one-line error naming what to set.
    public func requireRegion() throws(AWSError) -> String {
        guard let region else { throw .missingRegion(profile: profile) }
        return region
    }

    /// Where requests to `service` go.
    public func endpoint(for service: AWSService, region: String) throws(AWSError) -> AWSEndpoint {
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
