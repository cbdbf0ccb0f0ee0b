import Testing

@testable import KairosCore

/// Shared data and helpers for the expression tests.
enum ExpressionFixtures {
    /// 2026-11-22T10:00:00Z.
    static let eventTime: Millis = 1_795_341_600_000
    /// 2026-11-22T10:10:00Z, ten minutes after the event.
    static let now: Millis = eventTime + 600_000

    static let environment = ExpressionEnvironment(features: [
        "views_5m": .number, "last_category": .string, "recent": .list, "summary": .map, "anything": .dyn,
        "active": .bool, "since": .duration, "last_order": .timestamp,
    ])

    static let trackEvent: JSONValue = [
        "type": "track", "event": "Product Viewed", "userId": "u-1", "anonymousId": "a-1", "messageId": "m-1",
        "timestamp": "2026-11-22T10:00:00.000Z",
        "properties": [
            "price": 149.5, "product_id": "p-42", "quantity": 2, "tags": ["sale", "new"], "odd key": "yes",
            "with.dot": 1, "nested": ["deep": ["value": 7]], "empty": nil, "zero": 0, "flag": true,
            "items": [["sku": "a"], ["sku": "b"]], "signup": "2026-01-01T00:00:00Z", "label": "Trail Shoe",
        ],
        "context": ["device": ["type": "mobile"], "locale": "de-DE"],
    ]

    static let pageEvent: JSONValue = [
        "type": "page", "name": "Pricing", "anonymousId": "a-2", "timestamp": "2026-11-22T09:00:00Z",
        "properties": ["path": "/pricing"],
    ]

    static let profile: JSONValue = [
        "userId": "u-1",
        "traits": ["tier": "gold", "email": "Ann@Example.com", "age": 34, "vip": true, "plan": nil, "tags": ["a", "b"]],
        "eventCounts": ["Product Viewed": 12, "Order Completed": 2],
        "eventTotal": 14,
        "firstSeen": "2026-01-02T03:04:05.000Z",
        "lastSeen": "2026-11-22T09:59:00.000Z",
    ]

    static let features: [String: ExpressionValue] = [
        "views_5m": .number(4), "last_category": .string("shoes"), "recent": .list([.string("p-1"), .string("p-42")]),
        "summary": .json(["a": 1]), "anything": .json(.number(5)), "active": .bool(true), "since": .duration(90_000),
        "last_order": .timestamp(now - 86_400_000),
    ]

    /// A track event, its profile, features and segments, evaluated at `now`.
    static let context = EvaluationContext(
        event: trackEvent, profile: profile, features: features, segments: ["shoppers", "mobile"], now: now)

    /// Compiles with the fixture environment.
    static func compile(_ source: String) throws(ExpressionError) -> Expression {
        try Expression.compile(source, environment: environment)
    }

    /// The compile error for `source`, or nil when it compiles.
    /// Expects `source` to be refused at `line`:`column` with a message containing `fragment`.
    static func expectError(
        _ source: String, line: Int, column: Int, fragment: String, condition: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let error = try #require(
            Self.error(source, condition: condition), "\(source) should not compile", sourceLocation: sourceLocation)
        #expect(error.line == line, "\(error)", sourceLocation: sourceLocation)
        #expect(error.column == column, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
    }

    static func error(_ source: String, condition: Bool = false) -> ExpressionError? {
        do {
            if condition {
                _ = try Expression.compileCondition(source, environment: environment)
            } else {
                _ = try Expression.compile(source, environment: environment)
            }
            return nil
        } catch {
            return error
        }
    }

    /// Compiles (recording an issue when that fails) and evaluates `source` in `context`.
    static func evaluate(
        _ source: String, in context: EvaluationContext = context, sourceLocation: SourceLocation = #_sourceLocation
    ) -> ExpressionValue? {
        do {
            return try compile(source).evaluate(context)
        } catch {
            Issue.record("\(source) does not compile: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }
}

extension ExpressionSyntax {
    /// The tree fully parenthesised, to check precedence and associativity.
    var rendered: String {
        switch kind {
        case .literal(let value): return value.description
        case .list(let elements): return "[" + elements.map(\.rendered).joined(separator: ", ") + "]"
        case .identifier(let name): return name
        case .member(let base, let name): return "\(base.rendered).\(name)"
        case .index(let base, let index): return "\(base.rendered)[\(index.rendered)]"
        case .call(let name, let receiver, let arguments):
            let call = "\(name)(" + arguments.map(\.rendered).joined(separator: ", ") + ")"
            return receiver.map { "\($0.rendered).\(call)" } ?? call
        case .unary(.not, let operand): return "(!\(operand.rendered))"
        case .unary(.negate, let operand): return "(-\(operand.rendered))"
        case .binary(let op, let left, let right): return "(\(left.rendered) \(op.spelling) \(right.rendered))"
        case .and(let operands): return "(" + operands.map(\.rendered).joined(separator: " && ") + ")"
        case .or(let operands): return "(" + operands.map(\.rendered).joined(separator: " || ") + ")"
        case .conditional(let condition, let then, let otherwise):
            return "(\(condition.rendered) ? \(then.rendered) : \(otherwise.rendered))"
        }
    }
}
