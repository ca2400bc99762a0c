import JSON

/// The ranges faas_measure's arguments must fall in (docs/lambda-emulator.md): each fits
/// its type, and none asks for more than one Lambda environment could give. A value out of
/// range is a function error (`InvalidArgument`), never a crash of the worker.
enum ArgumentLimits {
    /// Lambda's longest timeout (15 minutes), for every duration.
    static let maxMilliseconds = 900_000.0
    /// `cpu`'s `n`: far beyond 15 minutes of one core, and n × 100,000 steps fits an Int.
    static let maxCPUUnits = 10_000_000
    /// Lambda's largest memory size.
    static let maxAllocMB = 10_240.0
    /// `io`'s block size and block count.
    static let maxIOBlockBytes = 64 << 20
    static let maxIOBlocks = 1 << 20

    /// nil when the argument is absent; a `Failure` when it is not a number in `range`.
    static func number(
        _ node: JSONNode?, _ key: String, in range: ClosedRange<Double>, command: String
    ) throws(FunctionHandler.Failure)
        -> Double?
    {
        guard let node else { return nil }
        guard let d = node.double, range.contains(d) else {
            throw FunctionHandler.Failure(
                type: "InvalidArgument",
                message: "\(command): \"\(key)\" must be a number in \(format(range.lowerBound))...\(format(range.upperBound))")
        }
        return d
    }

    static func integer(
        _ node: JSONNode?, _ key: String, in range: ClosedRange<Int>, command: String
    ) throws(FunctionHandler.Failure)
        -> Int?
    {
        guard let node else { return nil }
        guard let i = node.int, range.contains(i) else {
            throw FunctionHandler.Failure(
                type: "InvalidArgument", message: "\(command): \"\(key)\" must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// A byte count: an integer, or a string in dd's notation as the seed's payloads give it
    /// (`"1M"`, `"1kB"`, `"512"`): c 1, w 2, b 512, kB 1000, K (or k, KiB) 1024, MB 1000², M 1024², GB, G.
    static func byteCount(
        _ node: JSONNode?, _ key: String, in range: ClosedRange<Int>, command: String
    ) throws(FunctionHandler.Failure) -> Int? {
        guard let text = node?.string else { return try integer(node, key, in: range, command: command) }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let units: [String: Int] = [
            "": 1, "c": 1, "w": 2, "b": 512, "kB": 1000, "K": 1024, "k": 1024, "KiB": 1024,
            "MB": 1_000_000, "M": 1 << 20, "xM": 1 << 20, "MiB": 1 << 20, "GB": 1_000_000_000, "G": 1 << 30, "GiB": 1 << 30,
        ]
        guard let n = Int(digits), let unit = units[String(text.dropFirst(digits.count))],
            case (let bytes, let overflow) = n.multipliedReportingOverflow(by: unit), !overflow, range.contains(bytes)
        else {
            throw FunctionHandler.Failure(
                type: "InvalidArgument",
                message:
                    "\(command): \"\(key)\" must be a byte count in \(range.lowerBound)...\(range.upperBound) (an integer, or dd's notation such as \"1M\"), got \"\(text)\""
            )
        }
        return bytes
    }

    private static func format(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
}

/// Deterministic CPU-bound work: `n` x 100,000 steps of a 64-bit mixing function, so
/// `{"cpu": {"n": 600}}` (data/payloads/cpu.json) is roughly 60-120 ms of one core.
enum CPUWork {
    @inline(never)
    static let stepsPerUnit = 100_000

    static func run(steps total: Int) -> UInt64 {
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        var i = 0
        while i < total {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            x ^= x >> 29
            i &+= 1
        }
        return x
    }
}
