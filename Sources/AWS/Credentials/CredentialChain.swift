import SigV4

/// Picks the credential provider the way the AWS CLI and boto3 do, first match wins:
///
/// 1. environment: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SECURITY_TOKEN or AWS_SESSION_TOKEN)
/// 2. the profile's `role_arn` (unless it has `web_identity_token_file`): assume role from its
///    `source_profile` or `credential_source` — never the profile's own static keys
/// 3. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, or the profile's
///    `web_identity_token_file` + `role_arn`
/// 4. the profile's SSO settings (`sso_session`, or legacy `sso_start_url`)
/// 5. static keys of the profile in the credentials file (`aws_session_token` or legacy `aws_security_token`)
/// 6. the profile's `credential_process`
/// 7. static keys of the profile in the config file
/// 8. the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI)
/// 9. instance metadata (unless AWS_EC2_METADATA_DISABLED=true)
///
/// Everything but the fetch itself is decided here, from the environment and the files, so
/// a profile that cannot work is reported before anything is sent.
struct CredentialChain {
    let environment: [String: String]
    let profiles: AWSProfiles
    let home: String
    let endpoints: EndpointSettings
    let region: String?

    var sts: STSClient { STSClient(endpoints: endpoints, region: region) }

    func env(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

    func provider(profile: String) throws(AWSError) -> any CredentialProvider {
        if let environmentProvider = try environmentKeys() { return environmentProvider }
        let settings = profiles.settings(profile)
        if settings == nil && profile != "default" { throw .profileNotFound(profile: profile) }
        let p = settings ?? [:]
        if p["role_arn"] != nil && p["web_identity_token_file"] == nil { return try assumeRole(profile, visited: [profile]) }
        if let web = try webIdentity(profile, useEnvironment: true) { return web }
        if let fromProfile = try profileProviders(profile) { return fromProfile }
        if let container = try ContainerCredentials.from(environment: environment) { return container }
        guard let metadata = instanceMetadata(profile) else { throw .missingCredentials(profile: profile) }
        return LastResortInstanceMetadata(metadata: metadata, profile: profile)
    }

    func environmentKeys() throws(AWSError) -> StaticCredentials? {
        guard let key = env("AWS_ACCESS_KEY_ID") else { return nil }
        guard let secret = env("AWS_SECRET_ACCESS_KEY") else {
            throw .partialCredentials(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY")
        }
        return StaticCredentials(
            name: "environment",
            credentials: AWSCredentials(
                accessKeyId: key, secretAccessKey: secret, sessionToken: env("AWS_SECURITY_TOKEN") ?? env("AWS_SESSION_TOKEN")))
    }

    /// Steps 3 to 7 for `profile` (also how a `source_profile` gets its credentials).
    func profileProviders(_ profile: String) throws(AWSError) -> (any CredentialProvider)? {
        let p = profiles.settings(profile) ?? [:]
        if let web = try webIdentity(profile, useEnvironment: false) { return web }
        if let sso = try sso(profile) { return sso }
        if let keys = try staticKeys(profiles.credentials[profile], file: profiles.credentialsPath, profile: profile) {
            return keys
        }
        if let command = p["credential_process"] { return ProcessCredentials(command: command, profile: profile) }
        if let keys = try staticKeys(profiles.config[profile], file: profiles.configPath, profile: profile) { return keys }
        return nil
    }

    func staticKeys(_ settings: [String: String]?, file: String, profile: String) throws(AWSError) -> StaticCredentials? {
        func value(_ key: String) -> String? { settings?[key].flatMap { $0.isEmpty ? nil : $0 } }
        guard let key = value("aws_access_key_id") else { return nil }
        let source = "\(file) [\(profile)]"
        guard let secret = value("aws_secret_access_key") else {
            throw .partialCredentials(source: source, missing: "aws_secret_access_key")
        }
        return StaticCredentials(
            name: source,
            credentials: AWSCredentials(
                accessKeyId: key, secretAccessKey: secret,
                sessionToken: value("aws_security_token") ?? value("aws_session_token")))
    }

    func webIdentity(_ profile: String, useEnvironment: Bool) throws(AWSError) -> WebIdentityCredentials? {
        let p = profiles.settings(profile) ?? [:]
        func setting(_ key: String, _ variable: String) -> (value: String, origin: String)? {
            if useEnvironment, let v = env(variable) { return (v, variable) }
            return p[key].map { ($0, "\(key) in profile [\(profile)]") }
        }
        guard let tokenFile = setting("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE") else { return nil }
        guard let roleArn = setting("role_arn", "AWS_ROLE_ARN") else {
            throw .credentialsFailed(
                provider: "web identity (\(tokenFile.origin))", problem: "no role to assume: set AWS_ROLE_ARN or role_arn in the profile")
        }
        return WebIdentityCredentials(
            tokenFile: tokenFile.value, roleArn: roleArn.value,
            sessionName: setting("role_session_name", "AWS_ROLE_SESSION_NAME")?.value, origin: tokenFile.origin, sts: sts)
    }

    func assumeRole(_ profile: String, visited: [String]) throws(AWSError) -> AssumeRoleCredentials {
        let p = profiles.settings(profile) ?? [:]
        if p["mfa_serial"] != nil {
            throw .invalidProfile(
                profile: profile,
                problem: "role_arn with mfa_serial needs an MFA code, which rightsize cannot ask for: assume the role first "
                    + "(aws sts assume-role --serial-number ... --token-code ...) and export its credentials")
        }
        let source: any CredentialProvider
        switch (p["source_profile"], p["credential_source"]) {
        case (_?, _?):
            throw .invalidProfile(profile: profile, problem: "role_arn with both source_profile and credential_source")
        case (nil, nil):
            throw .invalidProfile(profile: profile, problem: "role_arn needs source_profile or credential_source")
        case (nil, let named?):
            source = try credentialSource(named, profile: profile)
        case (let sourceProfile?, nil):
            guard let s = profiles.settings(sourceProfile) else {
                throw .invalidProfile(profile: profile, problem: "source_profile \"\(sourceProfile)\" does not exist")
            }
            let hasStaticKeys = s["aws_access_key_id"] != nil || s["aws_secret_access_key"] != nil
            if visited.contains(sourceProfile) && (sourceProfile != profile || !hasStaticKeys) {
                throw .invalidProfile(
                    profile: profile,
                    problem: "source_profile loop: " + (visited + [sourceProfile]).joined(separator: " -> "))
            }
            if hasStaticKeys || s["role_arn"] == nil || s["web_identity_token_file"] != nil {
                guard let found = try profileProviders(sourceProfile) else {
                    throw .invalidProfile(profile: profile, problem: "source_profile \"\(sourceProfile)\" has no credentials")
                }
                source = found
            } else {
                source = try assumeRole(sourceProfile, visited: visited + [sourceProfile])
            }
        }
        return AssumeRoleCredentials(
            profile: profile, roleArn: p["role_arn"]!, sessionName: p["role_session_name"], externalId: p["external_id"],
            durationSeconds: p["duration_seconds"].flatMap { Int($0) }, source: source, sts: sts)
    }

    func credentialSource(_ named: String, profile: String) throws(AWSError) -> any CredentialProvider {
        switch named.lowercased() {
        case "environment":
            guard let keys = try environmentKeys() else {
                throw .invalidProfile(profile: profile, problem: "credential_source Environment, but AWS_ACCESS_KEY_ID is not set")
            }
            return keys
        case "ecscontainer":
            guard let container = try ContainerCredentials.from(environment: environment) else {
                throw .invalidProfile(
                    profile: profile,
                    problem: "credential_source EcsContainer, but neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
                        + "AWS_CONTAINER_CREDENTIALS_FULL_URI is set")
            }
            return container
        case "ec2instancemetadata":
            guard let metadata = instanceMetadata(profile) else {
                throw .invalidProfile(
                    profile: profile, problem: "credential_source Ec2InstanceMetadata, but AWS_EC2_METADATA_DISABLED is true")
            }
            return metadata
        default:
            throw .invalidProfile(
                profile: profile,
                problem: "credential_source \"\(named)\" is not one of Environment, EcsContainer, Ec2InstanceMetadata")
        }
    }

    func sso(_ profile: String) throws(AWSError) -> SSOCredentials? {
        var p = profiles.settings(profile) ?? [:]
        guard p["sso_account_id"] != nil || p["sso_role_name"] != nil else { return nil }
        var required = ["sso_account_id", "sso_role_name", "sso_start_url", "sso_region"]
        let session = p["sso_session"]
        if let session {
            guard let settings = profiles.ssoSessions[session] else {
                throw .invalidProfile(profile: profile, problem: "sso_session \"\(session)\" has no [sso-session \(session)] section")
            }
            p.merge(settings.filter { !$0.value.isEmpty }) { _, new in new }
            required.append("sso_session")
        }
        let missing = required.filter { p[$0] == nil }
        guard missing.isEmpty else {
            throw .invalidProfile(profile: profile, problem: "SSO settings lack \(missing.joined(separator: ", "))")
        }
        return SSOCredentials(
            profile: profile, accountId: p["sso_account_id"]!, roleName: p["sso_role_name"]!, region: p["sso_region"]!,
            cacheKey: session ?? p["sso_start_url"]!, cacheDirectory: home + "/.aws/sso/cache", endpoints: endpoints)
    }

    func instanceMetadata(_ profile: String) -> InstanceMetadataCredentials? {
        let p = profiles.settings(profile) ?? [:]
        guard env("AWS_EC2_METADATA_DISABLED")?.lowercased() != "true" else { return nil }
        return InstanceMetadataCredentials(
            endpoint: env("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? p["ec2_metadata_service_endpoint"]
                ?? InstanceMetadataCredentials.defaultEndpoint,
            timeout: (env("AWS_METADATA_SERVICE_TIMEOUT") ?? p["metadata_service_timeout"]).flatMap { Double($0) } ?? 1,
            attempts: (env("AWS_METADATA_SERVICE_NUM_ATTEMPTS") ?? p["metadata_service_num_attempts"]).flatMap { Int($0) } ?? 1,
            v1Disabled: (env("AWS_EC2_METADATA_V1_DISABLED") ?? p["ec2_metadata_v1_disabled"])?.lowercased() == "true")
    }
}

/// Instance metadata as the chain's last resort: when it has nothing, the error is "no AWS
/// credentials" (what to set), with why instance metadata gave none.
struct LastResortInstanceMetadata: CredentialProvider {
    let metadata: InstanceMetadataCredentials
    let profile: String
    var name: String { metadata.name }

    func fetch() throws(AWSError) -> ExpiringCredentials {
        do {
            return try metadata.fetch()
        } catch {
            if case .credentialsFailed(_, let problem) = error { throw .missingCredentials(profile: profile, instanceMetadata: problem) }
            throw error
        }
    }
}
