import CLinux
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// lambda-emulator's server: `start` binds, prints how to use it and returns a handle; `stop`
/// kills every worker, flushes the log store, removes the cgroups and closes every connection.
/// Nothing here exits the process, so a test can run an emulator in-process.
public enum Emulator {
    public static func start(_ options: EmulatorOptions) async throws -> RunningEmulator {
        _ = rs_raise_open_file_limit()
        signal(SIGPIPE, SIG_IGN)
        try FileManager.default.createDirectory(atPath: options.stateDirectory, withIntermediateDirectories: true)
        let logs = try LogStore(path: options.stateDirectory + "/logs.sqlite")
        let control = ResourceControl(mode: options.isolation)
        if options.isolation == .cgroup && !control.usesCgroups {
            throw EmulatorError("no writable cgroup hierarchy (try --isolation duty-cycle)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        let pool = FunctionPool(options: options, control: control, logs: logs, eventLoops: group)
        let invoker = Invoker(pool: pool, logs: logs, options: options)
        let router = Router(options: options, pool: pool, invoker: invoker, logs: logs)
        let server = HTTPServer(handler: router, group: group, limits: options.connections)
        let channel: NIOAsyncChannel<HTTPServer.Accepted, Never>
        do {
            channel = try await server.bind(host: options.host, port: options.port)
        } catch {
            pool.shutdown()
            try? await group.shutdownGracefully()
            throw EmulatorError("cannot listen on \(options.host):\(options.port): \(error)")
        }
        let port = channel.channel.localAddress?.port ?? options.port
        let hostForURL = options.host.contains(":") ? "[\(options.host)]" : options.host
        let url = "http://\(hostForURL):\(port)"
        // A user runtime's functions call back here: a wildcard listening address is reached on loopback.
        let callbackHost = ["0.0.0.0", "::", ""].contains(options.host) ? "127.0.0.1" : hostForURL
        pool.setEndpoint("http://\(callbackHost):\(port)")
        let serving = Task { _ = try? await server.serve(channel) }
        let emulator = RunningEmulator(
            url: url, port: port, portFile: options.portFile, pool: pool, invoker: invoker, group: group,
            listener: channel.channel, serving: serving,
            reaper: startReaper(pool: pool, idleSeconds: options.idleTimeoutSeconds))
        printBanner(url: url, options: options, control: control)
        if let portFile = options.portFile { try writeAtomically(portFile, "\(port)\n") }
        return emulator
    }

    static func printBanner(url: String, options: EmulatorOptions, control: ResourceControl) {
        var text = "lambda-emulator listening on \(url)\n"
        if let credentials = options.credentials, let (key, secret) = credentials.first {
            let shownSecret = secret == EmulatorOptions.defaultSecretAccessKey ? secret : "<the secret you configured>"
            text += """
                export AWS_ENDPOINT_URL=\(url)
                export AWS_ACCESS_KEY_ID=\(key)
                export AWS_SECRET_ACCESS_KEY=\(shownSecret)
                export AWS_DEFAULT_REGION=\(options.region)

                """
        } else {
            text += "export AWS_ENDPOINT_URL=\(url)\n# --no-auth: requests are not signature-checked\n"
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        var info =
            "lambda-emulator: functions: "
            + options.config.functions.map { "\($0.name) (\($0.memoryMB) MB, \($0.timeoutSeconds) s)" }.joined(separator: ", ") + "\n"
        info += "lambda-emulator: isolation: \(control.description); state in \(options.stateDirectory)\n"
        FileHandle.standardError.write(Data(info.utf8))
    }

    static func writeAtomically(_ path: String, _ text: String) throws {
        let tmp = path + ".tmp.\(getpid())"
        try text.write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, path) == 0 else { throw EmulatorError("cannot write \(path)") }
    }

    private static func startReaper(pool: FunctionPool, idleSeconds: Double) -> any DispatchSourceTimer {
        let interval = min(1.0, max(0.05, idleSeconds / 4))
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { pool.reapIdle() }
        timer.resume()
        return timer
    }
}

public struct EmulatorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A started emulator. `stop()` may be called from any task, more than once; the first call
/// does the work and later ones wait for it.
public final class RunningEmulator: @unchecked Sendable {  // the reaper is only cancelled; `stopping` is locked
    public let url: String
    public let port: Int
    private let portFile: String?
    private let pool: FunctionPool
    private let invoker: Invoker
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let serving: Task<Void, Never>
    private let reaper: any DispatchSourceTimer
    private let stopping = Mutex<Task<Void, Never>?>(nil)

    init(
        url: String, port: Int, portFile: String?, pool: FunctionPool, invoker: Invoker, group: MultiThreadedEventLoopGroup,
        listener: any Channel, serving: Task<Void, Never>, reaper: any DispatchSourceTimer
    ) {
        self.url = url
        self.port = port
        self.portFile = portFile
        self.pool = pool
        self.invoker = invoker
        self.group = group
        self.listener = listener
        self.serving = serving
        self.reaper = reaper
    }

    /// What the emulator has counted so far (also after `stop()`): calls in flight and their
    /// peak, invocations, throttles, environments (`GET /rightsize/2026-12-01/stats`).
    public func statistics() -> EmulatorStatistics { pool.statistics() }

    public func stop() async {
        let task = stopping.withLock { current in
            if let current { return current }
            let task = Task { [self] in
                reaper.cancel()
                pool.shutdown()
                invoker.stopLogs()
                if let portFile { unlink(portFile) }
                // No new connections; then end each connection's handler, which may be waiting
                // for a keep-alive client's next request, and the event loops.
                try? await listener.close()
                serving.cancel()
                await serving.value
                try? await group.shutdownGracefully()
            }
            current = task
            return task
        }
        await task.value
    }
}
