/// Binary operators: comparison, membership and arithmetic.
extension ExpressionChecker {
    /// A constant list of strings at least this long is tested with a set.
    static let stringSetThreshold = 8

    mutating func binary(
        _ op: ExpressionSyntax.BinaryOperator, _ leftSyntax: ExpressionSyntax, _ rightSyntax: ExpressionSyntax,
        _ syntax: ExpressionSyntax
    ) throws(ExpressionError) -> Checked {
        var left = try check(leftSyntax)
        var right = try check(rightSyntax)
        switch op {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .subtract:
            // A string literal meeting a timestamp is read as a timestamp, and must be one.
            if left.type == .timestamp { right = try timestampLiteral(right, rightSyntax) }
            if right.type == .timestamp { left = try timestampLiteral(left, leftSyntax) }
        default:
            break
        }
        let mismatch = "'\(op.spelling)' cannot be applied to \(left.type.phrase) and \(right.type.phrase)"
        switch op {
        case .equal, .notEqual:
            guard ExpressionType.equatable(left.type, right.type) else {
                throw ExpressionError(
                    "'\(op.spelling)' compares \(left.type.phrase) with \(right.type.phrase), which are never equal",
                    at: syntax.location)
            }
            return Checked(node: equality(left.node, right.node, negated: op == .notEqual), type: .bool)
        case .less, .lessEqual, .greater, .greaterEqual:
            guard ExpressionType.orderable(left.type, right.type) else {
                throw ExpressionError(mismatch, at: syntax.location)
            }
            let ordering: ExpressionNode.Ordering =
                switch op {
                case .less: .less
                case .lessEqual: .lessEqual
                case .greater: .greater
                default: .greaterEqual
                }
            return Checked(node: comparison(ordering, left.node, right.node), type: .bool)
        case .in:
            guard ExpressionType.membership(left.type, right.type) else {
                if right.type == .map || right.type == .string {
                    let problem = "'in' needs a string on its left when its right is \(right.type.phrase)"
                    throw ExpressionError("\(problem), but this is \(left.type.phrase)", at: leftSyntax.start)
                }
                throw ExpressionError(
                    "the right side of 'in' must be a list, map or string, but this is \(right.type.phrase)",
                    at: rightSyntax.start)
            }
            return Checked(node: membership(needle: left.node, haystack: right.node), type: .bool)
        case .add, .subtract, .multiply, .divide, .remainder:
            guard let type = ExpressionType.arithmetic(op, left.type, right.type) else {
                throw ExpressionError(mismatch, at: syntax.location)
            }
            let arithmetic: ExpressionNode.Arithmetic =
                switch op {
                case .add: .add
                case .subtract: .subtract
                case .multiply: .multiply
                case .divide: .divide
                default: .remainder
                }
            let node = folded(.arithmetic(arithmetic, left.node, right.node), children: [left.node, right.node])
            return Checked(node: node, type: type)
        }
    }

    /// `left == right` (or `!=`), with a constant operand kept inline.
    private func equality(_ left: ExpressionNode, _ right: ExpressionNode, negated: Bool) -> ExpressionNode {
        switch (left.constantValue, right.constantValue) {
        case (nil, let constant?): return .equalConstant(left, constant, negated: negated)
        case (let constant?, nil): return .equalConstant(right, constant, negated: negated)
        default:
            let node: ExpressionNode = negated ? .notEqual(left, right) : .equal(left, right)
            return folded(node, children: [left, right])
        }
    }

    /// `left < right` and friends, with a constant operand kept inline.
    private func comparison(_ ordering: ExpressionNode.Ordering, _ left: ExpressionNode, _ right: ExpressionNode)
        -> ExpressionNode
    {
        switch (left.constantValue, right.constantValue) {
        case (nil, let constant?): return .orderConstant(ordering, left, constant)
        case (let constant?, nil): return .orderConstant(ordering.flipped, right, constant)
        default: return folded(.order(ordering, left, right), children: [left, right])
        }
    }

    /// The node for `needle in haystack`, specialised for `segments` and long constant string lists.
    mutating func membership(needle: ExpressionNode, haystack: ExpressionNode) -> ExpressionNode {
        if case .segments = haystack {
            if case .string(let name)? = needle.constantValue { segmentNames.insert(name) }
            return .segmentsContain(needle)
        }
        if case .list(let items)? = haystack.constantValue, items.count >= Self.stringSetThreshold {
            var strings = Set<String>()
            for item in items {
                guard case .string(let text) = item else { return .contains(haystack: haystack, needle: needle) }
                strings.insert(text)
            }
            return folded(.inStringSet(needle, strings, items), children: [needle])
        }
        return folded(.contains(haystack: haystack, needle: needle), children: [haystack, needle])
    }

    /// A constant string next to a timestamp, as the timestamp it spells.
    private func timestampLiteral(_ checked: Checked, _ syntax: ExpressionSyntax) throws(ExpressionError) -> Checked {
        guard case .constant(.string(let text)) = checked.node else { return checked }
        guard let millis = Timestamp.parse(text) else {
            throw ExpressionError(
                "\(ExpressionValue.string(String(text.prefix(40))).description) is not a timestamp; "
                    + "write one as \"2026-11-22T10:00:00Z\"", at: syntax.start)
        }
        return Checked(node: .constant(.timestamp(millis)), type: .timestamp)
    }
}
