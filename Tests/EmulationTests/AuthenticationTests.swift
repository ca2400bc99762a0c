import Foundation
import SigV4
import TestSupport
import Testing

@Suite("SigV4 verification")
struct AuthenticationTests {
    @Test func rejectsWrongSignatureUnknownKeySkewAndMissingAuth() throws {
        let emulator = try LocalEmulator.start()
        defer { emulator.stop() }
        let path = "/2015-03-31/functions/faas_measure/configuration"
        let ok = try RawHTTP.exchange("GET", path, port: emulator.port)
        #expect(ok.status == 200)

        let wrongSecret = AWSCredentials(accessKeyId: LocalEmulator.accessKeyId, secretAccessKey: "not-the-secret")
        let bad = try RawHTTP.exchange("GET", path, port: emulator.port, sign: wrongSecret)
        #expect(bad.status == 403)
        #expect(bad.header("x-amzn-ErrorType") == "InvalidSignatureException")
        #expect((bad.json["message"] as? String)?.hasPrefix("The request signature we calculated does not match") == true)

        let unknown = try RawHTTP.exchange(
            "GET", path, port: emulator.port,
            sign: AWSCredentials(accessKeyId: "AKIDSOMEONEELSE", secretAccessKey: "x"))
        #expect(unknown.status == 403)
        #expect(unknown.header("x-amzn-ErrorType") == "UnrecognizedClientException")
        #expect(unknown.json["message"] as? String == "The security token included in the request is invalid.")

        let skewed = try RawHTTP.exchange("GET", path, port: emulator.port, date: Date().addingTimeInterval(-600))
        #expect(skewed.status == 403)
        #expect(skewed.header("x-amzn-ErrorType") == "InvalidSignatureException")
        #expect((skewed.json["message"] as? String)?.hasPrefix("Signature expired: ") == true)

        let unsigned = try RawHTTP.exchange("GET", path, port: emulator.port, sign: nil)
        #expect(unsigned.status == 403)
        #expect(unsigned.header("x-amzn-ErrorType") == "MissingAuthenticationTokenException")

        // A tampered body breaks the signature.
        var bytes = RawHTTP.request(
            "POST", "/2015-03-31/functions/faas_sleep/invocations", port: emulator.port,
            body: Array(#"{"ms": 1}"#.utf8), sign: RawHTTP.localCredentials)
        bytes[bytes.count - 2] = UInt8(ascii: "2")
        let client = try RawHTTP(port: emulator.port)
        try client.send(bytes)
        #expect(try client.readResponse().status == 403)

        // Logs answers in its own protocol's shape.
        let logs = try RawHTTP.logs("DescribeLogGroups", "{}", port: emulator.port, sign: wrongSecret)
        #expect(logs.status == 400)
        #expect(logs.json["__type"] as? String == "InvalidSignatureException")
    }

    @Test func noAuthAcceptsUnsignedRequests() throws {
        let emulator = try LocalEmulator.start(["--no-auth"])
        defer { emulator.stop() }
        let r = try RawHTTP.invoke("faas_sleep", #"{"ms":1}"#, port: emulator.port, sign: nil)
        #expect(r.status == 200)
    }
}
