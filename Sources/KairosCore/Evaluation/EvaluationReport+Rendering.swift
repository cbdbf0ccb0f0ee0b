import Foundation

extension EvaluationReport {
    /// A readable table, one row per strategy or baseline.
    public func table() -> String {
        var lines = [
            "\(interactions) interactions, \(users) people, \(items) items; \(testCases) held-out cases "
                + "(leave-last-out, \(timing.rawValue) timing), K = \(k)",
            "",
        ]
        let header = ["", "HR@\(k)", "NDCG@\(k)", "MRR@\(k)", "coverage", "µs/decision"]
        var rows = [header]
        for result in results {
            rows.append([
                result.name, Self.fixed(result.metrics.hitRate), Self.fixed(result.metrics.ndcg), Self.fixed(result.metrics.mrr),
                Self.fixed(result.metrics.coverage(catalogSize: items) * 100, digits: 1) + "%",
                result.microsecondsPerDecision.map { Self.fixed($0, digits: 0) } ?? "-",
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { column, cell in
                column == 0
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  "))
        }
        lines.append("")
        for result in results { lines.append("\(result.name): \(result.detail)") }
        return lines.joined(separator: "\n")
    }

    /// The report as JSON.
    public func json() -> JSONValue {
        .object([
            "k": .number(Double(k)), "timing": .string(timing.rawValue),
            "interactions": .number(Double(interactions)), "users": .number(Double(users)), "items": .number(Double(items)),
            "testCases": .number(Double(testCases)), "seconds": .number((seconds * 100).rounded() / 100),
            "results": .array(results.map { result in
                var fields: [String: JSONValue] = [
                    "name": .string(result.name), "kind": .string(result.kind.rawValue), "detail": .string(result.detail),
                    "cases": .number(Double(result.metrics.cases)), "hits": .number(Double(result.metrics.hits)),
                    "hitRate": .number(Self.rounded(result.metrics.hitRate)), "ndcg": .number(Self.rounded(result.metrics.ndcg)),
                    "mrr": .number(Self.rounded(result.metrics.mrr)),
                    "coverage": .number(Self.rounded(result.metrics.coverage(catalogSize: items))),
                ]
                if let micros = result.microsecondsPerDecision { fields["microsecondsPerDecision"] = .number(micros.rounded()) }
                return .object(fields)
            }),
        ])
    }

    /// A self-contained HTML page: the table and an SVG bar chart of HR, NDCG and MRR.
    public func html(title: String = "Kairos offline evaluation") -> String {
        let metrics: [(String, (RankingMetrics) -> Double)] = [
            ("HR@\(k)", { $0.hitRate }), ("NDCG@\(k)", { $0.ndcg }), ("MRR@\(k)", { $0.mrr }),
        ]
        let colours = ["#2563eb", "#16a34a", "#ea580c", "#9333ea", "#db2777", "#0891b2", "#65a30d", "#64748b"]
        let maximum = max(results.map { $0.metrics.hitRate }.max() ?? 0, 1e-9)
        let barWidth = 22
        let groupWidth = max(1, results.count) * (barWidth + 4) + 40
        let width = 60 + metrics.count * groupWidth
        let height = 260
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height + 60)\" role=\"img\">"
        svg += "<line x1=\"50\" y1=\"\(height)\" x2=\"\(width)\" y2=\"\(height)\" stroke=\"#333\"/>"
        for (group, (label, value)) in metrics.enumerated() {
            let x0 = 60 + group * groupWidth
            for (position, result) in results.enumerated() {
                let v = value(result.metrics)
                let h = Int((v / maximum) * Double(height - 30))
                let x = x0 + position * (barWidth + 4)
                svg += "<rect x=\"\(x)\" y=\"\(height - h)\" width=\"\(barWidth)\" height=\"\(h)\" fill=\"\(colours[position % colours.count])\">"
                svg += "<title>\(Self.escape(result.name)) \(label) \(Self.fixed(v))</title></rect>"
                svg += "<text x=\"\(x + barWidth / 2)\" y=\"\(height - h - 4)\" font-size=\"9\" text-anchor=\"middle\">\(Self.fixed(v, digits: 3))</text>"
            }
            svg += "<text x=\"\(x0 + (results.count * (barWidth + 4)) / 2)\" y=\"\(height + 18)\" font-size=\"13\" text-anchor=\"middle\">\(label)</text>"
        }
        for (position, result) in results.enumerated() {
            let x = 60 + position * 150
            svg += "<rect x=\"\(x)\" y=\"\(height + 34)\" width=\"12\" height=\"12\" fill=\"\(colours[position % colours.count])\"/>"
            svg += "<text x=\"\(x + 16)\" y=\"\(height + 45)\" font-size=\"12\">\(Self.escape(result.name))</text>"
        }
        svg += "</svg>"
        var rows = ""
        for result in results {
            rows += "<tr><td>\(Self.escape(result.name))</td><td>\(Self.fixed(result.metrics.hitRate))</td>"
                + "<td>\(Self.fixed(result.metrics.ndcg))</td><td>\(Self.fixed(result.metrics.mrr))</td>"
                + "<td>\(Self.fixed(result.metrics.coverage(catalogSize: items) * 100, digits: 1))%</td>"
                + "<td>\(Self.escape(result.detail))</td></tr>\n"
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>body{font-family:system-ui,sans-serif;margin:2rem;color:#111}table{border-collapse:collapse}
            td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child,td:last-child{text-align:left}</style>
            </head><body>
            <h1>\(Self.escape(title))</h1>
            <p>\(interactions) interactions, \(users) people, \(items) items; \(testCases) held-out cases
            (leave-last-out, \(timing.rawValue) timing), K = \(k).</p>
            \(svg)
            <table><tr><th>strategy</th><th>HR@\(k)</th><th>NDCG@\(k)</th><th>MRR@\(k)</th><th>coverage</th><th>detail</th></tr>
            \(rows)</table>
            </body></html>

            """
    }

    static func fixed(_ value: Double, digits: Int = 4) -> String { String(format: "%.\(digits)f", value) }
    static func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
