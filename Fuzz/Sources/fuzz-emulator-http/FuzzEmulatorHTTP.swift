import Dispatch
import Emulation
import FuzzSupport
import NIOCore
import NIOEmbedded
import NIOHTTP1

#if canImport(Glibc)
import Glibc
#endif

// lambda-emulator's HTTP layer: raw bytes from a client go through the server's NIO pipeline
// (`configureHTTPServerPipeline(withErrorHandling: true)`, as HTTPServer.bind sets it up),
// every complete request is assembled as HTTPServer.handle does (the payload limit included)
// and answered by the emulator's router (`OfflineRouter`: SigV4 check, Lambda, Logs and
// gateway APIs, no workers), and the answer is written back through the pipeline. The first
// byte chooses signature checking (odd) or `--no-auth` (even); the rest is the connection's bytes.

private let scratch: String = {
    var template = Array("/tmp/rightsize-fuzz-emulator.XXXXXX".utf8CString)
    guard let dir = mkdtemp(&template) else { FuzzInput.fail("mkdtemp") }
    let path = String(cString: dir)
    cleanup = path
    atexit {
        if let cleanup { system("rm -rf '\(cleanup)'") }
    }
    return path
}()
nonisolated(unsafe) private var cleanup: String?

private let routers: [OfflineRouter] = {
    do {
        return [
            try OfflineRouter(stateDirectory: scratch + "/no-auth", authenticate: false),
            try OfflineRouter(stateDirectory: scratch + "/auth", authenticate: true),
        ]
    } catch {
        FuzzInput.fail("cannot start the offline router: \(error)")
    }
}()

private func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: T?
    Task {
        result = await body()
        done.signal()
    }
    done.wait()
    return result!
}

private struct Assembly {
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var tooLarge = false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let router = routers[Int(data[0] & 1)]
    let channel = EmbeddedChannel()
    defer { _ = try? channel.finish() }
    do {
        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
    } catch {
        FuzzInput.fail("cannot configure the pipeline: \(error)")
    }
    let limit = OfflineRouter.maxPayloadBytes
    var a = Assembly()
    var buffer = channel.allocator.buffer(capacity: size - 1)
    buffer.writeBytes(UnsafeBufferPointer(start: data + 1, count: size - 1))
    do {
        try channel.writeInbound(buffer)
    } catch {
        return 0  // malformed HTTP: NIO's error handler answered 400
    }
    while let part = try? channel.readInbound(as: HTTPServerRequestPart.self) {
        switch part {
        case .head(let h):
            a = Assembly(head: h)
            if let length = h.headers.first(name: "content-length").flatMap({ Int($0) }), length > limit { a.tooLarge = true }
        case .body(let chunk):
            if a.tooLarge { continue }
            if a.body.count + chunk.readableBytes > limit {
                a.tooLarge = true
                a.body = []
                continue
            }
            a.body.append(contentsOf: chunk.readableBytesView)
        case .end:
            guard let h = a.head else { continue }
            let request = a
            a = Assembly()
            let reply = blocking {
                await router.respond(
                    method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) }, body: request.body,
                    bodyTooLarge: request.tooLarge)
            }
            var headers = HTTPHeaders(reply.headers.map { ($0.name, $0.value) })
            headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
            let head = HTTPResponseHead(version: h.version, status: .init(statusCode: reply.status), headers: headers)
            do {
                try channel.writeOutbound(HTTPServerResponsePart.head(head))
                if !reply.body.isEmpty {
                    try channel.writeOutbound(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(bytes: reply.body))))
                }
                try channel.writeOutbound(HTTPServerResponsePart.end(nil))
            } catch {
                FuzzInput.fail("cannot write the answer: \(error)")
            }
            while (try? channel.readOutbound(as: ByteBuffer.self)) != nil {}
        }
    }
    return 0
}

@main
enum Main {
    static func main() { FuzzInput.main { fuzz($0!, $1) } }
}
