/// A parsed, not yet type-checked expression tree.
struct ExpressionSyntax: Sendable {
    enum UnaryOperator: Sendable, Equatable {
        case not, negate
    }

    enum BinaryOperator: Sendable, Equatable {
        case add, subtract, multiply, divide, remainder
        case equal, notEqual, less, lessEqual, greater, greaterEqual
        case `in`

        var spelling: String {
            switch self {
            case .add: "+"
            case .subtract: "-"
            case .multiply: "*"
            case .divide: "/"
            case .remainder: "%"
            case .equal: "=="
            case .notEqual: "!="
            case .less: "<"
            case .lessEqual: "<="
            case .greater: ">"
            case .greaterEqual: ">="
            case .in: "in"
            }
        }
    }

    indirect enum Kind: Sendable {
        case literal(ExpressionValue)
        case list([ExpressionSyntax])
        case identifier(String)
        /// `base.name`.
        case member(ExpressionSyntax, String)
        /// `base[index]`.
        case index(ExpressionSyntax, ExpressionSyntax)
        /// `name(arguments)`, or `receiver.name(arguments)` (then `arguments` excludes the receiver).
        case call(String, receiver: ExpressionSyntax?, arguments: [ExpressionSyntax])
        case unary(UnaryOperator, ExpressionSyntax)
        case binary(BinaryOperator, ExpressionSyntax, ExpressionSyntax)
        /// `a && b && c` (all operands, flattened).
        case and([ExpressionSyntax])
        /// `a || b || c` (all operands, flattened).
        case or([ExpressionSyntax])
        case conditional(ExpressionSyntax, ExpressionSyntax, ExpressionSyntax)
    }

    var kind: Kind
    /// The token that names the node: the operator, the field or function name, the literal.
    var location: ExpressionLocation
    /// Where the node's text begins.
    var start: ExpressionLocation
    /// Height of the tree under and including this node.
    var depth: Int

    /// Whether this is a field path: an identifier followed by field selections and indexes.
    var isPath: Bool {
        switch kind {
        case .identifier: true
        case .member(let base, _), .index(let base, _): base.isPath
        default: false
        }
    }
}
