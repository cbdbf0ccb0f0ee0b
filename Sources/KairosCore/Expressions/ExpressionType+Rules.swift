/// Which operand types each operator accepts, and what it gives. `dyn` operands are accepted when
/// some runtime type would fit; `null` operands are accepted everywhere (the result is null/false).
extension ExpressionType {
    /// The result type of an arithmetic operator, or nil when the operands can never fit.
    static func arithmetic(_ op: ExpressionSyntax.BinaryOperator, _ left: ExpressionType, _ right: ExpressionType)
        -> ExpressionType?
    {
        if left == .null || right == .null { return .null }
        return combine(left, right) { concreteArithmetic(op, $0, $1) }
    }

    /// Whether `<`, `<=`, `>`, `>=` may hold between the two types.
    static func orderable(_ left: ExpressionType, _ right: ExpressionType) -> Bool {
        if left == .null || right == .null { return true }
        return combine(left, right) { a, b in
            switch (a, b) {
            case (.number, .number), (.string, .string), (.duration, .duration), (.timestamp, .timestamp),
                (.timestamp, .string), (.string, .timestamp):
                .bool
            default: nil
            }
        } != nil
    }

    /// Whether `==` may ever hold between the two types.
    static func equatable(_ left: ExpressionType, _ right: ExpressionType) -> Bool {
        switch (left, right) {
        case (.null, _), (_, .null), (.dyn, _), (_, .dyn), (.timestamp, .string), (.string, .timestamp): true
        default: left == right
        }
    }

    /// Whether `needle in haystack` is meaningful.
    static func membership(_ needle: ExpressionType, _ haystack: ExpressionType) -> Bool {
        switch haystack {
        case .list, .dyn, .null: true
        case .map, .string: needle.admits(.string) || needle == .null
        default: false
        }
    }

    private static func concreteArithmetic(
        _ op: ExpressionSyntax.BinaryOperator, _ left: ExpressionType, _ right: ExpressionType
    ) -> ExpressionType? {
        switch (op, left, right) {
        case (_, .number, .number): .number
        case (.add, .string, .string): .string
        case (.add, .list, .list): .list
        case (.add, .duration, .duration), (.subtract, .duration, .duration): .duration
        case (.add, .timestamp, .duration), (.add, .duration, .timestamp), (.subtract, .timestamp, .duration):
            .timestamp
        case (.subtract, .timestamp, .timestamp), (.subtract, .timestamp, .string), (.subtract, .string, .timestamp):
            .duration
        case (.multiply, .duration, .number), (.multiply, .number, .duration), (.divide, .duration, .number): .duration
        case (.divide, .duration, .duration): .number
        default: nil
        }
    }

    /// Applies a rule on concrete types to every runtime possibility of `left` and `right`:
    /// nil when none fits, the result when all fitting ones agree, else `dyn`.
    private static func combine(
        _ left: ExpressionType, _ right: ExpressionType, _ rule: (ExpressionType, ExpressionType) -> ExpressionType?
    ) -> ExpressionType? {
        var result: ExpressionType?
        for a in left.candidates {
            for b in right.candidates {
                guard let type = rule(a, b) else { continue }
                if result == nil {
                    result = type
                } else if result != type {
                    result = .dyn
                }
            }
        }
        return result
    }
}
