/// Leading `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` timestamps, without Foundation.
enum ISO8601 {
    static func parseMs(_ b: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        ReportLineParser.skipBlanks(b, &i)
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let d = b[i + k] &- 0x30
                guard d < 10 else { return nil }
                v = v * 10 + Int(d)
            }
            i += n
            return v
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }
        guard let y = digits(4), expect(UInt8(ascii: "-")), let mo = digits(2), expect(UInt8(ascii: "-")), let d = digits(2),
            i < b.count, b[i] == UInt8(ascii: "T") || b[i] == 0x20
        else { return nil }
        i += 1
        guard let h = digits(2), expect(UInt8(ascii: ":")), let mi = digits(2), expect(UInt8(ascii: ":")), let s = digits(2)
        else { return nil }
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] &- 0x30 < 10 {
                fraction += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        var offsetMin = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let oh = digits(2) else { return nil }
            _ = expect(UInt8(ascii: ":"))
            let om = digits(2) ?? 0
            offsetMin = sign * (oh * 60 + om)
        }
        // Days from the civil date (Howard Hinnant's algorithm).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146097 + doe - 719468
        let seconds = Double(days * 86400 + h * 3600 + mi * 60 + s - offsetMin * 60) + fraction
        return (seconds * 1000).rounded()
    }
}
