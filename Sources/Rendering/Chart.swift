#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A chart drawn as inline SVG by our own code (no scripts, no external resources),
/// always paired with a table holding the same numbers, for screen readers and grep.
public struct Chart {
    public enum Scale: Sendable { case linear, log2 }
    public enum TickFormat: Sendable { case number, memory, percent }

    public struct Axis {
        /// Label including the unit, e.g. "Memory (MB)".
        public var label: String
        public var scale: Scale = .linear
        /// Force the axis to include zero (durations, costs, counts).
        public var includeZero = true
        /// Explicit tick positions (e.g. the memory sizes measured); nil = "nice" ticks.
        public var ticks: [Double]?
        public var format: TickFormat = .number
        /// Named categories at x = 0..<n (bars span [k, k+1)); labels replace numeric ticks.
        public var categories: [String]?
        public init(
            _ label: String, scale: Scale = .linear, includeZero: Bool = true, ticks: [Double]? = nil,
            format: TickFormat = .number, categories: [String]? = nil
        ) {
            self.label = label
            self.scale = scale
            self.includeZero = includeZero
            self.ticks = ticks
            self.format = format
            self.categories = categories
        }
    }

    public struct Point: Sendable {
        public var x: Double, y: Double
        public init(_ x: Double, _ y: Double) {
            self.x = x
            self.y = y
        }
    }

    public enum Mark {
        case line([Point], dashed: Bool = false)
        /// Filled area between two curves sampled at the same x values.
        case band(lower: [Point], upper: [Point])
        case points([Point])
        /// Emphasised points with a short text label (recommendations).
        case markers([(Point, String)])
        /// Histogram bars [x0, x1) with height y.
        case bars([(x0: Double, x1: Double, y: Double)])
        /// A wide, translucent line under the others: a plan or target that a measured line should follow.
        case trace([Point])
    }

    public struct Series {
        public var name: String
        /// Colour slot 0..5 (CSS variables, so dark mode and print restyle them).
        public var color: Int
        public var mark: Mark
        public init(_ name: String, color: Int, _ mark: Mark) {
            self.name = name
            self.color = color
            self.mark = mark
        }
    }

    public var id: String
    public var title: String
    /// One or two sentences saying what the chart shows (SVG <desc>).
    public var summary: String
    public var x: Axis
    public var y: Axis
    public var series: [Series]
    public var table: DataTable

    public init(id: String, title: String, summary: String, x: Axis, y: Axis, series: [Series], table: DataTable) {
        self.id = id
        self.title = title
        self.summary = summary
        self.x = x
        self.y = y
        self.series = series
        self.table = table
    }

    // Geometry of the drawing, in SVG user units.
    static let width = 640.0, height = 340.0
    static let left = 66.0, right = 14.0, top = 12.0, bottom = 46.0

    /// Number of plotted data points (points, markers, bars and line vertices).
    public var pointCount: Int {
        series.reduce(0) { n, s in
            switch s.mark {
            case .line(let p, _): n + p.count
            case .band(let lo, _): n + lo.count
            case .points(let p): n + p.count
            case .markers(let m): n + m.count
            case .bars(let b): n + b.count
            case .trace(let p): n + p.count
            }
        }
    }

    /// The figure: title, SVG, legend, `footer` (HTML, already escaped) and the table equivalent.
    public func render(into out: inout String, footer: String = "") {
        out += "<figure class=\"chart\" id=\"\(id)\">\n<figcaption>\(HTML.escape(title))</figcaption>\n"
        renderSVG(into: &out)
        if series.count > 1 || series.contains(where: { if case .markers = $0.mark { true } else { false } }) {
            out += "<ul class=\"legend\">"
            for s in series {
                let shape: String
                switch s.mark {
                case .line(_, let dashed): shape = dashed ? "dash" : "line"
                case .band: shape = "band"
                case .points, .markers: shape = "dot"
                case .bars: shape = "bar"
                case .trace: shape = "trace"
                }
                out += "<li><span class=\"key \(shape) c\(s.color)\"></span>\(HTML.escape(s.name))</li>"
            }
            out += "</ul>\n"
        }
        out += footer
        table.render(into: &out, caption: "Data: " + title)
        out += "</figure>\n"
    }

    func renderSVG(into out: inout String) {
        let allX = series.flatMap { Self.xs($0.mark) }
        let allY = series.flatMap { Self.ys($0.mark) }
        let xr = Self.domain(allX + (x.ticks ?? []), axis: x)
        let yr = Self.domain(allY, axis: y)
        let plotW = Self.width - Self.left - Self.right
        let plotH = Self.height - Self.top - Self.bottom
        let px: (Double) -> Double = { v in Self.left + plotW * Self.fraction(v, xr.lo, xr.hi, x.scale) }
        let py: (Double) -> Double = { v in Self.top + plotH * (1 - Self.fraction(v, yr.lo, yr.hi, y.scale)) }
        let c = Fmt.coord

        out +=
            "<svg viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" data-points=\"\(pointCount)\">"
        out += "<title id=\"\(id)-t\">\(HTML.escape(title))</title><desc id=\"\(id)-d\">\(HTML.escape(summary))</desc>\n"
        out +=
            "<defs><clipPath id=\"\(id)-clip\"><rect x=\"\(c(Self.left))\" y=\"\(c(Self.top))\" width=\"\(c(plotW))\" height=\"\(c(plotH))\"/></clipPath></defs>\n"

        // Grid and ticks.
        out += "<g class=\"grid\">"
        for t in xr.ticks where x.categories == nil {
            out += "<line x1=\"\(c(px(t)))\" x2=\"\(c(px(t)))\" y1=\"\(c(Self.top))\" y2=\"\(c(Self.top + plotH))\"/>"
        }
        for t in yr.ticks { out += "<line x1=\"\(c(Self.left))\" x2=\"\(c(Self.left + plotW))\" y1=\"\(c(py(t)))\" y2=\"\(c(py(t)))\"/>" }
        out += "</g>\n<g class=\"axis\">"
        out += "<line x1=\"\(c(Self.left))\" x2=\"\(c(Self.left + plotW))\" y1=\"\(c(Self.top + plotH))\" y2=\"\(c(Self.top + plotH))\"/>"
        out += "<line x1=\"\(c(Self.left))\" x2=\"\(c(Self.left))\" y1=\"\(c(Self.top))\" y2=\"\(c(Self.top + plotH))\"/>"
        var lastLabelX = -1000.0
        for t in xr.ticks {
            let tickX = px(t)
            let label =
                x.categories.map { HTML.escape($0[min($0.count - 1, max(0, Int(t)))]) }
                ?? Self.tickLabel(t, step: xr.step, format: x.format)
            // Skip labels that would overlap the previous one (close memory sizes).
            guard tickX - lastLabelX >= Double(label.count) * 7 + 6 else { continue }
            lastLabelX = tickX
            out += "<text x=\"\(c(tickX))\" y=\"\(c(Self.top + plotH + 16))\" text-anchor=\"middle\">\(label)</text>"
        }
        for t in yr.ticks {
            out +=
                "<text x=\"\(c(Self.left - 6))\" y=\"\(c(py(t) + 4))\" text-anchor=\"end\">\(Self.tickLabel(t, step: yr.step, format: y.format))</text>"
        }
        out +=
            "<text class=\"label\" x=\"\(c(Self.left + plotW / 2))\" y=\"\(c(Self.height - 8))\" text-anchor=\"middle\">\(HTML.escape(x.label))</text>"
        out +=
            "<text class=\"label\" transform=\"translate(14 \(c(Self.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(HTML.escape(y.label))</text>"
        out += "</g>\n<g clip-path=\"url(#\(id)-clip)\">"

        // Data: bands first, then bars, lines, points and markers on top.
        let order: [(Mark) -> Bool] = [
            { if case .band = $0 { true } else { false } },
            { if case .trace = $0 { true } else { false } },
            { if case .bars = $0 { true } else { false } },
            { if case .line = $0 { true } else { false } },
            { if case .points = $0 { true } else { false } },
        ]
        for matches in order {
            for s in series where matches(s.mark) {
                let cls = "c\(s.color)"
                switch s.mark {
                case .band(let lo, let hi):
                    guard !lo.isEmpty else { continue }
                    var d = ""
                    for (k, p) in hi.enumerated() { d += (k == 0 ? "M" : "L") + c(px(p.x)) + " " + c(py(p.y)) }
                    for p in lo.reversed() { d += "L" + c(px(p.x)) + " " + c(py(p.y)) }
                    out += "\n<path class=\"band \(cls)\" d=\"\(d)Z\"/>"
                case .bars(let bars):
                    out += "\n<g class=\"bar \(cls)\">"
                    for b in bars {
                        let x0 = px(b.x0)
                        let x1 = px(b.x1)
                        let y0 = py(b.y)
                        let base = py(max(yr.lo, 0))
                        out +=
                            "<rect x=\"\(c(x0 + 0.5))\" y=\"\(c(y0))\" width=\"\(c(max(0.5, x1 - x0 - 1)))\" height=\"\(c(max(0, base - y0)))\"/>"
                        // Category bars carry their count, so small bars beside big ones stay readable.
                        if x.categories != nil, b.y > 0 {
                            out +=
                                "<text class=\"value\" x=\"\(c((x0 + x1) / 2))\" y=\"\(c(max(Self.top + 10, y0 - 3)))\" text-anchor=\"middle\">\(Fmt.count(Int(b.y)))</text>"
                        }
                    }
                    out += "</g>"
                case .line(let pts, let dashed):
                    guard !pts.isEmpty else { continue }
                    var d = ""
                    for (k, p) in pts.enumerated() { d += (k == 0 ? "M" : "L") + c(px(p.x)) + " " + c(py(p.y)) }
                    out += "\n<path class=\"line \(cls)\(dashed ? " dashed" : "")\" d=\"\(d)\"/>"
                    if pts.count == 1 {  // a one-point line still shows as a dot
                        out += "<circle class=\"pt \(cls)\" cx=\"\(c(px(pts[0].x)))\" cy=\"\(c(py(pts[0].y)))\" r=\"3\"/>"
                    }
                case .points(let pts):
                    out += "\n<g class=\"pt \(cls)\">"
                    for p in pts { out += "<circle cx=\"\(c(px(p.x)))\" cy=\"\(c(py(p.y)))\" r=\"2.2\"/>" }
                    out += "</g>"
                case .trace(let pts):
                    guard !pts.isEmpty else { continue }
                    var d = ""
                    for (k, p) in pts.enumerated() { d += (k == 0 ? "M" : "L") + c(px(p.x)) + " " + c(py(p.y)) }
                    out += "\n<path class=\"trace \(cls)\" d=\"\(d)\"/>"
                case .markers: break
                }
            }
        }
        out += "</g>"
        // Markers are drawn unclipped; their labels are placed to avoid each other and the frame.
        var placed: [(x0: Double, x1: Double, y: Double)] = []
        for s in series {
            guard case .markers(let ms) = s.mark else { continue }
            out += "\n<g class=\"marker c\(s.color)\">"
            for (p, label) in ms {
                let markerX = px(p.x)
                let markerY = py(p.y)
                out += "<circle cx=\"\(c(markerX))\" cy=\"\(c(markerY))\" r=\"5.5\"/>"
                guard !label.isEmpty else { continue }
                let w = Double(label.count) * 6.6
                let anchor = markerX > Self.left + plotW * 0.7 ? "end" : "start"
                let x0 = anchor == "end" ? markerX - 8 - w : markerX + 8
                let x1 = x0 + w
                var y = markerY - 8
                for dy in [-8.0, 18, -22, 32, -36, 46, -50, 60] {
                    y = min(max(markerY + dy, Self.top + 11), Self.top + plotH - 4)
                    // 12 px apart at least.
                    if !placed.contains(where: { $0.x0 < x1 + 12 && x0 < $0.x1 + 12 && abs($0.y - y) < 13 }) { break }
                }
                placed.append((x0, x1, y))
                out +=
                    "<text x=\"\(c(anchor == "end" ? markerX - 8 : markerX + 8))\" y=\"\(c(y))\" text-anchor=\"\(anchor)\">\(HTML.escape(label))</text>"
            }
            out += "</g>"
        }
        out += "\n</svg>\n"
    }

    // MARK: Scales and ticks

    struct Domain { var lo: Double, hi: Double, step: Double, ticks: [Double] }

    static func xs(_ m: Mark) -> [Double] {
        switch m {
        case .line(let p, _), .points(let p), .trace(let p): p.map(\.x)
        case .band(let lo, let hi): lo.map(\.x) + hi.map(\.x)
        case .markers(let ms): ms.map { $0.0.x }
        case .bars(let b): b.flatMap { [$0.x0, $0.x1] }
        }
    }

    static func ys(_ m: Mark) -> [Double] {
        switch m {
        case .line(let p, _), .points(let p): p.map(\.y)
        case .band(let lo, let hi): lo.map(\.y) + hi.map(\.y)
        case .markers(let ms): ms.map { $0.0.y }
        case .bars(let b): b.map { $0.y * 1.08 } + [0]  // headroom for the count labels
        case .trace(let p): p.map(\.y)
        }
    }

    static func fraction(_ v: Double, _ lo: Double, _ hi: Double, _ scale: Scale) -> Double {
        switch scale {
        case .linear: return hi > lo ? (v - lo) / (hi - lo) : 0.5
        case .log2:
            let a = log2(max(lo, 1e-12))
            let b = log2(max(hi, 1e-12))
            return b > a ? (log2(max(v, 1e-12)) - a) / (b - a) : 0.5
        }
    }

    static func domain(_ values: [Double], axis: Axis) -> Domain {
        let finite = values.filter { $0.isFinite && (axis.scale == .linear || $0 > 0) }
        var lo = finite.min() ?? 0
        var hi = finite.max() ?? 1
        switch axis.scale {
        case .log2:
            if finite.isEmpty {
                lo = 128
                hi = 3008
            }
            if let t = axis.ticks?.filter({ $0 > 0 }), let tlo = t.min(), let thi = t.max() {
                lo = min(lo, tlo)
                hi = max(hi, thi)
            }
            let ticks = axis.ticks ?? (axis.format == .memory ? powersOfTwo(lo, hi) : decadeTicks(lo / 1.15, hi * 1.15))
            // A margin of ~15% either side keeps end points off the frame.
            return Domain(lo: lo / 1.15, hi: hi * 1.15, step: 1, ticks: ticks.filter { $0 >= lo / 1.15 && $0 <= hi * 1.15 })
        case .linear:
            if let categories = axis.categories {
                return Domain(lo: 0, hi: Double(max(1, categories.count)), step: 1, ticks: categories.indices.map { Double($0) + 0.5 })
            }
            if axis.includeZero {
                lo = min(lo, 0)
                hi = max(hi, 0)
            }
            if hi - lo < 1e-12 {
                let pad = abs(hi) > 0 ? abs(hi) * 0.1 : 1
                lo -= axis.includeZero && lo == 0 ? 0 : pad
                hi += pad
            }
            let step = niceStep((hi - lo) / 5)
            let nlo = floor(lo / step + 1e-9) * step
            let nhi = ceil(hi / step - 1e-9) * step
            var ticks: [Double] = []
            var t = nlo
            while t <= nhi + step * 1e-6 {
                ticks.append(abs(t) < step * 1e-9 ? 0 : t)
                t += step
            }
            if let explicit = axis.ticks { ticks = explicit }
            return Domain(lo: nlo, hi: nhi, step: step, ticks: ticks)
        }
    }

    /// 1, 2 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let p = pow(10, floor(log10(raw)))
        let f = raw / p
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p
    }

    /// 1, 2, 5 × 10^k inside [lo, hi] (durations on a log axis).
    static func decadeTicks(_ lo: Double, _ hi: Double) -> [Double] {
        var out: [Double] = []
        var decade = pow(10, floor(log10(max(lo, 1e-9))))
        while decade <= hi {
            for f in [1.0, 2, 5] where decade * f >= lo && decade * f <= hi { out.append(decade * f) }
            decade *= 10
        }
        return out
    }

    static func powersOfTwo(_ lo: Double, _ hi: Double) -> [Double] {
        var t = pow(2, floor(log2(max(lo, 1))))
        var out: [Double] = []
        while t <= hi * 1.15 {
            out.append(t)
            t *= 2
        }
        return out
    }

    static func tickLabel(_ v: Double, step: Double, format: TickFormat) -> String {
        switch format {
        case .memory: return Fmt.fixed(v, 0)
        case .percent: return Fmt.fixed(v * 100, max(0, -Int(floor(log10(step * 100 + 1e-12))))) + "%"
        case .number:
            let decimals = step >= 1 ? 0 : max(0, -Int(floor(log10(step) + 1e-9)))
            return Fmt.fixed(v, decimals)
        }
    }
}

/// A plain table: the text equivalent of a chart, or a section's figures.
public struct DataTable {
    public var headers: [String]
    public var rows: [[String]]
    /// Index of columns holding numbers (right-aligned).
    public var numeric: Set<Int>
    public init(headers: [String], rows: [[String]], numeric: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.numeric = numeric
    }

    /// Cells are escaped here: callers pass raw text.
    public func render(into out: inout String, caption: String? = nil, collapsed: Bool = true) {
        if collapsed, let caption { out += "<details class=\"data\"><summary>\(HTML.escape(caption))</summary>\n" }
        out += "<div class=\"scroll\"><table>"
        if !collapsed, let caption { out += "<caption>\(HTML.escape(caption))</caption>" }
        out += "<thead><tr>"
        for (k, h) in headers.enumerated() {
            out += numeric.contains(k) ? "<th class=\"n\">" : "<th>"
            out += HTML.escape(h) + "</th>"
        }
        out += "</tr></thead><tbody>\n"
        for row in rows {
            out += "<tr>"
            for (k, cell) in row.enumerated() {
                out += numeric.contains(k) ? "<td class=\"n\">" : "<td>"
                out += HTML.escape(cell) + "</td>"
            }
            out += "</tr>\n"
        }
        out += "</tbody></table></div>\n"
        if collapsed, caption != nil { out += "</details>\n" }
    }
}
