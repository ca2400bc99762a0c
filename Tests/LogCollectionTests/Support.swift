import AWS
import CurlHTTP
import Foundation
import RecordSchema
import SigV4
import TestSupport

// Make (invocation records, REPORT lines) and runTool are in TestSupport, shared with AcceptanceTests.

extension LocalEmulator {
    /// Credentials, region and endpoint for in-process AWS clients.
    var configuration: AWSConfiguration {
        AWSConfiguration(
            credentials: AWSCredentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey, sessionToken: nil),
            region: region, endpointURL: endpoint)
    }
}

/// Invokes `function` `count` times (8 at a time) and returns the invocation records, as invoke would.
func invokeMany(_ emulator: LocalEmulator, function: String, count: Int, firstSeq: Int) async throws -> [Invocation] {
    let client = try LambdaClient(http: HTTPClient(maxConnections: 16), configuration: emulator.configuration)
    return try await Make.invokeMany(function: function, count: count, firstSeq: firstSeq) {
        let response = try await client.invoke(function: function, payload: Array(#"{"ms": 2}"#.utf8))
        return Make.Answer(
            status: response.status, requestId: response.header("x-amzn-RequestId"),
            functionError: response.header("X-Amz-Function-Error"))
    }
}
