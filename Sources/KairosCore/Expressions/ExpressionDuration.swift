/// Duration text as written in expressions: a whole number and a unit (`500ms`, `30s`, `5m`, `1h`,
/// `7d`, `2w`), optionally several in a row (`1h30m`) and a leading `-`.
public enum ExpressionDuration: Sendable {
    /// Milliseconds per unit, longest unit names first so `ms` wins over `m`.
    static let units: [(name: String, millis: Millis)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// The milliseconds in one `unit` (`"ms"`, `"s"`, `"m"`, `"h"`, `"d"`, `"w"`), or nil.
    public static func unitMillis(_ unit: Substring) -> Millis? {
        for entry in units where entry.name == unit { return entry.millis }
        return nil
    }

    /// Parses `30m`, `1h30m`, `-5s`; nil when the text is not a duration or overflows.
    public static func parse(_ text: String) -> Millis? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" {
            negative = true
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return nil }
        var total: Millis = 0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let amount = Millis(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            guard let scale = unitMillis(unit) else { return nil }
            rest = rest.dropFirst(unit.count)
            let (product, overflowA) = amount.multipliedReportingOverflow(by: scale)
            let (sum, overflowB) = total.addingReportingOverflow(product)
            guard !overflowA, !overflowB else { return nil }
            total = sum
        }
        return negative ? -total : total
    }

    /// Parses a duration that must be longer than zero (windows, waits, timeouts in definitions
    /// and configuration); nil otherwise.
    public static func parsePositive(_ text: String) -> Millis? {
        guard let millis = parse(text), millis > 0 else { return nil }
        return millis
    }

    /// Formats in the largest unit that divides the value exactly: `90m`, `2w`, `1500ms`, `0s`.
    public static func format(_ millis: Millis) -> String {
        if millis == 0 { return "0s" }
        let magnitude = millis.magnitude
        let sign = millis < 0 ? "-" : ""
        for entry in units.reversed() where magnitude % UInt64(entry.millis) == 0 {
            return "\(sign)\(magnitude / UInt64(entry.millis))\(entry.name)"
        }
        return "\(sign)\(magnitude)ms"
    }
}
