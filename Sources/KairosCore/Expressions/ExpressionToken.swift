/// One lexical token of an expression and where it starts.
struct ExpressionToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case number(Double)
        case duration(Millis)
        case string(String)
        case identifier(String)
        case trueKeyword, falseKeyword, nullKeyword, inKeyword
        case leftParen, rightParen, leftBracket, rightBracket, comma, dot, question, colon
        case bang, minus, plus, star, slash, percent
        case less, lessEqual, greater, greaterEqual, equalEqual, bangEqual, andAnd, orOr
        case end
    }

    var kind: Kind
    var location: ExpressionLocation

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .number(let value): "number \(ExpressionValue.format(number: value))"
        case .duration(let millis): "duration \(ExpressionDuration.format(millis))"
        case .string: "string literal"
        case .identifier(let name): "'\(name)'"
        case .end: "end of expression"
        default: "'\(kind.spelling ?? "?")'"
        }
    }
}

extension ExpressionToken.Kind {
    /// The fixed spelling of keywords and punctuation; nil for literals, identifiers and the end.
    var spelling: String? {
        switch self {
        case .trueKeyword: "true"
        case .falseKeyword: "false"
        case .nullKeyword: "null"
        case .inKeyword: "in"
        case .leftParen: "("
        case .rightParen: ")"
        case .leftBracket: "["
        case .rightBracket: "]"
        case .comma: ","
        case .dot: "."
        case .question: "?"
        case .colon: ":"
        case .bang: "!"
        case .minus: "-"
        case .plus: "+"
        case .star: "*"
        case .slash: "/"
        case .percent: "%"
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        case .equalEqual: "=="
        case .bangEqual: "!="
        case .andAnd: "&&"
        case .orOr: "||"
        case .number, .duration, .string, .identifier, .end: nil
        }
    }
}
