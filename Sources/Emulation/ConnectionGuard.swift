import NIOCore
import NIOHTTP1
import Synchronization

/// What keeps a client from holding the server's resources: a cap on open connections and
/// two deadlines per connection (docs/lambda-emulator.md, *Connections*).
///
/// - A request must arrive whole within `requestTimeoutSeconds` of its first byte, so a
///   client that sends its headers or body a byte at a time (slowloris) is disconnected.
/// - A keep-alive connection with no request for `idleTimeoutSeconds` is closed.
/// - Past `maxConnections` open connections a new one is answered 503 and closed, rather
///   than left to wait; every connection's handler holds a thread while its function runs,
///   so an unbounded number of them would exhaust the process.
public struct ConnectionLimits: Sendable, Equatable {
    public var maxConnections = 1024
    public var requestTimeoutSeconds = 10.0
    public var idleTimeoutSeconds = 60.0

    public init() {}
}

/// The number of open connections, shared by every event loop.
final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)

    /// Counts a new connection until it closes; false when it is over the cap.
    func admit(_ channel: any Channel, limit: Int) -> Bool {
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { [self] _ in _ = open.wrappingSubtract(1, ordering: .relaxed) }
        return count <= limit
    }

    var current: Int { open.load(ordering: .relaxed) }
}

/// The deadline of one connection: armed while idle and while a request is arriving,
/// disarmed while the request is being answered (a function may run for 15 minutes).
/// Used only on the connection's event loop, by the two handlers below.
final class ConnectionDeadline {
    private var timer: Scheduled<Void>?
    private(set) var receiving = false
    let limits: ConnectionLimits

    init(limits: ConnectionLimits) { self.limits = limits }

    func arm(_ context: ChannelHandlerContext, seconds: Double) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) { channel.close(promise: nil) }
    }

    func disarm() {
        timer?.cancel()
        timer = nil
    }

    func requestStarted(_ context: ChannelHandlerContext) {
        guard !receiving else { return }
        receiving = true
        arm(context, seconds: limits.requestTimeoutSeconds)
    }

    func requestComplete() {
        receiving = false
        disarm()
    }
}

/// First in the pipeline: sees the raw bytes, so it knows when a request starts to arrive.
final class RequestStartWatch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let deadline: ConnectionDeadline

    init(_ deadline: ConnectionDeadline) { self.deadline = deadline }

    func channelActive(context: ChannelHandlerContext) {
        deadline.arm(context, seconds: deadline.limits.idleTimeoutSeconds)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { deadline.arm(context, seconds: deadline.limits.idleTimeoutSeconds) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline.requestStarted(context)
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline.disarm()
        context.fireChannelInactive()
    }
}

/// After the HTTP codec: a request's end stops the clock; the end of its response starts
/// the idle clock.
final class RequestEndWatch: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart
    let deadline: ConnectionDeadline

    init(_ deadline: ConnectionDeadline) { self.deadline = deadline }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { deadline.requestComplete() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), !deadline.receiving {
            deadline.arm(context, seconds: deadline.limits.idleTimeoutSeconds)
        }
        context.write(data, promise: promise)
    }
}
