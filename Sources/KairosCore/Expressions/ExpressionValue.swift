/// A value produced by evaluating an ``Expression``.
///
/// JSON scalars read from events and profiles surface as the matching native case (`number`,
/// `string`, ...); JSON arrays and objects stay wrapped in ``json(_:)`` so reading them never copies.
/// Equality is semantic: `.json(.number(1)) == .number(1)` and a list equals a JSON array with
/// equal elements.
public enum ExpressionValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    /// A length of time in milliseconds.
    case duration(Millis)
    /// A point in time in milliseconds since the Unix epoch.
    case timestamp(Millis)
    case list([ExpressionValue])
    /// A JSON array or object (a JSON scalar here is treated as the matching native case).
    case json(JSONValue)

    /// The value of a JSON document: scalars become native cases, arrays and objects stay JSON.
    @inlinable
    public init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let number): self = .number(number)
        case .string(let text): self = .string(text)
        case .array, .object: self = .json(json)
        }
    }

    /// Whether a condition holding this value passes: only `true` is truthy. `null`, `false` and
    /// every non-boolean value (numbers, strings, lists, ...) count as false.
    @inlinable
    public var isTruthy: Bool {
        switch self {
        case .bool(let flag): flag
        case .json(.bool(let flag)): flag
        default: false
        }
    }

    /// Whether this is `null` (or JSON `null`).
    @inlinable
    public var isNull: Bool {
        switch self {
        case .null, .json(.null): true
        default: false
        }
    }

    /// The same value with a JSON scalar replaced by its native case.
    var normalized: ExpressionValue {
        if case .json(let json) = self { return ExpressionValue(json) }
        return self
    }

    /// The runtime type of the value (JSON arrays are `list`, JSON objects `map`).
    public var type: ExpressionType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .number: .number
        case .string: .string
        case .duration: .duration
        case .timestamp: .timestamp
        case .list: .list
        case .json(let json):
            switch json {
            case .null: .null
            case .bool: .bool
            case .number: .number
            case .string: .string
            case .array: .list
            case .object: .map
            }
        }
    }
}

extension ExpressionValue: Equatable {
    /// Semantic equality: JSON scalars equal native values, lists equal JSON arrays element-wise.
    /// (Unlike the language's `==`, a string never equals a timestamp here.)
    public static func == (lhs: ExpressionValue, rhs: ExpressionValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null): return true
        case (.duration(let a), .duration(let b)): return a == b
        case (.timestamp(let a), .timestamp(let b)): return a == b
        case (.list(let a), .list(let b)): return a == b
        case (.json(.array(let a)), .json(.array(let b))): return a == b
        case (.json(.object(let a)), .json(.object(let b))): return a == b
        case (.list(let a), .json(.array(let b))), (.json(.array(let b)), .list(let a)):
            guard a.count == b.count else { return false }
            for index in a.indices where a[index] != ExpressionValue(b[index]) { return false }
            return true
        case (.json(let a), _) where !a.isContainer: return ExpressionValue(a) == rhs
        case (_, .json(let b)) where !b.isContainer: return lhs == ExpressionValue(b)
        default: return false
        }
    }
}

extension JSONValue {
    /// Whether this is an array or an object.
    var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }
}
