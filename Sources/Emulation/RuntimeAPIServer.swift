import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// One execution environment's Runtime API listener: 127.0.0.1 and a port of its own,
/// chosen by the OS, that the runtime finds in `AWS_LAMBDA_RUNTIME_API`.
///
/// One listener per environment (rather than one shared port with the environment in the
/// path) keeps environments apart with nothing to trust from the runtime: an environment can
/// only reach its own invocations, and every runtime client (awslambdaric, the Rust, Go and
/// Swift runtimes, a shell loop with curl) takes `host:port` and builds the paths itself.
/// It runs on the emulator's event loops with the same HTTP layer as the public port; the
/// request deadline never cuts a long poll, which is a request already received.
final class RuntimeAPIServer: Sendable {
    let port: Int
    private let listener: any Channel
    private let serving: Task<Void, Never>

    private init(port: Int, listener: any Channel, serving: Task<Void, Never>) {
        self.port = port
        self.listener = listener
        self.serving = serving
    }

    /// Binds and starts serving. Blocks the calling thread (an environment's controlling
    /// thread, never an event loop) until the listener is bound.
    static func start(session: RuntimeSession, eventLoops: MultiThreadedEventLoopGroup) throws -> RuntimeAPIServer {
        let server = HTTPServer(handler: RuntimeAPIHandler(session: session), group: eventLoops, limits: ConnectionLimits())
        let channel = try Blocking.wait { try await server.bind(host: "127.0.0.1", port: 0) }
        guard let port = channel.channel.localAddress?.port else {
            channel.channel.close(promise: nil)
            throw EnvironmentStartError.spawn("the Runtime API listener has no port")
        }
        let serving = Task { _ = try? await server.serve(channel) }
        return RuntimeAPIServer(port: port, listener: channel.channel, serving: serving)
    }

    /// Stops listening and ends the connections' handlers (the runtime's own ends close with its process).
    func close() {
        listener.close(promise: nil)
        serving.cancel()
    }
}

/// Async work run to completion from a thread that may block.
enum Blocking {
    private final class Outcome<T: Sendable>: Sendable {
        let value = Mutex<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.value.withLock { $0 = result }
            outcome.done.signal()
        }
        outcome.done.wait()
        return try outcome.value.withLock { $0! }.get()
    }
}
