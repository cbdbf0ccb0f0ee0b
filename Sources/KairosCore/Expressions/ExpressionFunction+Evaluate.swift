extension ExpressionFunction {
    /// A one-argument function applied at evaluation time; `null` when the argument does not fit.
    func apply(_ value: ExpressionValue) -> ExpressionValue {
        switch self {
        case .has:
            return .bool(!value.isNull)
        case .size:
            switch value {
            case .string(let text): return .number(Double(text.count))
            case .list(let items): return .number(Double(items.count))
            case .json(.array(let items)): return .number(Double(items.count))
            case .json(.object(let fields)): return .number(Double(fields.count))
            default: return .null
            }
        case .lower:
            guard case .string(let text) = value else { return .null }
            return .string(text.lowercased())
        case .upper:
            guard case .string(let text) = value else { return .null }
            return .string(text.uppercased())
        case .duration:
            switch value {
            case .duration: return value
            case .string(let text): return ExpressionDuration.parse(text).map(ExpressionValue.duration) ?? .null
            default: return .null
            }
        case .timestamp:
            switch value {
            case .timestamp: return value
            case .string(let text): return Timestamp.parse(text).map(ExpressionValue.timestamp) ?? .null
            case .number(let number): return ExpressionValue.millis(number).map(ExpressionValue.timestamp) ?? .null
            default: return .null
            }
        case .int:
            guard case .number(let number) = Self.number(value) else { return .null }
            return .number(number.rounded(.towardZero))
        case .double:
            return Self.number(value)
        case .string:
            return value.isNull ? .null : .string(value.text)
        case .abs:
            switch value {
            case .number(let number): return .number(Swift.abs(number))
            case .duration(let millis): return millis == .min ? .null : .duration(Swift.abs(millis))
            default: return .null
            }
        case .startsWith, .endsWith, .contains, .min, .max:
            return .null
        }
    }

    /// A two-argument function applied at evaluation time; `null` when the arguments do not fit.
    func apply(_ first: ExpressionValue, _ second: ExpressionValue) -> ExpressionValue {
        switch self {
        case .startsWith:
            guard case .string(let text) = first, case .string(let prefix) = second else { return .null }
            return .bool(text.hasPrefix(prefix))
        case .endsWith:
            guard case .string(let text) = first, case .string(let suffix) = second else { return .null }
            return .bool(text.hasSuffix(suffix))
        case .contains:
            return .bool(ExpressionValue.contains(first, second))
        case .min, .max:
            guard let order = ExpressionValue.order(first, second), first.type == second.type else { return .null }
            return (order <= 0) == (self == .min) ? first : second
        default:
            return .null
        }
    }

    /// `double(x)`: numbers, numeric strings, booleans (1/0), durations and timestamps (milliseconds).
    private static func number(_ value: ExpressionValue) -> ExpressionValue {
        switch value {
        case .number: return value
        case .bool(let flag): return .number(flag ? 1 : 0)
        case .duration(let millis), .timestamp(let millis): return .number(Double(millis))
        case .string(let text):
            guard text.utf8.count <= 64, let number = Double(text), number.isFinite else { return .null }
            return .number(number)
        default: return .null
        }
    }
}
