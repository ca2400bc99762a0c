import CurlHTTP
import Foundation
import SigV4
import TestSupport
import Testing

@testable import AWS

/// One situation of the credential chain: a HOME with ~/.aws files and an environment with
/// nothing inherited, resolved by rightsize in-process and by boto3 in a child process.
/// Instance metadata is disabled unless a case enables it (no probe of 169.254.169.254).
struct Situation {
    let dir: TemporaryDirectory
    var environment: [String: String]

    init(config: String? = nil, credentials: String? = nil, environment: [String: String] = [:]) throws {
        dir = try TemporaryDirectory("aws-chain")
        try FileManager.default.createDirectory(atPath: dir.file(".aws/sso/cache"), withIntermediateDirectories: true)
        if let config { try dir.write(".aws/config", config) }
        if let credentials { try dir.write(".aws/credentials", credentials) }
        self.environment = [
            "HOME": dir.path, "PATH": "/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED": "true", "AWS_DEFAULT_REGION": "us-east-1",
        ].merging(environment) { _, new in new }
    }

    init(dir: TemporaryDirectory, environment: [String: String]) {
        self.dir = dir
        self.environment = environment
    }

    func resolve() -> AWSConfiguration { .resolve(environment: environment, home: dir.path) }

    /// An executable script in the situation's directory.
    func script(_ name: String, _ text: String) throws -> String {
        try dir.write(name, text)
        chmod(dir.file(name), 0o755)
        return dir.file(name)
    }

    func boto3AccessKey() throws -> String { try Python.boto3AccessKey(environment) }

    /// Signs GetFunctionConfiguration with `config`'s credentials and sends it to an emulator
    /// that accepts exactly the key pair rightsize fetched; returns the key in the request's
    /// Authorization header once the emulator accepted the signature.
    func keyAcceptedByEmulator(_ config: AWSConfiguration) async throws -> String {
        let credentials = try config.credentials()
        try dir.write("emulator-secret", credentials.secretAccessKey)
        let emulator = try LocalEmulator.start([
            "--access-key-id", credentials.accessKeyId, "--secret-access-key-file", dir.file("emulator-secret"),
        ])
        defer { emulator.stop() }
        var pointed = config
        pointed.endpoints.environment["AWS_ENDPOINT_URL_LAMBDA"] = emulator.endpoint
        let http = HTTPClient()
        defer { http.shutdown() }
        let lambda = try LambdaClient(http: http, configuration: pointed)
        let request = lambda.sender.signedRequest(method: "GET", path: "/2015-03-31/functions/faas_measure/configuration")
        let key = try #require(SignedBy.accessKey(request))
        let outcome = await http.send(request)
        #expect(outcome.response?.status == 200, "emulator: \(outcome.response?.bodyText ?? outcome.error?.message ?? "")")
        return key
    }

    func remove() { dir.remove() }
}

enum SignedBy {
    /// The access key id in a signed request's Authorization header.
    static func accessKey(_ request: HTTPRequest) -> String? {
        guard let auth = request.headers.first(where: { $0.name.lowercased() == "authorization" })?.value,
            let start = auth.range(of: "Credential=")
        else { return nil }
        return String(auth[start.upperBound...].prefix { $0 != "/" })
    }
}
