/// The runtime semantics of the operators: total functions that never trap and answer `null`
/// (or `false` for comparisons) when the operand types do not fit.
extension ExpressionValue {
    /// The language's `==`: semantic equality, plus a string equals a timestamp when it parses to it.
    static func languageEquals(_ lhs: ExpressionValue, _ rhs: ExpressionValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.timestamp(let time), .string(let text)), (.string(let text), .timestamp(let time)):
            return Timestamp.parse(text) == time
        default: return lhs == rhs
        }
    }

    /// The ordering of two values: -1, 0 or 1, or `nil` when they are not ordered
    /// (null, mismatched types, NaN, or a string that is not a timestamp compared with a timestamp).
    static func order(_ lhs: ExpressionValue, _ rhs: ExpressionValue) -> Int? {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)):
            return a < b ? -1 : a > b ? 1 : a == b ? 0 : nil
        case (.string(let a), .string(let b)):
            return a < b ? -1 : a == b ? 0 : 1
        case (.duration(let a), .duration(let b)), (.timestamp(let a), .timestamp(let b)):
            return a < b ? -1 : a == b ? 0 : 1
        case (.timestamp(let a), .string(let text)):
            guard let b = Timestamp.parse(text) else { return nil }
            return a < b ? -1 : a == b ? 0 : 1
        case (.string(let text), .timestamp(let b)):
            guard let a = Timestamp.parse(text) else { return nil }
            return a < b ? -1 : a == b ? 0 : 1
        case (.json(let a), _) where !a.isContainer: return order(ExpressionValue(a), rhs)
        case (_, .json(let b)) where !b.isContainer: return order(lhs, ExpressionValue(b))
        default: return nil
        }
    }

    /// `lhs + rhs`: numbers, strings (concatenation), lists, durations, timestamp + duration.
    static func add(_ lhs: ExpressionValue, _ rhs: ExpressionValue) -> ExpressionValue {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return .number(a + b)
        case (.string(let a), .string(let b)): return .string(a + b)
        case (.duration(let a), .duration(let b)): return checked(a.addingReportingOverflow(b), Self.duration)
        case (.timestamp(let a), .duration(let b)), (.duration(let b), .timestamp(let a)):
            return checked(a.addingReportingOverflow(b), Self.timestamp)
        case (.list(let a), .list(let b)): return .list(a + b)
        case (.list(let a), .json(.array(let b))): return .list(a + b.map(ExpressionValue.init))
        case (.json(.array(let a)), .list(let b)): return .list(a.map(ExpressionValue.init) + b)
        case (.json(.array(let a)), .json(.array(let b))): return .json(.array(a + b))
        default: return .null
        }
    }

    /// `lhs - rhs`: numbers, durations, timestamp - duration, and timestamp - timestamp (a duration;
    /// a string on either side is read as a timestamp).
    static func subtract(_ lhs: ExpressionValue, _ rhs: ExpressionValue) -> ExpressionValue {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return .number(a - b)
        case (.timestamp(let a), .timestamp(let b)), (.duration(let a), .duration(let b)):
            return checked(a.subtractingReportingOverflow(b), Self.duration)
        case (.timestamp(let a), .duration(let b)): return checked(a.subtractingReportingOverflow(b), Self.timestamp)
        case (.timestamp(let a), .string(let text)):
            guard let b = Timestamp.parse(text) else { return .null }
            return checked(a.subtractingReportingOverflow(b), Self.duration)
        case (.string(let text), .timestamp(let b)):
            guard let a = Timestamp.parse(text) else { return .null }
            return checked(a.subtractingReportingOverflow(b), Self.duration)
        default: return .null
        }
    }

    /// `lhs * rhs`: numbers, and a duration scaled by a number.
    static func multiply(_ lhs: ExpressionValue, _ rhs: ExpressionValue) -> ExpressionValue {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): return .number(a * b)
        case (.duration(let a), .number(let b)), (.number(let b), .duration(let a)):
            guard let millis = millis(Double(a) * b) else { return .null }
            return .duration(millis)
        default: return .null
        }
    }

    /// `lhs / rhs`: numbers, a duration divided by a number (a duration) or by a duration (a number).
    /// Division by zero gives `null`.
    static func divide(_ lhs: ExpressionValue, _ rhs: ExpressionValue) -> ExpressionValue {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)):
            return b == 0 ? .null : .number(a / b)
        case (.duration(let a), .number(let b)):
            guard b != 0, let millis = millis(Double(a) / b) else { return .null }
            return .duration(millis)
        case (.duration(let a), .duration(let b)):
            return b == 0 ? .null : .number(Double(a) / Double(b))
        default: return .null
        }
    }

    /// `lhs % rhs` on numbers (the sign follows `lhs`); a zero divisor gives `null`.
    static func remainder(_ lhs: ExpressionValue, _ rhs: ExpressionValue) -> ExpressionValue {
        guard case .number(let a) = lhs, case .number(let b) = rhs, b != 0 else { return .null }
        return .number(a.truncatingRemainder(dividingBy: b))
    }

    /// Unary minus on a number or a duration.
    static func negate(_ value: ExpressionValue) -> ExpressionValue {
        switch value {
        case .number(let a): return .number(-a)
        case .duration(let a): return checked((0 as Millis).subtractingReportingOverflow(a), Self.duration)
        default: return .null
        }
    }

    /// `needle in haystack`: list membership, map key, or substring.
    static func contains(_ haystack: ExpressionValue, _ needle: ExpressionValue) -> Bool {
        switch haystack {
        case .list(let items):
            return items.contains { languageEquals($0.normalized, needle) }
        case .json(.array(let items)):
            return items.contains { languageEquals(ExpressionValue($0), needle) }
        case .json(.object(let fields)):
            guard case .string(let key) = needle else { return false }
            return fields[key] != nil
        case .string(let text):
            guard case .string(let part) = needle else { return false }
            return part.isEmpty || text.contains(part)
        default:
            return false
        }
    }

    /// A Double of milliseconds as `Millis`, or nil when it is not finite or out of range.
    static func millis(_ value: Double) -> Millis? {
        guard value.isFinite else { return nil }
        let rounded = value.rounded()
        guard rounded > -9.2e18, rounded < 9.2e18 else { return nil }
        return Millis(rounded)
    }

    private static func checked(_ result: (partialValue: Millis, overflow: Bool), _ make: (Millis) -> ExpressionValue)
        -> ExpressionValue
    {
        result.overflow ? .null : make(result.partialValue)
    }
}
