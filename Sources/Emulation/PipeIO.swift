import ToolSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking reads and writes of whole buffers on a pipe, and the worker protocol's frames.
///
/// Frames are `u32 big-endian length` + bytes. A request is one frame (the payload);
/// a response is a kind byte (0 = result, 1 = function error) then two frames: the
/// result (or the error JSON) and the function's own log output.
enum PipeIO {
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool { FileDescriptorIO.writeAll(fd, bytes) }

    /// Reads exactly `count` bytes; nil on end of file or error.
    static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        if count == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        let ok = buffer.withUnsafeMutableBytes { raw -> Bool in
            while offset < count {
                let n = read(fd, raw.baseAddress! + offset, count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                if n == 0 { return false }
                offset += n
            }
            return true
        }
        return ok ? buffer : nil
    }

    static func lengthPrefix(_ count: Int) -> [UInt8] {
        let n = UInt32(count)
        return [UInt8(n >> 24), UInt8((n >> 16) & 0xFF), UInt8((n >> 8) & 0xFF), UInt8(n & 0xFF)]
    }

    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let header = readExactly(fd, 4) else { return nil }
        let n = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        return readExactly(fd, n)
    }

    static func frame(_ bytes: [UInt8]) -> [UInt8] { lengthPrefix(bytes.count) + bytes }
}

/// What the worker answers for one request.
struct WorkerResponse: Sendable {
    var isError: Bool
    /// The function's result (JSON), or `{"errorMessage", "errorType"}` when `isError`.
    var body: [UInt8]
    /// The function's own output, one log event per line.
    var logText: String

    func encoded() -> [UInt8] {
        [isError ? 1 : 0] + PipeIO.frame(body) + PipeIO.frame(Array(logText.utf8))
    }

    static func read(_ fd: Int32) -> WorkerResponse? {
        guard let kind = PipeIO.readExactly(fd, 1), let body = PipeIO.readFrame(fd),
            let log = PipeIO.readFrame(fd)
        else { return nil }
        return WorkerResponse(isError: kind[0] != 0, body: body, logText: String(decoding: log, as: UTF8.self))
    }
}
