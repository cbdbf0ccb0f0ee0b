/// Type-checks an ``ExpressionSyntax`` tree and compiles it into an ``ExpressionNode`` tree,
/// folding constant sub-expressions and collecting the features and segments it refers to.
struct ExpressionChecker: Sendable {
    /// A checked sub-expression.
    struct Checked: Sendable {
        var node: ExpressionNode
        var type: ExpressionType
        /// Set while the sub-expression is a plain path from `event`, `context` or `profile`.
        var path: Path?
    }

    /// A path from a JSON root whose keys are all known at compile time.
    struct Path: Sendable, Equatable {
        enum Root: Sendable { case event, profile, item }

        var root: Root
        var keys: [ExpressionPathKey]
    }

    let environment: ExpressionEnvironment
    /// The features referred to so far.
    private(set) var features: Set<String> = []
    /// Whether `segments` has been referred to.
    private(set) var usesSegments = false
    /// Segment names tested with `"name" in segments`.
    var segmentNames: Set<String> = []
    /// Whether `item` (or, for offers, `offer`, `propensity`, `value`, `lever`) has been referred to.
    var readsItem = false

    init(environment: ExpressionEnvironment) {
        self.environment = environment
    }

    mutating func check(_ syntax: ExpressionSyntax) throws(ExpressionError) -> Checked {
        switch syntax.kind {
        case .literal(let value):
            return Checked(node: .constant(value), type: value.type)
        case .list(let elements):
            var nodes: [ExpressionNode] = []
            for element in elements { nodes.append(try check(element).node) }
            return Checked(node: folded(.list(nodes), children: nodes), type: .list)
        case .identifier(let name):
            return try identifier(name, syntax)
        case .member(let base, let name):
            return try member(base, name, syntax)
        case .index(let base, let position):
            return try index(base, position, syntax)
        case .call(let name, let receiver, let arguments):
            return try call(name, receiver: receiver, arguments: arguments, syntax)
        case .unary(.not, let operand):
            let checked = try check(operand)
            try requireCondition(checked, operand, role: "'!'")
            return Checked(node: folded(.not(checked.node), children: [checked.node]), type: .bool)
        case .unary(.negate, let operand):
            let checked = try check(operand)
            let type: ExpressionType
            switch checked.type {
            case .number, .duration, .dyn, .null: type = checked.type
            default: throw ExpressionError("'-' cannot be applied to \(checked.type.phrase)", at: syntax.location)
            }
            return Checked(node: folded(.negate(checked.node), children: [checked.node]), type: type)
        case .binary(let op, let left, let right):
            return try binary(op, left, right, syntax)
        case .and(let operands):
            return try logical(operands, isAnd: true)
        case .or(let operands):
            return try logical(operands, isAnd: false)
        case .conditional(let condition, let then, let otherwise):
            return try conditional(condition, then, otherwise)
        }
    }

    /// Throws unless `checked` can serve as a condition (bool, or unknown, or null).
    func requireCondition(_ checked: Checked, _ syntax: ExpressionSyntax, role: String) throws(ExpressionError) {
        switch checked.type {
        case .bool, .dyn, .null: return
        default:
            throw ExpressionError("\(role) needs a boolean, but this is \(checked.type.phrase)", at: syntax.start)
        }
    }

    /// `a && b && ...` or `a || b || ...`, dropping operands that are constant and cannot decide.
    private mutating func logical(_ operands: [ExpressionSyntax], isAnd: Bool) throws(ExpressionError) -> Checked {
        var nodes: [ExpressionNode] = []
        var decided = false
        for operand in operands {
            let checked = try check(operand)
            try requireCondition(checked, operand, role: isAnd ? "'&&'" : "'||'")
            if let constant = checked.node.constantValue {
                // `true` cannot change an `&&`, `false` cannot change an `||`; the opposite decides it.
                if constant.isTruthy != isAnd { decided = true }
                continue
            }
            nodes.append(checked.node)
        }
        if decided { return Checked(node: .constant(.bool(!isAnd)), type: .bool) }
        if nodes.isEmpty { return Checked(node: .constant(.bool(isAnd)), type: .bool) }
        return Checked(node: isAnd ? .and(nodes) : .or(nodes), type: .bool)
    }

    private mutating func conditional(
        _ conditionSyntax: ExpressionSyntax, _ thenSyntax: ExpressionSyntax, _ otherwiseSyntax: ExpressionSyntax
    ) throws(ExpressionError) -> Checked {
        let condition = try check(conditionSyntax)
        try requireCondition(condition, conditionSyntax, role: "the condition of '?:'")
        let then = try check(thenSyntax)
        let otherwise = try check(otherwiseSyntax)
        let type: ExpressionType =
            if then.type == otherwise.type || otherwise.type == .null {
                then.type
            } else if then.type == .null {
                otherwise.type
            } else {
                .dyn
            }
        if let constant = condition.node.constantValue {
            return Checked(node: constant.isTruthy ? then.node : otherwise.node, type: type)
        }
        return Checked(node: .conditional(condition.node, then.node, otherwise.node), type: type)
    }

    /// `node` evaluated now when all its `children` are constants (every operator is pure).
    func folded(_ node: ExpressionNode, children: [ExpressionNode]) -> ExpressionNode {
        for child in children where child.constantValue == nil { return node }
        return .constant(node.evaluate(EvaluationContext(now: 0)))
    }

    mutating func noteFeature(_ name: String) {
        features.insert(name)
    }

    mutating func noteSegments() {
        usesSegments = true
    }
}
