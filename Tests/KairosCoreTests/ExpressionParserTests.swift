import Testing

@testable import KairosCore

@Suite struct ExpressionParserTests {
    private func render(_ source: String) throws -> String {
        try ExpressionParser.parse(source).rendered
    }

    @Test(arguments: [
        ("1 + 2 * 3", "(1 + (2 * 3))"),
        ("(1 + 2) * 3", "((1 + 2) * 3)"),
        ("10 - 4 - 3", "((10 - 4) - 3)"),
        ("8 / 4 / 2", "((8 / 4) / 2)"),
        ("2 * 3 % 4", "((2 * 3) % 4)"),
        ("a < b == c > d", "((a < b) == (c > d))"),
        ("a == b in c", "((a == b) in c)"),
        ("x in l && y", "((x in l) && y)"),
        ("a || b && c", "(a || (b && c))"),
        ("a && b || c && d", "((a && b) || (c && d))"),
        ("a && b && c && d", "(a && b && c && d)"),
        ("a || b || c", "(a || b || c)"),
        ("!a && b", "((!a) && b)"),
        ("!!a", "(!(!a))"),
        ("-a.b * 2", "((-a.b) * 2)"),
        ("-3", "-3"),
        ("- 30m", "-30m"),
        ("--3", "3"),
        ("1 - -2", "(1 - -2)"),
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a || b ? c + 1 : d", "((a || b) ? (c + 1) : d)"),
        ("a ? b ? c : d : e", "(a ? (b ? c : d) : e)"),
        ("event.properties['odd key'].x[0]", "event.properties[\"odd key\"].x[0]"),
        ("s.startsWith('a')", "s.startsWith(\"a\")"),
        ("size(x) + f()", "(size(x) + f())"),
        ("[1, 'a', true, null, [],]", "[1, \"a\", true, null, []]"),
        ("event.properties.in.true", "event.properties.in.true"),
        ("a.b(c)[d].e", "a.b(c)[d].e"),
        ("now - event.timestamp > 30m", "((now - event.timestamp) > 30m)"),
    ])
    func precedenceAndShape(source: String, expected: String) throws {
        #expect(try render(source) == expected)
    }

    @Test(arguments: [
        ("", 1, 1, "expected an expression, found the end"),
        ("   ", 1, 4, "expected an expression, found the end"),
        ("1 +", 1, 4, "expected an expression, found the end"),
        ("(1 + 2", 1, 7, "expected ')'"),
        ("1 2", 1, 3, "unexpected number 2 after the end"),
        ("a b", 1, 3, "unexpected 'b'"),
        ("[1, 2", 1, 6, "expected ',' or ']'"),
        ("[1 2]", 1, 4, "expected ',' or ']'"),
        ("size(1, ", 1, 9, "expected an expression"),
        ("size(1 2)", 1, 8, "expected ',' or ')'"),
        ("true ? 1", 1, 9, "expected ':'"),
        ("event.", 1, 7, "expected a field or method name"),
        ("event.1", 1, 7, "expected a field or method name"),
        ("a[1", 1, 4, "expected ']'"),
        (")", 1, 1, "found ')'"),
        ("* 2", 1, 1, "found '*'"),
        ("event.name ==\n\n    'a' +", 3, 10, "found the end"),
        ("1 +\n  * 2", 2, 3, "found '*'"),
        ("x in", 1, 5, "expected an expression"),
    ])
    func syntaxErrors(source: String, line: Int, column: Int, fragment: String) throws {
        try ExpressionFixtures.expectError(source, line: line, column: column, fragment: fragment)
    }

    @Test func nestingIsBounded() throws {
        let fine = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(ExpressionFixtures.error(fine) == nil)
        let deep = String(repeating: "(", count: 100) + "1" + String(repeating: ")", count: 100)
        let error = try #require(ExpressionFixtures.error(deep))
        #expect(error.message.contains("nested too deeply"))
        let negations = String(repeating: "!", count: 200) + "true"
        #expect(ExpressionFixtures.error(negations)?.message.contains("nested too deeply") == true)
        let lists = String(repeating: "[", count: 1000)
        #expect(ExpressionFixtures.error(lists)?.message.contains("nested too deeply") == true)
    }

    @Test func longChainsAreBoundedButFlatLogicIsNot() throws {
        let sum = (0..<100).map { _ in "1" }.joined(separator: " + ")
        #expect(ExpressionFixtures.error(sum)?.message.contains("nested too deeply") == true)
        let shortSum = (0..<50).map { _ in "1" }.joined(separator: " + ")
        #expect(try ExpressionFixtures.compile(shortSum).evaluate(ExpressionFixtures.context) == .number(50))
        let clauses = (0..<100).map { "event.properties.quantity != \($0 + 10)" }.joined(separator: " && ")
        #expect(try ExpressionFixtures.compile(clauses).matches(ExpressionFixtures.context))
    }

    @Test func lengthIsBounded() throws {
        let long = String(repeating: "1 + ", count: 1100) + "1"
        let error = try #require(ExpressionFixtures.error(long))
        #expect(error.message.contains("longer than 4096 bytes"))
        #expect(error.line == 1 && error.column == 1)
    }

    @Test func errorDescriptionNamesThePosition() {
        let error = ExpressionError(message: "unknown feature 'x'", line: 2, column: 7)
        #expect(error.description == "line 2, column 7: unknown feature 'x'")
    }
}
