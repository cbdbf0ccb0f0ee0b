/// A Pratt (precedence-climbing) parser from tokens to ``ExpressionSyntax``.
///
/// Precedence, loosest first: `?:`, `||`, `&&`, `in`, `== !=`, `< <= > >=`, `+ -`, `* / %`,
/// prefix `!` and `-`, then postfix `.field`, `.method(...)` and `[index]`.
struct ExpressionParser: Sendable {
    private let tokens: [ExpressionToken]
    private var position = 0
    private var nesting = 0

    private init(tokens: [ExpressionToken]) {
        self.tokens = tokens
    }

    /// Parses a whole expression; anything after it is an error.
    static func parse(_ source: String) throws(ExpressionError) -> ExpressionSyntax {
        var parser = ExpressionParser(tokens: try ExpressionLexer.tokenize(source))
        let tree = try parser.expression()
        let rest = parser.current
        guard rest.kind == .end else {
            throw ExpressionError("unexpected \(rest.quoted) after the end of the expression", at: rest.location)
        }
        return tree
    }

    private var current: ExpressionToken { tokens[position] }

    @discardableResult
    private mutating func advance() -> ExpressionToken {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private mutating func expect(_ kind: ExpressionToken.Kind, _ what: String) throws(ExpressionError) {
        guard current.kind == kind else {
            throw ExpressionError("expected \(what), found \(current.quoted)", at: current.location)
        }
        advance()
    }

    private mutating func enter() throws(ExpressionError) {
        nesting += 1
        guard nesting <= Expression.maximumDepth else { throw Self.tooDeep(at: current.location) }
    }

    private static func tooDeep(at location: ExpressionLocation) -> ExpressionError {
        ExpressionError("expression is nested too deeply (more than \(Expression.maximumDepth) levels)", at: location)
    }

    private func node(
        _ kind: ExpressionSyntax.Kind, at location: ExpressionLocation, start: ExpressionLocation,
        children: [ExpressionSyntax] = []
    ) throws(ExpressionError) -> ExpressionSyntax {
        let depth = 1 + (children.lazy.map(\.depth).max() ?? 0)
        guard depth <= Expression.maximumDepth else { throw Self.tooDeep(at: location) }
        return ExpressionSyntax(kind: kind, location: location, start: start, depth: depth)
    }

    /// A full expression, including the conditional operator.
    private mutating func expression() throws(ExpressionError) -> ExpressionSyntax {
        try enter()
        defer { nesting -= 1 }
        let condition = try binary(minimum: 1)
        guard current.kind == .question else { return condition }
        let question = advance()
        let then = try expression()
        try expect(.colon, "':' of the conditional expression")
        let otherwise = try expression()
        return try node(
            .conditional(condition, then, otherwise), at: question.location, start: condition.start,
            children: [condition, then, otherwise])
    }

    private static func precedence(of kind: ExpressionToken.Kind) -> Int? {
        switch kind {
        case .orOr: 1
        case .andAnd: 2
        case .inKeyword: 3
        case .equalEqual, .bangEqual: 4
        case .less, .lessEqual, .greater, .greaterEqual: 5
        case .plus, .minus: 6
        case .star, .slash, .percent: 7
        default: nil
        }
    }

    private mutating func binary(minimum: Int) throws(ExpressionError) -> ExpressionSyntax {
        var left = try unary()
        while let precedence = Self.precedence(of: current.kind), precedence >= minimum {
            let token = advance()
            let right = try binary(minimum: precedence + 1)
            left = try combine(token, left, right)
        }
        return left
    }

    private func combine(_ token: ExpressionToken, _ left: ExpressionSyntax, _ right: ExpressionSyntax)
        throws(ExpressionError) -> ExpressionSyntax
    {
        let op: ExpressionSyntax.BinaryOperator
        switch token.kind {
        case .andAnd:
            if case .and(let operands) = left.kind {
                let all = operands + [right]
                return try node(.and(all), at: left.location, start: left.start, children: all)
            }
            return try node(.and([left, right]), at: token.location, start: left.start, children: [left, right])
        case .orOr:
            if case .or(let operands) = left.kind {
                let all = operands + [right]
                return try node(.or(all), at: left.location, start: left.start, children: all)
            }
            return try node(.or([left, right]), at: token.location, start: left.start, children: [left, right])
        case .inKeyword: op = .in
        case .equalEqual: op = .equal
        case .bangEqual: op = .notEqual
        case .less: op = .less
        case .lessEqual: op = .lessEqual
        case .greater: op = .greater
        case .greaterEqual: op = .greaterEqual
        case .plus: op = .add
        case .minus: op = .subtract
        case .star: op = .multiply
        case .slash: op = .divide
        default: op = .remainder
        }
        return try node(.binary(op, left, right), at: token.location, start: left.start, children: [left, right])
    }

    private mutating func unary() throws(ExpressionError) -> ExpressionSyntax {
        let token = current
        guard token.kind == .bang || token.kind == .minus else { return try postfix() }
        advance()
        try enter()
        defer { nesting -= 1 }
        let operand = try unary()
        if token.kind == .minus, case .literal(let value) = operand.kind {
            switch value {
            case .number(let number):
                return try node(.literal(.number(-number)), at: token.location, start: token.location)
            case .duration(let millis):
                return try node(.literal(.duration(-millis)), at: token.location, start: token.location)
            default: break
            }
        }
        let op: ExpressionSyntax.UnaryOperator = token.kind == .bang ? .not : .negate
        return try node(.unary(op, operand), at: token.location, start: token.location, children: [operand])
    }

    private mutating func postfix() throws(ExpressionError) -> ExpressionSyntax {
        var base = try primary()
        while true {
            switch current.kind {
            case .dot:
                advance()
                let nameToken = advance()
                guard let name = Self.memberName(nameToken.kind) else {
                    throw ExpressionError("expected a field or method name after '.', found \(nameToken.quoted)",
                                          at: nameToken.location)
                }
                if current.kind == .leftParen {
                    let arguments = try callArguments()
                    base = try node(
                        .call(name, receiver: base, arguments: arguments), at: nameToken.location, start: base.start,
                        children: [base] + arguments)
                } else {
                    base = try node(.member(base, name), at: nameToken.location, start: base.start, children: [base])
                }
            case .leftBracket:
                let bracket = advance()
                let index = try expression()
                try expect(.rightBracket, "']' after the index")
                base = try node(.index(base, index), at: bracket.location, start: base.start, children: [base, index])
            default:
                return base
            }
        }
    }

    private static func memberName(_ kind: ExpressionToken.Kind) -> String? {
        switch kind {
        case .identifier(let name): name
        case .trueKeyword, .falseKeyword, .nullKeyword, .inKeyword: kind.spelling
        default: nil
        }
    }

    private mutating func callArguments() throws(ExpressionError) -> [ExpressionSyntax] {
        try expect(.leftParen, "'('")
        var arguments: [ExpressionSyntax] = []
        if current.kind == .rightParen {
            advance()
            return arguments
        }
        while true {
            arguments.append(try expression())
            let separator = advance()
            if separator.kind == .rightParen { return arguments }
            guard separator.kind == .comma else {
                throw ExpressionError("expected ',' or ')' in the argument list, found \(separator.quoted)",
                                      at: separator.location)
            }
        }
    }

    private mutating func primary() throws(ExpressionError) -> ExpressionSyntax {
        let token = advance()
        let here = token.location
        switch token.kind {
        case .number(let value): return try node(.literal(.number(value)), at: here, start: here)
        case .duration(let millis): return try node(.literal(.duration(millis)), at: here, start: here)
        case .string(let text): return try node(.literal(.string(text)), at: here, start: here)
        case .trueKeyword: return try node(.literal(.bool(true)), at: here, start: here)
        case .falseKeyword: return try node(.literal(.bool(false)), at: here, start: here)
        case .nullKeyword: return try node(.literal(.null), at: here, start: here)
        case .identifier(let name):
            guard current.kind == .leftParen else { return try node(.identifier(name), at: here, start: here) }
            let arguments = try callArguments()
            let call = ExpressionSyntax.Kind.call(name, receiver: nil, arguments: arguments)
            return try node(call, at: here, start: here, children: arguments)
        case .leftParen:
            var inner = try expression()
            try expect(.rightParen, "')'")
            inner.start = here
            return inner
        case .leftBracket:
            return try list(at: here)
        case .end:
            throw ExpressionError("expected an expression, found the end of the expression", at: here)
        default:
            throw ExpressionError("expected an expression, found \(token.quoted)", at: here)
        }
    }

    private mutating func list(at start: ExpressionLocation) throws(ExpressionError) -> ExpressionSyntax {
        var elements: [ExpressionSyntax] = []
        while current.kind != .rightBracket {
            elements.append(try expression())
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightBracket {
                throw ExpressionError("expected ',' or ']' in the list, found \(current.quoted)", at: current.location)
            }
        }
        advance()
        return try node(.list(elements), at: start, start: start, children: elements)
    }
}
