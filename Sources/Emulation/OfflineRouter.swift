import Foundation
import NIOPosix

/// The emulator's request handling without a socket and without workers, for the fuzz target
/// of the HTTP layer (Fuzz/Sources/fuzz-emulator-http, docs/fuzzing.md): the router, the
/// SigV4 check, the Lambda, Logs and gateway APIs over the default functions, a log store
/// holding a few events, and a function pool that is shut down from the start, so every
/// invocation is answered as for a function that is gone (no process is ever started).
public final class OfflineRouter: Sendable {
    let router: Router

    /// `authenticate: false` is `--no-auth`; otherwise requests need the default key pair's signature.
    public init(stateDirectory: String, authenticate: Bool) throws {
        var options = EmulatorOptions()
        options.stateDirectory = stateDirectory
        options.credentials = authenticate ? [EmulatorOptions.defaultAccessKeyId: EmulatorOptions.defaultSecretAccessKey] : nil
        options.isolation = .dutyCycle
        options.logsRateLimit = 0
        options.updateDelayMs = 0
        options.logDelayMeanMs = 0
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let logs = try LogStore(path: stateDirectory + "/logs.sqlite")
        let stream = "2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef"
        let id = "8f5e8d7a-6b3c-4d2e-9f1a-0b1c2d3e4f50"
        logs.createStream(group: "/aws/lambda/faas_measure", name: stream, creationMs: 1_704_067_200_000)
        logs.append([
            LogStore.Batch(
                group: "/aws/lambda/faas_measure", stream: stream,
                events: [
                    (1_704_067_200_000, "START RequestId: \(id) Version: $LATEST"),
                    (1_704_067_200_100, "END RequestId: \(id)"),
                    (
                        1_704_067_200_100,
                        "REPORT RequestId: \(id)\tDuration: 100.00 ms\tBilled Duration: 100 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB"
                    ),
                ], ingestionMs: 1_704_067_200_200, visibleMs: 0)
        ])
        let control = ResourceControl(mode: options.isolation)
        // No environment ever starts, so no Runtime API listener runs on these event loops.
        let pool = FunctionPool(options: options, control: control, logs: logs, eventLoops: .singleton)
        pool.shutdown()
        router = Router(options: options, pool: pool, invoker: Invoker(pool: pool, logs: logs, options: options), logs: logs)
    }

    /// Routes one request as the server does once it has read it (`uri` as on the request
    /// line; `bodyTooLarge` when the body passed the payload limit and was dropped).
    public func respond(
        method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8], bodyTooLarge: Bool = false
    ) async -> (status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        let reply = await router.handle(HTTPRequest(method: method, uri: uri, headers: headers, body: body, bodyTooLarge: bodyTooLarge))
        return (reply.status, reply.headers, reply.body)
    }

    /// The payload limit the server drops bodies past (6 MB, as Lambda's synchronous one).
    public static var maxPayloadBytes: Int { EmulatorOptions.maxPayloadBytes }
}
