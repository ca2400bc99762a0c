import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What answers the requests of one `HTTPServer`: the emulator's `Router` (the Lambda API,
/// the Logs API and gateway routes on the public port), or one execution environment's
/// Runtime API (`RuntimeAPIHandler`, on a loopback port of its own).
protocol HTTPRequestHandler: Sendable {
    func handle(_ request: HTTPRequest) async -> HTTPReply
    func newRequestId() -> String
    /// The largest body a request may have (larger ones arrive with `bodyTooLarge`).
    func bodyLimit(method: String, path: String) -> Int
}

extension HTTPRequestHandler {
    func bodyLimit(method: String, path: String) -> Int { EmulatorOptions.maxPayloadBytes }
}

/// The HTTP/1.1 server: one port for the Lambda API, the Logs API and gateway routes, and
/// one more per execution environment of a user's function, for its Runtime API.
///
/// Malformed HTTP gets NIO's 400 answer and the connection closes; bodies over the
/// payload limit are drained and answered 413; keep-alive connections are reused.
/// `ConnectionLimits` bounds how many connections are open and how long each may take
/// to send a request.
struct HTTPServer {
    let handler: any HTTPRequestHandler
    let group: MultiThreadedEventLoopGroup
    let limits: ConnectionLimits
    let connections = ConnectionCount()

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    /// A connection, and whether it is over the cap (answered 503, then closed).
    typealias Accepted = (connection: Connection, overCap: Bool)

    func bind(host: String, port: Int) async throws -> NIOAsyncChannel<Accepted, Never> {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { [limits, connections] channel in
                channel.eventLoop.makeCompletedFuture {
                    let admitted = connections.admit(channel, limit: limits.maxConnections)
                    let deadline = ConnectionDeadline(limits: limits)
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(RequestStartWatch(deadline))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(RequestEndWatch(deadline))
                    return (try Connection(wrappingChannelSynchronously: channel), !admitted)
                }
            }
    }

    func serve(_ server: NIOAsyncChannel<Accepted, Never>) async throws {
        try await withThrowingDiscardingTaskGroup { tasks in
            try await server.executeThenClose { connections in
                for try await accepted in connections {
                    tasks.addTask { await handle(accepted.connection, overCap: accepted.overCap) }
                }
            }
        }
    }

    private func handle(_ connection: Connection, overCap: Bool) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var head: HTTPRequestHead?
                var limit = EmulatorOptions.maxPayloadBytes
                var body: [UInt8] = []
                var tooLarge = false
                for try await part in inbound {
                    switch part {
                    case .head(let h):
                        head = h
                        body = []
                        tooLarge = false
                        limit = handler.bodyLimit(method: h.method.rawValue, path: String(h.uri.prefix { $0 != "?" }))
                        if let length = h.headers.first(name: "content-length").flatMap({ Int($0) }), length > limit {
                            tooLarge = true
                        } else if let length = h.headers.first(name: "content-length").flatMap({ Int($0) }) {
                            body.reserveCapacity(length)
                        }
                        if h.headers.first(name: "expect")?.lowercased() == "100-continue", !tooLarge {
                            try await outbound.write(.head(HTTPResponseHead(version: h.version, status: .continue)))
                        }
                    case .body(let chunk):
                        if tooLarge { continue }
                        if body.count + chunk.readableBytes > limit {
                            tooLarge = true
                            body = []
                            continue
                        }
                        body.append(contentsOf: chunk.readableBytesView)
                    case .end:
                        guard let h = head else { continue }
                        head = nil
                        let request = HTTPRequest(
                            method: h.method.rawValue, uri: h.uri,
                            headers: h.headers.map { ($0.name, $0.value) }, body: body, bodyTooLarge: tooLarge)
                        body = []
                        let reply =
                            overCap
                            ? AWSError.lambda(
                                503, "ServiceException",
                                "lambda-emulator: more than \(limits.maxConnections) open connections (--max-connections); retry",
                                requestId: handler.newRequestId())
                            : await handler.handle(request)
                        var headers = HTTPHeaders(reply.headers.map { ($0.name, $0.value) })
                        headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
                        headers.replaceOrAdd(name: "Date", value: HTTPDate.now())
                        let keepAlive = h.isKeepAlive && !tooLarge && !overCap
                        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
                        try await outbound.write(
                            .head(HTTPResponseHead(version: h.version, status: .init(statusCode: reply.status), headers: headers)))
                        if !reply.body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))) }
                        try await outbound.write(.end(nil))
                        if !keepAlive { return }
                    }
                }
            }
        } catch {
            // The peer went away or sent garbage (already answered by NIO's error handler).
        }
    }
}

/// The Date header (RFC 9110's IMF-fixdate), formatted by Foundation at most once a second.
enum HTTPDate {
    private struct Cache: @unchecked Sendable {  // the formatter is used only under the lock
        var second = Int.min
        var text = ""
        let formatter: DateFormatter = {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "GMT")
            f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            return f
        }()
    }
    private static let cache = Mutex(Cache())

    static func now() -> String {
        let now = Date()
        let second = Int(now.timeIntervalSince1970.rounded(.down))
        return cache.withLock { c in
            if c.second != second {
                c.second = second
                c.text = c.formatter.string(from: now)
            }
            return c.text
        }
    }
}
