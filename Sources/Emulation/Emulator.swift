import Foundation
import NIOCore
import NIOPosix

/// lambda-emulator: starts the server, prints how to use it, runs until SIGINT/SIGTERM,
/// then kills every worker, removes its cgroups and exits.
public enum Emulator {
    public static func run(_ options: EmulatorOptions) async throws -> Never {
        raiseFileLimit()
        try FileManager.default.createDirectory(atPath: options.stateDirectory, withIntermediateDirectories: true)
        let logs = try LogStore(path: options.stateDirectory + "/logs.sqlite")
        let control = ResourceControl(mode: options.isolation)
        if options.isolation == .cgroup && !control.usesCgroups {
            throw EmulatorError("no writable cgroup hierarchy (try --isolation duty-cycle)")
        }
        let pool = FunctionPool(options: options, control: control, logs: logs)
        let invoker = Invoker(pool: pool, logs: logs, options: options)
        let router = Router(options: options, pool: pool, invoker: invoker, logs: logs)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        let server = HTTPServer(router: router, group: group)
        let channel: NIOAsyncChannel<HTTPServer.Connection, Never>
        do {
            channel = try await server.bind(host: options.host, port: options.port)
        } catch {
            pool.shutdown()
            throw EmulatorError("cannot listen on \(options.host):\(options.port): \(error)")
        }
        let port = channel.channel.localAddress?.port ?? options.port
        let hostForURL = options.host.contains(":") ? "[\(options.host)]" : options.host
        let url = "http://\(hostForURL):\(port)"

        let sources = installSignalHandlers(pool: pool, invoker: invoker, portFile: options.portFile)
            + [startReaper(pool: pool, idleSeconds: options.idleTimeoutSeconds)]

        printBanner(url: url, options: options, control: control)
        if let portFile = options.portFile { try writeAtomically(portFile, "\(port)\n") }

        try await server.serve(channel)
        withExtendedLifetime(sources) {}
        pool.shutdown()
        invoker.flushLogs()
        exit(0)
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
        var info = "lambda-emulator: functions: " + options.config.functions.map { "\($0.name) (\($0.memoryMB) MB, \($0.timeoutSeconds) s)" }.joined(separator: ", ") + "\n"
        info += "lambda-emulator: isolation: \(control.description); state in \(options.stateDirectory)\n"
        FileHandle.standardError.write(Data(info.utf8))
    }

    static func writeAtomically(_ path: String, _ text: String) throws {
        let tmp = path + ".tmp.\(getpid())"
        try text.write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, path) == 0 else { throw EmulatorError("cannot write \(path)") }
    }

    private static func raiseFileLimit() {
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    private static func installSignalHandlers(pool: FunctionPool, invoker: Invoker, portFile: String?) -> [any DispatchSourceProtocol] {
        signal(SIGPIPE, SIG_IGN)
        var sources: [any DispatchSourceProtocol] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                FileHandle.standardError.write(Data("lambda-emulator: stopping (\(sig == SIGINT ? "SIGINT" : "SIGTERM"))\n".utf8))
                pool.shutdown()
                invoker.flushLogs()
                if let portFile { unlink(portFile) }
                exit(0)
            }
            source.resume()
            sources.append(source)
        }
        return sources
    }

    private static func startReaper(pool: FunctionPool, idleSeconds: Double) -> any DispatchSourceProtocol {
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
