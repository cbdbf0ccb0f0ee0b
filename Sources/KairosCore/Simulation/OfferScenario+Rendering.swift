/// The learning curve as text, JSON and an SVG chart.
extension OfferScenario {
    /// The header of ``row(_:)``.
    public static let header = "decisions   learned  online   oracle   static   random   learned/oracle"

    /// One point: decisions, the policies' acceptance rates, learned ÷ oracle.
    public static func row(_ point: Point) -> String {
        let cells = [point.learned, point.online, point.oracle, point.staticPriority, point.random].map { format($0) }
        return String(repeating: " ", count: max(0, 9 - String(point.decisions).count)) + "\(point.decisions)   "
            + cells.joined(separator: "   ") + "   " + format(point.learned / point.oracle)
    }

    /// The header and one row per point.
    public static func table(_ curve: [Point]) -> String {
        ([header] + curve.map(row)).joined(separator: "\n")
    }

    /// A rate with four decimals.
    public static func format(_ value: Double) -> String {
        let text = String((value * 10_000).rounded() / 10_000)
        let parts = text.split(separator: ".")
        return parts.count == 2 ? parts[0] + "." + parts[1].padding(toLength: 4, withPad: "0", startingAt: 0) : text + ".0000"
    }

    public static func json(_ curve: [Point], updateNanoseconds: Double, configuration: Configuration) -> JSONValue {
        .object([
            "decisions": .number(Double(configuration.decisions)), "offers": .number(Double(configuration.offers)),
            "seed": .number(Double(configuration.seed)), "updateMicroseconds": .number((updateNanoseconds / 10).rounded() / 100),
            "curve": .array(curve.map { point in
                .object([
                    "decisions": .number(Double(point.decisions)), "learned": .number(point.learned), "online": .number(point.online),
                    "oracle": .number(point.oracle), "staticPriority": .number(point.staticPriority), "random": .number(point.random),
                ])
            }),
        ])
    }

    /// A line chart of expected acceptance rate against decisions for the four policies.
    public static func svg(_ curve: [Point], title: String) -> String {
        let width = 720.0, height = 400.0, left = 60.0, right = 150.0, top = 40.0, bottom = 50.0
        let maxX = Double(curve.last?.decisions ?? 1)
        let maxY = ((curve.map { max($0.oracle, $0.learned) }.max() ?? 1) * 10).rounded(.up) / 10
        func x(_ value: Double) -> Double { left + value / maxX * (width - left - right) }
        func y(_ value: Double) -> Double { height - bottom - value / maxY * (height - top - bottom) }
        func path(_ values: [(Double, Double)]) -> String {
            values.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(round(x($0.element.0))),\(round(y($0.element.1)))" }.joined(separator: " ")
        }
        let series: [(String, String, (Point) -> Double)] = [
            ("oracle", "#2b8a3e", \.oracle), ("learned (greedy)", "#1c7ed6", \.learned),
            ("static priority", "#e8590c", \.staticPriority), ("random", "#868e96", \.random),
        ]
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(left)" y="22" font-size="14">\(title)</text>
            <line x1="\(left)" y1="\(y(0))" x2="\(width - right)" y2="\(y(0))" stroke="black"/>
            <line x1="\(left)" y1="\(y(0))" x2="\(left)" y2="\(y(maxY))" stroke="black"/>

            """
        for step in 0...5 {
            let value = maxY * Double(step) / 5
            svg += "<text x=\"\(left - 8)\" y=\"\(round(y(value)) + 4)\" text-anchor=\"end\">\(format(value))</text>\n"
            svg += "<line x1=\"\(left)\" y1=\"\(round(y(value)))\" x2=\"\(width - right)\" y2=\"\(round(y(value)))\" stroke=\"#eee\"/>\n"
            let decisions = maxX * Double(step) / 5
            svg += "<text x=\"\(round(x(decisions)))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(Int(decisions))</text>\n"
        }
        svg += "<text x=\"\((left + width - right) / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">decisions with feedback</text>\n"
        svg += "<text x=\"14\" y=\"\(top + (height - top - bottom) / 2)\" transform=\"rotate(-90 14 \(top + (height - top - bottom) / 2))\" text-anchor=\"middle\">expected acceptance rate</text>\n"
        for (index, (name, color, value)) in series.enumerated() {
            let points = [(0.0, value(curve.first!))].filter { _ in name != "learned (greedy)" } + curve.map { (Double($0.decisions), value($0)) }
            svg += "<path d=\"\(path(points))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            let legendY = top + 20 + Double(index) * 20
            svg += "<line x1=\"\(width - right + 10)\" y1=\"\(legendY - 4)\" x2=\"\(width - right + 30)\" y2=\"\(legendY - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(width - right + 36)\" y=\"\(legendY)\">\(name)</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func round(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
