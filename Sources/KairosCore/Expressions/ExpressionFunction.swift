/// The built-in functions. Each may be called as `f(x, y)` or, except `has`, as a method `x.f(y)`.
enum ExpressionFunction: String, Sendable, CaseIterable {
    case has, size, lower, upper, startsWith, endsWith, contains
    case duration, timestamp, int, double, string, min, max, abs

    /// One accepted combination of argument types and the result it gives.
    /// A `.dyn` parameter accepts any argument.
    struct Signature: Sendable {
        var parameters: [ExpressionType]
        var result: ExpressionType
    }

    /// The accepted argument types (`has` is checked separately: it takes a field path).
    var signatures: [Signature] {
        func sig(_ parameters: ExpressionType..., result: ExpressionType) -> Signature {
            Signature(parameters: parameters, result: result)
        }
        switch self {
        case .has: return [sig(.dyn, result: .bool)]
        case .size: return [sig(.string, result: .number), sig(.list, result: .number), sig(.map, result: .number)]
        case .lower, .upper: return [sig(.string, result: .string)]
        case .startsWith, .endsWith: return [sig(.string, .string, result: .bool)]
        case .contains:
            return [
                sig(.string, .string, result: .bool), sig(.list, .dyn, result: .bool), sig(.map, .string, result: .bool),
            ]
        case .duration: return [sig(.string, result: .duration), sig(.duration, result: .duration)]
        case .timestamp:
            return [ExpressionType.string, .timestamp, .number].map { sig($0, result: .timestamp) }
        case .int, .double:
            return [ExpressionType.bool, .number, .string, .duration, .timestamp].map { sig($0, result: .number) }
        case .string: return [sig(.dyn, result: .string)]
        case .min, .max:
            return [ExpressionType.number, .string, .duration, .timestamp].map { sig($0, $0, result: $0) }
        case .abs: return [sig(.number, result: .number), sig(.duration, result: .duration)]
        }
    }

    /// The number of arguments, counting a method's receiver.
    var arity: Int {
        switch self {
        case .startsWith, .endsWith, .contains, .min, .max: 2
        default: 1
        }
    }

    /// How the function is written, for error messages: `size(x)`, `s.startsWith(prefix)`.
    var usage: String {
        switch self {
        case .has: "has(event.properties.x)"
        case .startsWith, .endsWith: "s.\(rawValue)(text)"
        case .contains: "s.contains(text) or list.contains(x)"
        case .min, .max: "\(rawValue)(a, b)"
        default: "\(rawValue)(x)"
        }
    }
}
