import Foundation
import Testing

@testable import SigV4

/// Inputs fuzz-sigv4 found (Fuzz/, docs/fuzzing.md), kept as regressions.
@Suite("Fuzzing regressions: SigV4")
struct SigV4FuzzRegressionTests {
    /// An already signed request (here the suite's signed get-vanilla) signed again: the old
    /// Authorization header was signed too, so the new signature never verified.
    @Test func resigningIgnoresTheOldAuthorizationHeader() {
        let raw = """
            GET / HTTP/1.1
            Host:example.amazonaws.com
            X-Amz-Date:20150830T123600Z
            Authorization:AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31

            """
        var request = SuiteCase.parseRequest(raw)
        let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        let date = Date(timeIntervalSince1970: 1_440_938_160)
        let result = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service").signature(for: &request, date: date)
        #expect(result.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        let outcome = SigV4Verifier.verify(request, now: date) { $0 == "AKIDEXAMPLE" ? credentials.secretAccessKey : nil }
        #expect(outcome == .valid(accessKeyId: "AKIDEXAMPLE"))
    }
}
