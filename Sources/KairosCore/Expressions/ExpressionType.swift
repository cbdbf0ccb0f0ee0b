/// The static type of an expression, as far as it is known when the expression is compiled.
///
/// Every type may also be `null` at evaluation time (a missing path); ``null`` as a static type
/// means "only ever null", as the literal `null` is.
public enum ExpressionType: Sendable, Equatable, Hashable, CaseIterable, CustomStringConvertible {
    case bool
    case number
    case string
    /// A length of time in milliseconds (`30m`, `now - event.timestamp`).
    case duration
    /// A point in time in milliseconds since the Unix epoch (`now`, `event.timestamp`).
    case timestamp
    case list
    case map
    case null
    /// Unknown until evaluation (JSON paths such as `event.properties.x`); compatible with every type.
    case dyn

    /// The types a value of this static type may have at evaluation time (null aside).
    var candidates: [ExpressionType] {
        switch self {
        case .dyn: [.bool, .number, .string, .duration, .timestamp, .list, .map]
        default: [self]
        }
    }

    /// Whether a value of this static type may be `type` at evaluation time.
    func admits(_ type: ExpressionType) -> Bool {
        self == .dyn || self == type
    }

    /// The type's name as used in error messages (`number`, `dyn`, ...).
    public var description: String {
        switch self {
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .duration: "duration"
        case .timestamp: "timestamp"
        case .list: "list"
        case .map: "map"
        case .null: "null"
        case .dyn: "dyn"
        }
    }

    /// The type with an article, for error messages ("a string", "an expression of unknown type").
    var phrase: String {
        switch self {
        case .null: "null"
        case .dyn: "a value of unknown type"
        default: "a \(description)"
        }
    }
}
