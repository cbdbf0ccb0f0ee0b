/// Why an expression could not be compiled, and where (1-based line and column).
///
/// Columns count Unicode scalars, so a multi-byte character occupies one column.
public struct ExpressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in a sentence fragment (no position).
    public var message: String
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column of the problem.
    public var column: Int

    /// An error at a 1-based `line` and `column`.
    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    init(_ message: String, at location: ExpressionLocation) {
        self.init(message: message, line: location.line, column: location.column)
    }

    /// `line 2, column 7: unknown feature 'views_5'`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// A position in expression source text (1-based line and column).
struct ExpressionLocation: Sendable, Equatable {
    var line: Int
    var column: Int

    static let start = ExpressionLocation(line: 1, column: 1)
}
