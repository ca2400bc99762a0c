import AWS
import Foundation
import SigV4
import TestSupport
import Testing

struct AWSConfigurationTests {
    /// A HOME with optional ~/.aws/credentials and ~/.aws/config.
    func home(credentials: String? = nil, config: String? = nil) throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("aws-home")
        try FileManager.default.createDirectory(atPath: dir.file(".aws"), withIntermediateDirectories: true)
        if let credentials { try dir.write(".aws/credentials", credentials) }
        if let config { try dir.write(".aws/config", config) }
        return dir
    }

    @Test func environmentCredentialsWithSessionTokenComeFirst() throws {
        let h = try home(credentials: "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n")
        defer { h.remove() }
        let c = AWSConfiguration.resolve(
            environment: [
                "AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "envsecret",
                "AWS_SESSION_TOKEN": "tok", "AWS_REGION": "eu-west-1",
            ], home: h.path)
        #expect(try c.credentials() == AWSCredentials(accessKeyId: "ENVKEY", secretAccessKey: "envsecret", sessionToken: "tok"))
        #expect(try c.requireRegion() == "eu-west-1")
        #expect(c.credentialSource == "environment")
    }

    @Test func sharedFilesWithProfile() throws {
        let h = try home(
            credentials: """
                # comment
                [default]
                aws_access_key_id = DEFKEY
                aws_secret_access_key = defsecret

                [dev]
                aws_access_key_id=DEVKEY
                aws_secret_access_key=devsecret
                aws_session_token = devtoken
                """,
            config: """
                [default]
                region = us-west-2
                [profile dev]
                region = ap-south-1
                s3 =
                  max_concurrent_requests = 4
                endpoint_url = http://localhost:4566
                """)
        defer { h.remove() }
        let def = AWSConfiguration.resolve(environment: [:], home: h.path)
        #expect(try def.credentials().accessKeyId == "DEFKEY")
        #expect(try def.requireRegion() == "us-west-2")
        #expect(try def.endpoint(for: .lambda, region: "us-west-2").url(path: "/x") == "https://lambda.us-west-2.amazonaws.com/x")
        let dev = AWSConfiguration.resolve(environment: ["AWS_PROFILE": "dev"], home: h.path)
        #expect(try dev.credentials() == AWSCredentials(accessKeyId: "DEVKEY", secretAccessKey: "devsecret", sessionToken: "devtoken"))
        #expect(try dev.requireRegion() == "ap-south-1")
        #expect(try dev.endpoint(for: .lambda, region: "ap-south-1").url(path: "/x") == "http://localhost:4566/x")
        // The environment's region wins over the file's.
        let envRegion = AWSConfiguration.resolve(environment: ["AWS_PROFILE": "dev", "AWS_DEFAULT_REGION": "sa-east-1"], home: h.path)
        #expect(try envRegion.requireRegion() == "sa-east-1")
    }

    @Test func endpointOverridesPerServiceThenGlobal() throws {
        let h = try home()
        defer { h.remove() }
        let env = ["AWS_ENDPOINT_URL": "http://127.0.0.1:9000", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://127.0.0.1:9001/"]
        let c = AWSConfiguration.resolve(environment: env, home: h.path)
        let lambda = try c.endpoint(for: .lambda, region: "us-east-1")
        #expect(lambda.url(path: "/2015-03-31/functions/f/invocations") == "http://127.0.0.1:9000/2015-03-31/functions/f/invocations")
        #expect(lambda.hostHeader == "127.0.0.1:9000")
        #expect(try c.endpoint(for: .cloudWatchLogs, region: "us-east-1").url(path: "/") == "http://127.0.0.1:9001/")
        let perLambda = AWSConfiguration.resolve(
            environment: env.merging(["AWS_ENDPOINT_URL_LAMBDA": "https://example.com:8443"]) { $1 },
            home: h.path)
        #expect(try perLambda.endpoint(for: .lambda, region: "us-east-1").hostHeader == "example.com:8443")
        let ignored = AWSConfiguration.resolve(
            environment: env.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 },
            home: h.path)
        #expect(try ignored.endpoint(for: .cloudWatchLogs, region: "eu-west-1").hostHeader == "logs.eu-west-1.amazonaws.com")
        let bad = AWSConfiguration.resolve(environment: ["AWS_ENDPOINT_URL": "localhost:9000"], home: h.path)
        #expect(throws: AWSError.badEndpoint(setting: "AWS_ENDPOINT_URL", value: "localhost:9000")) {
            try bad.endpoint(for: .lambda, region: "us-east-1")
        }
    }

    @Test func missingPiecesSayWhatToSet() throws {
        let h = try home()
        defer { h.remove() }
        let none = AWSConfiguration.resolve(environment: ["AWS_EC2_METADATA_DISABLED": "true"], home: h.path)
        let missing = try #require(throws: AWSError.self) { try none.credentials() }
        #expect("\(missing)".contains("AWS_ACCESS_KEY_ID") && "\(missing)".contains("AWS_SECRET_ACCESS_KEY"))
        let region = try #require(throws: AWSError.self) { try none.requireRegion() }
        #expect("\(region)".contains("AWS_REGION"))
        let partial = AWSConfiguration.resolve(environment: ["AWS_ACCESS_KEY_ID": "K"], home: h.path)
        #expect(throws: AWSError.partialCredentials(source: "the environment", missing: "AWS_SECRET_ACCESS_KEY")) {
            try partial.credentials()
        }
        let unknown = AWSConfiguration.resolve(environment: ["AWS_PROFILE": "nope"], home: h.path)
        #expect(throws: AWSError.profileNotFound(profile: "nope")) { try unknown.credentials() }
        let sso = try home(config: "[profile corp]\nsso_session = x\nsso_account_id = 1\nsso_role_name = r\nregion = us-east-1\n")
        defer { sso.remove() }
        let ssoConfig = AWSConfiguration.resolve(environment: ["AWS_PROFILE": "corp"], home: sso.path)
        #expect(throws: AWSError.invalidProfile(profile: "corp", problem: "sso_session \"x\" has no [sso-session x] section")) {
            try ssoConfig.credentials()
        }
    }

    @Test func errorDescriptionsNeverShowSecrets() throws {
        let creds = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "TOPSECRET", sessionToken: "TOKENSECRET")
        #expect(!"\(creds)".contains("TOPSECRET") && !"\(creds)".contains("TOKENSECRET"))
        let h = try home(credentials: "[default]\naws_access_key_id = K\n")
        defer { h.remove() }
        let partial = AWSConfiguration.resolve(environment: [:], home: h.path)
        let error = try #require(throws: AWSError.self) { try partial.credentials() }
        #expect("\(error)".contains("aws_secret_access_key"))
    }
}
