import CurlHTTP
import Foundation
import Hashing
import SigV4
import TestSupport
import Testing

@testable import AWS

/// Each situation of docs/aws.md's table: which key rightsize signs with (accepted by the
/// emulator), and that boto3 in the same environment finds the same credentials.
@Suite(.serialized)
struct CredentialChainTests {
    @Test func environmentKeysWithLegacySecurityToken() async throws {
        let s = try Situation(
            credentials: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n",
            environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SECURITY_TOKEN": "legacy-env"])
        defer { s.remove() }
        let config = s.resolve()
        #expect(try config.credentials().sessionToken == "legacy-env")
        #expect(config.credentialSource == "environment")
        #expect(try await s.keyAcceptedByEmulator(config) == "AKIDENV")
        #expect(try s.boto3AccessKey() == "AKIDENV")
    }

    @Test func legacyAwsSecurityTokenInTheCredentialsFile() async throws {
        let s = try Situation(
            credentials: "[default]\naws_access_key_id = AKIDLEGACY\naws_secret_access_key = legacysecret\naws_security_token = old-token\n"
        )
        defer { s.remove() }
        let config = s.resolve()
        #expect(try config.credentials().sessionToken == "old-token")
        #expect(try await s.keyAcceptedByEmulator(config) == "AKIDLEGACY")
        let boto3 = try Python.run(
            "import boto3; print(boto3.Session().get_credentials().get_frozen_credentials().token)", environment: s.environment)
        #expect(boto3.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "old-token")
    }

    @Test func regionOnlyInTheCredentialsFileIsFoundAsBoto3FindsIt() throws {
        var s = try Situation(
            config: "[profile dev]\noutput = json\n",
            credentials: "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s\nregion = eu-central-1\n",
            environment: ["AWS_PROFILE": "dev"])
        defer { s.remove() }
        s.environment["AWS_DEFAULT_REGION"] = nil
        #expect(s.resolve().region == "eu-central-1")
        let boto3 = try Python.run("import boto3; print(boto3.Session().region_name)", environment: s.environment)
        #expect(boto3.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "eu-central-1")
        // AWS_DEFAULT_REGION wins over both files, for boto3 and rightsize.
        s.environment["AWS_DEFAULT_REGION"] = "sa-east-1"
        #expect(s.resolve().region == "sa-east-1")
    }

    @Test func credentialProcessWithExpiration() async throws {
        let s = try Situation()
        defer { s.remove() }
        let script = try s.script(
            "creds.sh",
            """
            #!/bin/sh
            echo '{"Version": 1, "AccessKeyId": "AKIDPROCESS", "SecretAccessKey": "processsecret", "SessionToken": "ptoken", "Expiration": "'$(date -u -d @$(( $(date +%s) + 3600 )) +%Y-%m-%dT%H:%M:%SZ)'"}'
            """)
        try s.dir.write(".aws/config", "[default]\ncredential_process = \(script) --profile 'with space'\n")
        let config = s.resolve()
        #expect(config.credentialSource == "credential_process of profile [default]")
        #expect(try await s.keyAcceptedByEmulator(config) == "AKIDPROCESS")
        #expect(try config.credentialProvider().expiration != nil)
        #expect(try s.boto3AccessKey() == "AKIDPROCESS")
    }

    @Test func credentialProcessFailuresNameTheProviderAndNoSecret() throws {
        let s = try Situation()
        defer { s.remove() }
        let failing = try s.script("fail.sh", "#!/bin/sh\necho 'token expired, log in again' >&2\nexit 3\n")
        let wrongVersion = try s.script(
            "v2.sh", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"AKIDV2\", \"SecretAccessKey\": \"TOPSECRETV2\"}'\n")
        try s.dir.write(".aws/config", "[profile a]\ncredential_process = \(failing)\n[profile b]\ncredential_process = \(wrongVersion)\n")
        var env = s.environment
        env["AWS_PROFILE"] = "a"
        let a = try #require(throws: AWSError.self) { try AWSConfiguration.resolve(environment: env, home: s.dir.path).credentials() }
        #expect(
            "\(a)"
                == "AWS credentials from credential_process of profile [a] failed: \(failing) exited with status 3: token expired, log in again"
        )
        #expect(a.isConfigurationProblem)
        env["AWS_PROFILE"] = "b"
        let b = try #require(throws: AWSError.self) { try AWSConfiguration.resolve(environment: env, home: s.dir.path).credentials() }
        #expect("\(b)" == "AWS credentials from credential_process of profile [b] failed: its output has Version 2, not 1")
        #expect(!"\(b)".contains("TOPSECRETV2"))
    }

    @Test func containerFullURIWithAuthorizationTokenFile() async throws {
        var s = try Situation()
        defer { s.remove() }
        let server = try CredentialServer.start(
            ["key": "AKIDCONTAINER", "secret": "containersecret", "auth": "Bearer task-token"], in: s.dir)
        defer { server.stop() }
        try s.dir.write("token", "Bearer task-token")
        s.environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.base + "/container/creds"
        s.environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = s.dir.file("token")
        let config = s.resolve()
        #expect(try await s.keyAcceptedByEmulator(config) == "AKIDCONTAINER")
        #expect(try s.boto3AccessKey() == "AKIDCONTAINER")
        // A wrong token is refused by the endpoint; the error names the provider.
        try s.dir.write("token", "Bearer wrong")
        let refused = try #require(throws: AWSError.self) { try s.resolve().credentials() }
        #expect(
            "\(refused)".hasPrefix(
                "AWS credentials from the container credentials endpoint \(server.base)/container/creds failed: HTTP 403"))
    }

    @Test func containerRelativeURIGoesToTheAgentAndFullURIsAreRestricted() throws {
        let relative = try ContainerCredentials.from(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])
        #expect(relative?.url == "http://169.254.170.2/v2/credentials/abc")
        #expect(throws: AWSError.self) {
            try ContainerCredentials.from(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.7/creds"])
        }
        #expect(try ContainerCredentials.from(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://localhost:9/c"]) != nil)
        #expect(try ContainerCredentials.from(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://example.com/c"]) != nil)
        #expect(try ContainerCredentials.from(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.2:9/c"]) != nil)
    }

    @Test func instanceMetadataV2ThroughTheEndpointVariable() async throws {
        var s = try Situation()
        defer { s.remove() }
        let server = try CredentialServer.start(["key": "AKIDIMDS", "secret": "imdssecret"], in: s.dir)
        defer { server.stop() }
        s.environment["AWS_EC2_METADATA_DISABLED"] = nil
        s.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = server.base
        let config = s.resolve()
        #expect(try await s.keyAcceptedByEmulator(config) == "AKIDIMDS")
        #expect(try s.boto3AccessKey() == "AKIDIMDS")
    }

    @Test func noInstanceMetadataFailsFastWithWhatToSet() throws {
        var s = try Situation()
        defer { s.remove() }
        // A loopback port nobody listens on: refused at once.
        s.environment["AWS_EC2_METADATA_DISABLED"] = nil
        s.environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "http://127.0.0.1:9"
        let error = try #require(throws: AWSError.self) { try s.resolve().credentials() }
        #expect("\(error)".hasPrefix("no AWS credentials: set AWS_ACCESS_KEY_ID"))
        #expect("\(error)".contains("; instance metadata: no answer within 1.0 s"))
        #expect(try s.boto3AccessKey() == "NONE")
        // Disabled: not asked at all.
        s.environment["AWS_EC2_METADATA_DISABLED"] = "true"
        #expect(throws: AWSError.missingCredentials(profile: "default")) { try s.resolve().credentials() }
    }

    @Test func ssoSessionAndLegacyProfilesUseTheCachedToken() async throws {
        var s = try Situation(
            config: """
                [profile sso]
                sso_session = corp
                sso_account_id = 123456789012
                sso_role_name = Dev
                [sso-session corp]
                sso_start_url = https://corp.awsapps.com/start
                sso_region = eu-west-1
                [profile legacy]
                sso_start_url = https://legacy.awsapps.com/start
                sso_region = eu-west-1
                sso_account_id = 123456789012
                sso_role_name = Dev
                """, environment: ["AWS_PROFILE": "sso"])
        defer { s.remove() }
        let server = try CredentialServer.start(["key": "AKIDSSO", "secret": "ssosecret", "sso_token": "portal-token"], in: s.dir)
        defer { server.stop() }
        s.environment["AWS_ENDPOINT_URL_SSO"] = server.base
        let future = "2099-01-01T00:00:00Z"
        for key in ["corp", "https://legacy.awsapps.com/start"] {
            try s.dir.write(
                ".aws/sso/cache/\(SHA1.hex(key)).json",
                #"{"startUrl": "x", "region": "eu-west-1", "accessToken": "portal-token", "expiresAt": "\#(future)"}"#)
        }
        #expect(try await s.keyAcceptedByEmulator(s.resolve()) == "AKIDSSO")
        #expect(try s.boto3AccessKey() == "AKIDSSO")
        s.environment["AWS_PROFILE"] = "legacy"
        #expect(try await s.keyAcceptedByEmulator(s.resolve()) == "AKIDSSO")
        #expect(try s.boto3AccessKey() == "AKIDSSO")
        // An expired token asks for `aws sso login`.
        try s.dir.write(
            ".aws/sso/cache/\(SHA1.hex("https://legacy.awsapps.com/start")).json",
            #"{"accessToken": "portal-token", "expiresAt": "2001-01-01T00:00:00Z"}"#)
        let expired = try #require(throws: AWSError.self) { try s.resolve().credentials() }
        #expect(
            "\(expired)"
                == "AWS credentials from SSO of profile [legacy] failed: the SSO token expired: run `aws sso login --profile legacy`")
    }

    @Test func webIdentityFromTheEnvironment() async throws {
        let moto = try Moto.start()
        defer { moto.stop() }
        var s = try Situation(environment: ["AWS_ENDPOINT_URL_STS": moto.base])
        defer { s.remove() }
        try s.dir.write("oidc-token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n")
        s.environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = s.dir.file("oidc-token")
        s.environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/ci-deploy"
        s.environment["AWS_ROLE_SESSION_NAME"] = "ci-run"
        let config = s.resolve()
        let key = try await s.keyAcceptedByEmulator(config)
        let expected = "arn:aws:sts::123456789012:assumed-role/ci-deploy/ci-run"
        #expect(try Python.motoIdentity(of: key, sts: moto.base) == expected)
        #expect(try Python.motoIdentity(of: s.boto3AccessKey(), sts: moto.base) == expected)
    }

    @Test func roleArnNeverFallsBackToTheProfilesStaticKeys() async throws {
        let moto = try Moto.start()
        defer { moto.stop() }
        let s = try Situation(
            config: """
                [profile deploy]
                role_arn = arn:aws:iam::123456789012:role/deployer
                source_profile = base
                role_session_name = deploy-session
                external_id = ext-1
                duration_seconds = 900
                [profile chained]
                role_arn = arn:aws:iam::123456789012:role/second
                source_profile = deploy
                role_session_name = second-session
                """,
            credentials: """
                [base]
                aws_access_key_id = AKIDBASE
                aws_secret_access_key = basesecret
                [deploy]
                aws_access_key_id = AKIDSTATICDEPLOY
                aws_secret_access_key = staticsecret
                """,
            environment: ["AWS_ENDPOINT_URL_STS": moto.base])
        defer { s.remove() }
        for (profile, role) in [("deploy", "deployer/deploy-session"), ("chained", "second/second-session")] {
            var env = s.environment
            env["AWS_PROFILE"] = profile
            let situation = Situation(dir: s.dir, environment: env)
            let key = try await situation.keyAcceptedByEmulator(situation.resolve())
            #expect(key != "AKIDSTATICDEPLOY")
            let expected = "arn:aws:sts::123456789012:assumed-role/\(role)"
            #expect(try Python.motoIdentity(of: key, sts: moto.base) == expected)
            #expect(try Python.motoIdentity(of: situation.boto3AccessKey(), sts: moto.base) == expected)
        }
    }

    @Test func credentialSourceEnvironmentSignsAssumeRoleWithTheEnvironmentsKeys() async throws {
        let moto = try Moto.start()
        defer { moto.stop() }
        let s = try Situation(
            config: """
                [profile fromenv]
                role_arn = arn:aws:iam::123456789012:role/from-env
                credential_source = Environment
                role_session_name = env-session
                """,
            environment: ["AWS_ENDPOINT_URL_STS": moto.base])
        defer { s.remove() }
        // The chain takes environment keys first; the role is reached through
        // credential_source when the profile is selected and the keys are only its source.
        let chain = CredentialChain(
            environment: s.environment.merging(["AWS_ACCESS_KEY_ID": "AKIDSOURCE", "AWS_SECRET_ACCESS_KEY": "src"]) { $1 },
            profiles: AWSProfiles(configPath: s.dir.file(".aws/config"), credentialsPath: s.dir.file(".aws/credentials")),
            home: s.dir.path, endpoints: s.resolve().endpoints, region: "us-east-1")
        let provider = try chain.assumeRole("fromenv", visited: ["fromenv"])
        let key = try provider.fetch().credentials.accessKeyId
        #expect(try Python.motoIdentity(of: key, sts: moto.base) == "arn:aws:sts::123456789012:assumed-role/from-env/env-session")
        let boto3 = try Python.run(
            """
            import boto3
            s = boto3.Session(profile_name="fromenv")
            print(s.get_credentials().get_frozen_credentials().access_key)
            """, environment: s.environment.merging(["AWS_ACCESS_KEY_ID": "AKIDSOURCE", "AWS_SECRET_ACCESS_KEY": "src"]) { $1 })
        let botoKey = boto3.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try Python.motoIdentity(of: botoKey, sts: moto.base) == "arn:aws:sts::123456789012:assumed-role/from-env/env-session")
    }

    @Test func profilesThatCannotWorkSayWhy() throws {
        let s = try Situation(
            config: """
                [profile mfa]
                role_arn = arn:aws:iam::123456789012:role/admin
                source_profile = base
                mfa_serial = arn:aws:iam::123456789012:mfa/me
                [profile nosource]
                role_arn = arn:aws:iam::123456789012:role/admin
                [profile loop1]
                role_arn = arn:aws:iam::123456789012:role/a
                source_profile = loop2
                [profile loop2]
                role_arn = arn:aws:iam::123456789012:role/b
                source_profile = loop1
                [profile missing]
                role_arn = arn:aws:iam::123456789012:role/a
                source_profile = nowhere
                """,
            credentials: "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = TOPSECRETBASE\n")
        defer { s.remove() }
        func problem(_ profile: String) -> String {
            var env = s.environment
            env["AWS_PROFILE"] = profile
            do {
                _ = try AWSConfiguration.resolve(environment: env, home: s.dir.path).credentialProvider()
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(problem("mfa").hasPrefix("AWS profile \"mfa\": role_arn with mfa_serial needs an MFA code"))
        #expect(problem("nosource") == "AWS profile \"nosource\": role_arn needs source_profile or credential_source")
        #expect(problem("loop1") == "AWS profile \"loop2\": source_profile loop: loop1 -> loop2 -> loop1")
        #expect(problem("missing") == "AWS profile \"missing\": source_profile \"nowhere\" does not exist")
        for p in ["mfa", "nosource", "loop1", "missing"] { #expect(!problem(p).contains("TOPSECRETBASE")) }
    }
}
