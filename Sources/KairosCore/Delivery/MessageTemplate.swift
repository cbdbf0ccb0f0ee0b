/// A message text with `{{expression}}` placeholders, each an expression of Kairos' language
/// (`{{profile.traits.name}}`, `{{features.views_5m}}`, `{{event.properties.product_id}}`),
/// compiled when the trigger is saved.
public struct MessageTemplate: Sendable {
    enum Part: Sendable {
        case text(String)
        case expression(Expression)
    }

    let parts: [Part]

    /// Compiles `source`; errors give the placeholder's line and column within the text.
    public init(_ source: String, environment: ExpressionEnvironment) throws(ExpressionError) {
        var parts: [Part] = []
        var index = source.startIndex
        var textStart = index
        while let open = Self.find("{{", in: source, from: index) {
            if open > textStart { parts.append(.text(String(source[textStart..<open]))) }
            let innerStart = source.index(open, offsetBy: 2)
            guard let close = Self.find("}}", in: source, from: innerStart) else {
                let (line, column) = Self.position(of: open, in: source)
                throw ExpressionError(message: "'{{' without a closing '}}'", line: line, column: column)
            }
            let inner = String(source[innerStart..<close])
            do throws(ExpressionError) {
                parts.append(.expression(try Expression.compile(inner, environment: environment)))
            } catch {
                let (line, column) = Self.position(of: innerStart, in: source)
                throw ExpressionError(
                    message: error.message, line: line + error.line - 1,
                    column: error.line == 1 ? column + error.column - 1 : error.column)
            }
            index = source.index(close, offsetBy: 2)
            textStart = index
        }
        if textStart < source.endIndex { parts.append(.text(String(source[textStart...]))) }
        self.parts = parts
    }

    static func find(_ needle: String, in text: String, from start: String.Index) -> String.Index? {
        var index = start
        while index < text.endIndex {
            if text[index...].hasPrefix(needle) { return index }
            index = text.index(after: index)
        }
        return nil
    }

    /// The text with every placeholder replaced by its value (`null` gives an empty string).
    public func render(_ context: EvaluationContext) -> String {
        var output = ""
        for part in parts {
            switch part {
            case .text(let text): output += text
            case .expression(let expression):
                let value = expression.evaluate(context)
                if value != .null { output += value.text }
            }
        }
        return output
    }

    static func position(of index: String.Index, in source: String) -> (Int, Int) {
        var line = 1
        var column = 1
        for character in source[..<index] {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
