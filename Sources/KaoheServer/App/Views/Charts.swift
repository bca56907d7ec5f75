import Foundation
import KaoheCore

/// Charts as SVG made on the server (DESIGN.md: no JavaScript build chain; they print and export
/// cleanly). Each chart is an accessible image (`role="img"`, a `<title>` and a `<desc>` listing
/// the figures), sized by its viewBox so it scales to a phone, with its labels as text so the page's
/// language pass translates them. Person names are marked `translate="no"`.
enum Charts {
    struct Point: Equatable { var label: String; var value: Double? }
    struct Bar: Equatable { var label: String; var count: Int }
    struct Dimension: Equatable { var label: String; var points: Double; var max: Double }
    struct Rater: Equatable { var name: String; var count: Int; var mean: Double; var min: Double; var max: Double }

    static let ink = "#1f2933", grid = "#d9e2ec", accent = "#0b4f6c", warn = "#b42318", soft = "#9fb3c8"

    /// A line of totals over periods (an employee's 12-month trend); gaps where a month has no result;
    /// a dashed line at `threshold` (e.g. 70, the R-000 "below standard" line) when given.
    static func trend(_ points: [Point], max: Double, threshold: Double? = nil, title: String) -> String {
        let w = 640.0, h = 240.0, left = 40.0, right = 16.0, top = 24.0, bottom = 36.0
        let plotW = w - left - right, plotH = h - top - bottom
        let top_ = max > 0 ? max : 100
        func x(_ i: Int) -> Double { points.count <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(points.count - 1) }
        func y(_ v: Double) -> Double { top + plotH * (1 - Swift.min(Swift.max(v, 0), top_) / top_) }
        var s = open(w, h, title: title, desc: points.map { "\($0.label): \($0.value.map(fmt) ?? "—")" }.joined(separator: "; "))
        for k in 0...4 {
            let v = top_ * Double(k) / 4
            s += line(left, y(v), w - right, y(v), grid)
            s += text(left - 6, y(v) + 4, fmt(v), anchor: "end", size: 11)
        }
        if let t = threshold {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y(t)))\" x2=\"\(f(w - right))\" y2=\"\(f(y(t)))\" stroke=\"\(warn)\" stroke-dasharray=\"4 3\"/>"
            s += text(w - right, y(t) - 4, fmt(t), anchor: "end", size: 10, fill: warn)
        }
        // the line, broken where a period has no value
        var run: [String] = []
        func flush() {
            if run.count > 1 { s += "<polyline fill=\"none\" stroke=\"\(accent)\" stroke-width=\"2\" points=\"\(run.joined(separator: " "))\"/>" }
            run = []
        }
        for (i, p) in points.enumerated() {
            if let v = p.value { run.append("\(f(x(i))),\(f(y(v)))") } else { flush() }
        }
        flush()
        for (i, p) in points.enumerated() {
            if let v = p.value {
                s += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"3.5\" fill=\"\(threshold.map { v < $0 } == true ? warn : accent)\"/>"
                s += text(x(i), y(v) - 8, fmt(v), anchor: "middle", size: 10)
            }
            s += text(x(i), h - bottom + 16, p.label, anchor: "middle", size: 10)
        }
        return s + "</svg>"
    }

    /// Counts per band (a team's score distribution, or its grades).
    static func distribution(_ bars: [Bar], title: String) -> String {
        let w = 480.0, h = 220.0, left = 32.0, right = 12.0, top = 20.0, bottom = 40.0
        let plotW = w - left - right, plotH = h - top - bottom
        let most = Double(Swift.max(bars.map(\.count).max() ?? 0, 1))
        var s = open(w, h, title: title, desc: bars.map { "\($0.label): \($0.count)" }.joined(separator: "; "))
        s += line(left, top + plotH, w - right, top + plotH, ink)
        let slot = plotW / Double(Swift.max(bars.count, 1))
        for (i, b) in bars.enumerated() {
            let bh = plotH * Double(b.count) / most
            let x0 = left + slot * Double(i) + slot * 0.15
            s += "<rect x=\"\(f(x0))\" y=\"\(f(top + plotH - bh))\" width=\"\(f(slot * 0.7))\" height=\"\(f(bh))\" fill=\"\(accent)\"/>"
            s += text(x0 + slot * 0.35, top + plotH - bh - 4, "\(b.count)", anchor: "middle", size: 11)
            s += text(x0 + slot * 0.35, h - bottom + 16, b.label, anchor: "middle", size: 11)
        }
        return s + "</svg>"
    }

    /// Each section's points as a share of its maximum (德、勤、能、績 — the dimension profile).
    static func profile(_ dims: [Dimension], title: String) -> String {
        let rowH = 26.0, left = 150.0, right = 90.0, w = 560.0
        let h = 16 + rowH * Double(Swift.max(dims.count, 1))
        var s = open(w, h, title: title, desc: dims.map { "\($0.label): \(fmt($0.points))/\(fmt($0.max))" }.joined(separator: "; "))
        let barW = w - left - right
        for (i, d) in dims.enumerated() {
            let y0 = 8 + rowH * Double(i)
            let share = d.max > 0 ? Swift.min(Swift.max(d.points / d.max, 0), 1) : 0
            s += text(left - 8, y0 + 15, d.label, anchor: "end", size: 12)
            s += "<rect x=\"\(f(left))\" y=\"\(f(y0 + 3))\" width=\"\(f(barW))\" height=\"16\" fill=\"#eef2f6\"/>"
            s += "<rect x=\"\(f(left))\" y=\"\(f(y0 + 3))\" width=\"\(f(barW * share))\" height=\"16\" fill=\"\(share < 0.7 ? warn : accent)\"/>"
            s += text(left + barW + 6, y0 + 15, "\(fmt(d.points))/\(fmt(d.max))", anchor: "start", size: 12)
        }
        return s + "</svg>"
    }

    /// Each rater's range (min–max) and mean against the department's mean (calibration, R-004-04).
    static func raters(_ raters: [Rater], departmentMean: Double?, max: Double, title: String) -> String {
        // the name column as wide as the longest name at 12 px (a Chinese character 12, a Latin one 7): never clipped
        let longest = raters.map { r in r.name.unicodeScalars.reduce(0.0) { $0 + ($1.value >= 0x2E80 ? 12 : 7) } }.max() ?? 0
        let rowH = 28.0, left = Swift.max(130.0, longest + 16), right = 110.0, top = 22.0
        let w = left + 490
        let h = top + 24 + rowH * Double(Swift.max(raters.count, 1))
        let top_ = max > 0 ? max : 100
        let barW = w - left - right
        func x(_ v: Double) -> Double { left + barW * Swift.min(Swift.max(v, 0), top_) / top_ }
        var s = open(w, h, title: title,
                     desc: raters.map { "\($0.name): n=\($0.count), \(fmt($0.mean)) (\(fmt($0.min))–\(fmt($0.max)))" }.joined(separator: "; "))
        for k in 0...4 {
            let v = top_ * Double(k) / 4
            s += line(x(v), top, x(v), h - 20, grid)
            s += text(x(v), h - 6, fmt(v), anchor: "middle", size: 10)
        }
        if let m = departmentMean {
            s += "<line x1=\"\(f(x(m)))\" y1=\"\(f(top - 6))\" x2=\"\(f(x(m)))\" y2=\"\(f(h - 20))\" stroke=\"\(warn)\" stroke-dasharray=\"4 3\"/>"
            s += text(x(m), top - 10, "部门平均 \(fmt(m))", anchor: "middle", size: 10, fill: warn)
        }
        for (i, r) in raters.enumerated() {
            let cy = top + 14 + rowH * Double(i)
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(cy + 4))\" text-anchor=\"end\" font-size=\"12\" fill=\"\(ink)\" translate=\"no\">\(escape(r.name))</text>"
            s += "<line x1=\"\(f(x(r.min)))\" y1=\"\(f(cy))\" x2=\"\(f(x(r.max)))\" y2=\"\(f(cy))\" stroke=\"\(soft)\" stroke-width=\"6\" stroke-linecap=\"round\"/>"
            s += "<circle cx=\"\(f(x(r.mean)))\" cy=\"\(f(cy))\" r=\"5\" fill=\"\(accent)\"/>"
            s += text(left + barW + 8, cy + 4, "\(fmt(r.mean))（\(r.count) 人）", anchor: "start", size: 11)
        }
        return s + "</svg>"
    }

    // MARK: pieces

    static func open(_ w: Double, _ h: Double, title: String, desc: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(f(w)) \(f(h))\" role=\"img\" aria-label=\"\(escape(title))\" font-family=\"inherit\">"
            + "<title>\(escape(title))</title><desc translate=\"no\">\(escape(desc))</desc>"
    }
    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ color: String) -> String {
        "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" stroke=\"\(color)\" stroke-width=\"1\"/>"
    }
    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String, size: Int, fill: String = ink) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" fill=\"\(fill)\">\(escape(s))</text>"
    }
    static func f(_ v: Double) -> String { String(format: "%.1f", v) }
    /// A figure as people write it: whole numbers without decimals, else up to two.
    static func fmt(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
    /// Data in the SVG markup (labels, names, the title, in text and in attributes): the server's
    /// one escaping (`HTMLEscape`, which also escapes `'`).
    static func escape(_ s: String) -> String { HTMLEscape.attribute(s) }

    /// Score bands for a distribution: under 60 %, then tens of per cent up to the maximum. Totals
    /// and edges are exact (`Fixed`): a total on an edge is in the band above it (in `Double`, 80 %
    /// of a 12-point maximum was 9.600000000000001 and a total of 9.6 fell below it).
    static func bands(_ totals: [Fixed], max: Fixed) -> [Bar] {
        let top_ = max > .zero ? max : .hundred
        // 0, 0.6, 0.7, 0.8 and 0.9 of the maximum
        let edges = [Fixed.zero, Fixed(raw: 600_000), Fixed(raw: 700_000), Fixed(raw: 800_000), Fixed(raw: 900_000)].map { $0 * top_ }
        let labels = edges.enumerated().map { i, lo -> Bar in
            let label = i == 0 ? "<\(edges[1].format())" : i == edges.count - 1 ? "\(lo.format())–\(top_.format())" : "\(lo.format())–\(edges[i + 1].format())"
            return Bar(label: label, count: 0)
        }
        var bars = labels
        for t in totals {
            var k = 0
            for (i, e) in edges.enumerated() where t >= e { k = i }
            bars[k].count += 1
        }
        return bars
    }
}
