import Foundation
import Testing

@testable import SigV4

/// One case of the official suite, parsed from its files.
struct SuiteCase: CustomTestStringConvertible, Sendable {
    let name: String
    let request: SignableRequest
    let credentials: AWSCredentials
    let region: String
    let service: String
    let date: Date
    let normalize: Bool
    let signBody: Bool
    let omitSessionToken: Bool
    let expectedCanonicalRequest: String
    let expectedStringToSign: String
    let expectedSignature: String

    var testDescription: String { name }

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/v4")

    static let all: [SuiteCase] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map { load($0) }
    }()

    static func text(_ name: String, _ file: String) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("\(name)/\(file)"), encoding: .utf8)) ?? ""
    }

    static func load(_ name: String) -> SuiteCase {
        let context = try! JSONSerialization.jsonObject(with: Data(text(name, "context.json").utf8)) as! [String: Any]
        let creds = context["credentials"] as! [String: Any]
        return SuiteCase(
            name: name,
            request: parseRequest(text(name, "request.txt")),
            credentials: AWSCredentials(
                accessKeyId: creds["access_key_id"] as! String,
                secretAccessKey: creds["secret_access_key"] as! String,
                sessionToken: creds["token"] as? String),
            region: context["region"] as! String,
            service: context["service"] as! String,
            date: ISO8601DateFormatter().date(from: context["timestamp"] as! String)!,
            normalize: context["normalize"] as? Bool ?? true,
            signBody: context["sign_body"] as? Bool ?? false,
            omitSessionToken: context["omit_session_token"] as? Bool ?? false,
            expectedCanonicalRequest: text(name, "header-canonical-request.txt"),
            expectedStringToSign: text(name, "header-string-to-sign.txt"),
            expectedSignature: text(name, "header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// `METHOD target HTTP/1.1`, headers (continuation lines start with whitespace), blank line, body.
    static func parseRequest(_ raw: String) -> SignableRequest {
        var lines = raw.components(separatedBy: "\n")
        let first = lines.removeFirst()
        let method = String(first.prefix { $0 != " " })
        let target = String(first.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let (path, query) =
            target.firstIndex(of: "?").map { (String(target[..<$0]), String(target[target.index(after: $0)...])) } ?? (target, "")
        var headers: [(name: String, value: String)] = []
        var bodyLines: [String] = []
        var inBody = false
        for line in lines {
            if inBody {
                bodyLines.append(line)
                continue
            }
            if line.isEmpty {
                inBody = true
                continue
            }
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
        }
        return SignableRequest(
            method: method, path: path, query: query, headers: headers,
            body: Array(bodyLines.joined(separator: "\n").utf8))
    }

    func signer() -> SigV4Signer {
        var s = SigV4Signer(credentials: credentials, region: region, service: service)
        s.normalizePath = normalize
        s.signBodyHeader = signBody
        s.omitSessionTokenFromSignature = omitSessionToken
        return s
    }
}

@Suite("Official AWS SigV4 suite, header signing")
struct SigningSuiteTests {
    @Test func suiteHasAll38Cases() {
        #expect(SuiteCase.all.count == 38)
    }

    @Test(arguments: SuiteCase.all)
    func canonicalRequestStringToSignAndSignature(_ c: SuiteCase) {
        var request = c.request
        let result = c.signer().signature(for: &request, date: c.date)
        #expect(result.canonicalRequest == c.expectedCanonicalRequest)
        #expect(result.stringToSign == c.expectedStringToSign)
        #expect(result.signature == c.expectedSignature)
        #expect(request.header("Authorization")?.hasSuffix("Signature=\(c.expectedSignature)") == true)
    }

    /// Every normalised case also verifies, as a server would, and fails when tampered with.
    @Test(arguments: SuiteCase.all.filter { $0.normalize && !$0.omitSessionToken })
    func signedRequestVerifies(_ c: SuiteCase) {
        var request = c.request
        c.signer().sign(&request, date: c.date)
        let secrets = [c.credentials.accessKeyId: c.credentials.secretAccessKey]
        #expect(SigV4Verifier.verify(request, now: c.date) { secrets[$0] } == .valid(accessKeyId: c.credentials.accessKeyId))
        var tampered = request
        tampered.body += Array("x".utf8)
        #expect(SigV4Verifier.verify(tampered, now: c.date) { secrets[$0] } == .signatureMismatch)
    }
}

@Suite("Verifier outcomes")
struct VerifierTests {
    let credentials = AWSCredentials(accessKeyId: "AKIDLOCAL", secretAccessKey: "secret")
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func signed(at date: Date, credentials: AWSCredentials? = nil) -> SignableRequest {
        var r = SignableRequest(
            method: "POST", path: "/2015-03-31/functions/f/invocations",
            headers: [("Host", "127.0.0.1:9000"), ("Content-Type", "application/json")],
            body: Array("{}".utf8))
        SigV4Signer(credentials: credentials ?? self.credentials, region: "us-east-1", service: "lambda").sign(&r, date: date)
        return r
    }

    func verify(_ r: SignableRequest) -> SigV4Verifier.Outcome {
        SigV4Verifier.verify(r, now: now) { $0 == "AKIDLOCAL" ? "secret" : nil }
    }

    @Test func valid() { #expect(verify(signed(at: now)) == .valid(accessKeyId: "AKIDLOCAL")) }
    @Test func skewOverFiveMinutes() { #expect(verify(signed(at: now.addingTimeInterval(-301))) == .requestTimeTooSkewed) }
    @Test func skewUnderFiveMinutes() { #expect(verify(signed(at: now.addingTimeInterval(299))) == .valid(accessKeyId: "AKIDLOCAL")) }
    @Test func unknownKey() {
        let other = AWSCredentials(accessKeyId: "AKIDOTHER", secretAccessKey: "secret")
        #expect(verify(signed(at: now, credentials: other)) == .unknownAccessKey("AKIDOTHER"))
    }
    @Test func wrongSecret() {
        let wrong = AWSCredentials(accessKeyId: "AKIDLOCAL", secretAccessKey: "not-the-secret")
        #expect(verify(signed(at: now, credentials: wrong)) == .signatureMismatch)
    }
    @Test func missingAndMalformed() {
        var r = signed(at: now)
        r.headers.removeAll { $0.name == "Authorization" }
        #expect(verify(r) == .missingAuthentication)
        r.headers.append(("Authorization", "Bearer abc"))
        if case .malformed = verify(r) {} else { Issue.record("expected malformed") }
    }
    @Test func credentialsNeverPrintTheSecret() {
        let c = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "SECRETVALUE", sessionToken: "TOKENVALUE")
        #expect(!"\(c)".contains("SECRETVALUE"))
        #expect(!"\(c)".contains("TOKENVALUE"))
    }
}
