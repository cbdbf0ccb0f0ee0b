import Testing

@testable import KairosCore

@Suite struct ExpressionLexerTests {
    private func kinds(_ source: String) throws -> [ExpressionToken.Kind] {
        try ExpressionLexer.tokenize(source).map(\.kind)
    }

    @Test func tokenizesEveryKind() throws {
        let tokens = try kinds("a.b_2[0] (x, y) ? : ! - + * / % < <= > >= == != && || in true false null")
        #expect(tokens == [
            .identifier("a"), .dot, .identifier("b_2"), .leftBracket, .number(0), .rightBracket, .leftParen,
            .identifier("x"), .comma, .identifier("y"), .rightParen, .question, .colon, .bang, .minus, .plus, .star,
            .slash, .percent, .less, .lessEqual, .greater, .greaterEqual, .equalEqual, .bangEqual, .andAnd, .orOr,
            .inKeyword, .trueKeyword, .falseKeyword, .nullKeyword, .end,
        ])
    }

    @Test(arguments: [
        ("12", 12.0), ("3.5", 3.5), ("1e3", 1000), ("2.5E-1", 0.25), ("0", 0), ("007", 7), ("1e+2", 100),
    ])
    func numbers(source: String, value: Double) throws {
        #expect(try kinds(source) == [.number(value), .end])
    }

    @Test(arguments: [
        ("500ms", Int64(500)), ("30s", 30_000), ("5m", 300_000), ("1h", 3_600_000), ("7d", 604_800_000),
        ("2w", 1_209_600_000), ("0s", 0),
    ])
    func durations(source: String, millis: Int64) throws {
        #expect(try kinds(source) == [.duration(millis), .end])
    }

    @Test(arguments: [
        (#""plain""#, "plain"), ("'single'", "single"), (#""a\nb\tc""#, "a\nb\tc"), (#""q\"q""#, "q\"q"),
        (#"'it\'s'"#, "it's"), (#""back\\slash""#, "back\\slash"), (#""\u00e9t\u00C9""#, "étÉ"),
        (#""\ud83d\ude00""#, "😀"), (#""mixed 'quotes'""#, "mixed 'quotes'"), ("''", ""), ("'é ü'", "é ü"),
    ])
    func strings(source: String, value: String) throws {
        #expect(try kinds(source) == [.string(value), .end])
    }

    @Test func tracksLinesAndColumns() throws {
        let tokens = try ExpressionLexer.tokenize("a &&\n  'é' == b\r\n\tc")
        let positions = tokens.map { [$0.location.line, $0.location.column] }
        #expect(positions == [[1, 1], [1, 3], [2, 3], [2, 7], [2, 10], [3, 2], [3, 3]])
    }

    @Test(arguments: [
        ("1 + @", 1, 5, "unexpected character '@'"),
        ("'abc", 1, 1, "unterminated string"),
        ("'abc\n'", 1, 1, "unterminated string"),
        (#""a\qb""#, 1, 3, "invalid escape '\\q'"),
        (#""\u12""#, 1, 2, "four hex digits"),
        (#""\ud800x""#, 1, 2, "unpaired surrogate"),
        (#""\udc00""#, 1, 2, "unpaired surrogate"),
        ("5min", 1, 1, "unknown duration unit 'min'"),
        ("1.5h", 1, 1, "whole number"),
        ("1e", 1, 1, "exponent"),
        ("1e999", 1, 1, "out of range"),
        ("99999999999999999w", 1, 1, "too large"),
        ("a = 1", 1, 3, "use '=='"),
        ("a & b", 1, 3, "use '&&'"),
        ("a | b", 1, 3, "use '||'"),
        ("x\n  #", 2, 3, "unexpected character '#'"),
        ("'é' + §", 1, 7, "unexpected character '§'"),
    ])
    func lexicalErrors(source: String, line: Int, column: Int, fragment: String) throws {
        try ExpressionFixtures.expectError(source, line: line, column: column, fragment: fragment)
    }
}
