/// Splits expression source into tokens, tracking line and column for error messages.
struct ExpressionLexer: Sendable {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1

    private init(_ source: String) {
        bytes = Array(source.utf8)
    }

    /// All tokens of `source`, ending with `.end`.
    static func tokenize(_ source: String) throws(ExpressionError) -> [ExpressionToken] {
        var lexer = ExpressionLexer(source)
        var tokens: [ExpressionToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private var here: ExpressionLocation { ExpressionLocation(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == 0x0A {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func next() throws(ExpressionError) -> ExpressionToken {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { advance() }
        let start = here
        guard let byte = peek() else { return ExpressionToken(kind: .end, location: start) }
        if Self.isDigit(byte) { return try number(start) }
        if Self.isIdentifierStart(byte) { return identifier(start) }
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") { return try string(start) }
        let kind = try punctuation(byte, start)
        return ExpressionToken(kind: kind, location: start)
    }

    private mutating func punctuation(_ byte: UInt8, _ start: ExpressionLocation) throws(ExpressionError)
        -> ExpressionToken.Kind
    {
        let following = peek(1)
        let single: ExpressionToken.Kind? =
            switch byte {
            case UInt8(ascii: "("): .leftParen
            case UInt8(ascii: ")"): .rightParen
            case UInt8(ascii: "["): .leftBracket
            case UInt8(ascii: "]"): .rightBracket
            case UInt8(ascii: ","): .comma
            case UInt8(ascii: "."): .dot
            case UInt8(ascii: "?"): .question
            case UInt8(ascii: ":"): .colon
            case UInt8(ascii: "-"): .minus
            case UInt8(ascii: "+"): .plus
            case UInt8(ascii: "*"): .star
            case UInt8(ascii: "/"): .slash
            case UInt8(ascii: "%"): .percent
            default: nil
            }
        if let single {
            advance()
            return single
        }
        let isEqualNext = following == UInt8(ascii: "=")
        let pair: (ExpressionToken.Kind, Int)? =
            switch byte {
            case UInt8(ascii: "!"): isEqualNext ? (.bangEqual, 2) : (.bang, 1)
            case UInt8(ascii: "<"): isEqualNext ? (.lessEqual, 2) : (.less, 1)
            case UInt8(ascii: ">"): isEqualNext ? (.greaterEqual, 2) : (.greater, 1)
            case UInt8(ascii: "="): isEqualNext ? (.equalEqual, 2) : nil
            case UInt8(ascii: "&"): following == UInt8(ascii: "&") ? (.andAnd, 2) : nil
            case UInt8(ascii: "|"): following == UInt8(ascii: "|") ? (.orOr, 2) : nil
            default: nil
            }
        if let (kind, length) = pair {
            for _ in 0..<length { advance() }
            return kind
        }
        switch byte {
        case UInt8(ascii: "="): throw ExpressionError("'=' is not an operator; use '==' to compare", at: start)
        case UInt8(ascii: "&"): throw ExpressionError("'&' is not an operator; use '&&'", at: start)
        case UInt8(ascii: "|"): throw ExpressionError("'|' is not an operator; use '||'", at: start)
        default: throw ExpressionError("unexpected character '\(characterAtIndex())'", at: start)
        }
    }

    /// The whole character starting at `index` (for error messages).
    private func characterAtIndex() -> String {
        var end = index + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    private mutating func identifier(_ start: ExpressionLocation) -> ExpressionToken {
        let begin = index
        while let byte = peek(), Self.isIdentifierPart(byte) { advance() }
        let name = String(decoding: bytes[begin..<index], as: UTF8.self)
        let kind: ExpressionToken.Kind =
            switch name {
            case "true": .trueKeyword
            case "false": .falseKeyword
            case "null": .nullKeyword
            case "in": .inKeyword
            default: .identifier(name)
            }
        return ExpressionToken(kind: kind, location: start)
    }

    private mutating func number(_ start: ExpressionLocation) throws(ExpressionError) -> ExpressionToken {
        let begin = index
        while let byte = peek(), Self.isDigit(byte) { advance() }
        var isInteger = true
        if peek() == UInt8(ascii: "."), let after = peek(1), Self.isDigit(after) {
            isInteger = false
            advance()
            while let byte = peek(), Self.isDigit(byte) { advance() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let sign = peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") ? 1 : 0
            guard let digit = peek(1 + sign), Self.isDigit(digit) else {
                throw ExpressionError("a number's exponent needs digits", at: start)
            }
            isInteger = false
            for _ in 0...sign { advance() }
            while let byte = peek(), Self.isDigit(byte) { advance() }
        }
        let text = String(decoding: bytes[begin..<index], as: UTF8.self)
        if let byte = peek(), Self.isIdentifierStart(byte) {
            return try duration(amount: text, isInteger: isInteger, start)
        }
        guard let value = Double(text), value.isFinite else {
            throw ExpressionError("number \(text) is out of range", at: start)
        }
        return ExpressionToken(kind: .number(value), location: start)
    }

    private mutating func duration(amount: String, isInteger: Bool, _ start: ExpressionLocation)
        throws(ExpressionError) -> ExpressionToken
    {
        let unitStart = index
        while let byte = peek(), Self.isIdentifierPart(byte) { advance() }
        let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
        guard let scale = ExpressionDuration.unitMillis(Substring(unit)) else {
            throw ExpressionError("unknown duration unit '\(unit)' (use ms, s, m, h, d or w)", at: start)
        }
        guard isInteger else {
            throw ExpressionError("a duration needs a whole number, as in 90m rather than 1.5h", at: start)
        }
        guard let count = Millis(amount), case let (millis, false) = count.multipliedReportingOverflow(by: scale)
        else { throw ExpressionError("duration \(amount)\(unit) is too large", at: start) }
        return ExpressionToken(kind: .duration(millis), location: start)
    }

    private mutating func string(_ start: ExpressionLocation) throws(ExpressionError) -> ExpressionToken {
        let quote = bytes[index]
        advance()
        var buffer: [UInt8] = []
        while true {
            guard let byte = peek(), byte != 0x0A else {
                throw ExpressionError("unterminated string (a string must end on the line it starts)", at: start)
            }
            if byte == quote {
                advance()
                break
            }
            if byte == UInt8(ascii: "\\") {
                try escape(into: &buffer)
            } else {
                buffer.append(byte)
                advance()
            }
        }
        return ExpressionToken(kind: .string(String(decoding: buffer, as: UTF8.self)), location: start)
    }

    private mutating func escape(into buffer: inout [UInt8]) throws(ExpressionError) {
        let start = here
        advance()
        guard let byte = peek() else { throw ExpressionError("unterminated string", at: start) }
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "t"): 0x09
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "/"): byte
            default: nil
            }
        if let simple {
            buffer.append(simple)
            advance()
            return
        }
        guard byte == UInt8(ascii: "u") else {
            throw ExpressionError("invalid escape '\\\(characterAtIndex())' in string", at: start)
        }
        advance()
        var value = try hexQuad(start)
        if (0xD800..<0xDC00).contains(value) {
            guard peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") else {
                throw ExpressionError("invalid unicode escape: unpaired surrogate", at: start)
            }
            advance()
            advance()
            let low = try hexQuad(start)
            guard (0xDC00..<0xE000).contains(low) else {
                throw ExpressionError("invalid unicode escape: unpaired surrogate", at: start)
            }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw ExpressionError("invalid unicode escape: unpaired surrogate", at: start)
        }
        UTF8.encode(scalar) { buffer.append($0) }
    }

    private mutating func hexQuad(_ start: ExpressionLocation) throws(ExpressionError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = Self.hexValue(byte) else {
                throw ExpressionError("invalid unicode escape: \\u needs four hex digits", at: start)
            }
            value = value << 4 | digit
            advance()
        }
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") || byte == UInt8(ascii: "_")
    }

    private static func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
}
