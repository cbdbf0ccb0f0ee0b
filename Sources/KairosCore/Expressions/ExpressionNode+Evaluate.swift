extension ExpressionNode {
    /// The value of this node in `context`. Total: never traps, never throws.
    func evaluate(_ context: EvaluationContext) -> ExpressionValue {
        switch self {
        case .constant(let value):
            return value
        case .eventName:
            if let name = context.eventName { return .string(name) }
            guard case .object(let fields)? = context.event else { return .null }
            if let name = Self.field(fields, "event"), name != .null { return ExpressionValue(name) }
            guard let name = Self.field(fields, "name") else { return .null }
            return ExpressionValue(name)
        case .eventTimestamp:
            if let millis = context.eventTimestamp { return .timestamp(millis) }
            guard case .object(let fields)? = context.event else { return .null }
            return Self.timestamp(Self.field(fields, "timestamp"))
        case .eventPath(let keys):
            guard let event = context.event, let value = Self.walk(event, keys[...]) else { return .null }
            return ExpressionValue(value)
        case .profilePath(let keys):
            guard let profile = context.profile, let value = Self.walk(profile, keys[...]) else { return .null }
            return ExpressionValue(value)
        case .itemPath(let keys):
            guard let item = context.item, let value = Self.walk(item, keys[...]) else { return .null }
            return ExpressionValue(value)
        case .profileTimestamp(let key):
            guard case .object(let fields)? = context.profile else { return .null }
            return Self.timestamp(Self.field(fields, key))
        case .feature(let name):
            return Self.field(context.features, name)?.normalized ?? .null
        case .segments:
            return .list(context.segments.map { .string($0) })
        case .segmentsContain(let needle):
            guard case .string(let name) = needle.evaluate(context) else { return .bool(false) }
            return .bool(context.segments.contains(name))
        case .now:
            return .timestamp(context.now)
        case .select(let base, let keys):
            return Self.select(base.evaluate(context), keys)
        case .index(let base, let index):
            return Self.index(base.evaluate(context), index.evaluate(context))
        case .list(let elements):
            return .list(elements.map { $0.evaluate(context) })
        case .not(let operand):
            return .bool(!operand.evaluate(context).isTruthy)
        case .negate(let operand):
            return ExpressionValue.negate(operand.evaluate(context))
        case .and(let operands):
            for operand in operands where !operand.evaluate(context).isTruthy { return .bool(false) }
            return .bool(true)
        case .or(let operands):
            for operand in operands where operand.evaluate(context).isTruthy { return .bool(true) }
            return .bool(false)
        case .equal(let left, let right):
            return .bool(ExpressionValue.languageEquals(left.evaluate(context), right.evaluate(context)))
        case .notEqual(let left, let right):
            return .bool(!ExpressionValue.languageEquals(left.evaluate(context), right.evaluate(context)))
        case .order(let ordering, let left, let right):
            guard let order = ExpressionValue.order(left.evaluate(context), right.evaluate(context)) else {
                return .bool(false)
            }
            return .bool(ordering.holds(order))
        case .equalConstant(let operand, let constant, let negated):
            return .bool(ExpressionValue.languageEquals(operand.evaluate(context), constant) != negated)
        case .orderConstant(let ordering, let operand, let constant):
            guard let order = ExpressionValue.order(operand.evaluate(context), constant) else { return .bool(false) }
            return .bool(ordering.holds(order))
        case .arithmetic(let op, let left, let right):
            return op.apply(left.evaluate(context), right.evaluate(context))
        case .contains(let haystack, let needle):
            return .bool(ExpressionValue.contains(haystack.evaluate(context), needle.evaluate(context)))
        case .inStringSet(let needle, let set, let list):
            let value = needle.evaluate(context)
            if case .string(let text) = value { return .bool(set.contains(text)) }
            return .bool(ExpressionValue.contains(.list(list), value))
        case .conditional(let condition, let then, let otherwise):
            return condition.evaluate(context).isTruthy ? then.evaluate(context) : otherwise.evaluate(context)
        case .has(let operand):
            return .bool(!operand.evaluate(context).isNull)
        case .call1(let function, let argument):
            return function.apply(argument.evaluate(context))
        case .call2(let function, let first, let second):
            return function.apply(first.evaluate(context), second.evaluate(context))
        }
    }

    /// Follows `keys` through objects and arrays; nil when a step is missing.
    static func walk(_ root: JSONValue, _ keys: ArraySlice<ExpressionPathKey>) -> JSONValue? {
        var current = root
        for key in keys {
            switch key {
            case .key(let name):
                guard case .object(let fields) = current, let next = Self.field(fields, name) else { return nil }
                current = next
            case .index(let position):
                guard case .array(let items) = current, position >= 0, position < items.count else { return nil }
                current = items[position]
            }
        }
        return current
    }

    /// `fields[name]`; small objects are scanned, which is cheaper than hashing the key.
    @inline(__always)
    static func field<Value>(_ fields: [String: Value], _ name: String) -> Value? {
        guard fields.count <= 12 else { return fields[name] }
        let length = name.utf8.count
        var index = fields.startIndex
        while index != fields.endIndex {
            let key = fields.keys[index]
            if key.utf8.count == length && key == name { return fields.values[index] }
            fields.formIndex(after: &index)
        }
        return nil
    }

    /// Field and index selection on a computed value; `null` when a step does not apply.
    static func select(_ value: ExpressionValue, _ keys: [ExpressionPathKey]) -> ExpressionValue {
        var current = value
        for (offset, key) in keys.enumerated() {
            switch (current, key) {
            case (.json(let json), _):
                guard let found = walk(json, keys[offset...]) else { return .null }
                return ExpressionValue(found)
            case (.list(let items), .index(let position)):
                guard position >= 0, position < items.count else { return .null }
                current = items[position].normalized
            default:
                return .null
            }
        }
        return current
    }

    /// `base[index]`: a list position (a whole number) or a map key (a string); else `null`.
    static func index(_ base: ExpressionValue, _ index: ExpressionValue) -> ExpressionValue {
        switch index {
        case .number(let number):
            guard number >= 0, number < Double(Int32.max), let position = Int(exactly: number) else { return .null }
            return select(base, [.index(position)])
        case .string(let key):
            return select(base, [.key(key)])
        default:
            return .null
        }
    }

    /// A JSON field holding a time: an ISO string, or a number of milliseconds.
    static func timestamp(_ json: JSONValue?) -> ExpressionValue {
        switch json {
        case .string(let text)?:
            guard let millis = Timestamp.parse(text) else { return .null }
            return .timestamp(millis)
        case .number(let number)?:
            guard let millis = ExpressionValue.millis(number) else { return .null }
            return .timestamp(millis)
        default:
            return .null
        }
    }
}

extension ExpressionNode.Ordering {
    /// Whether an ordering result (-1, 0, 1) satisfies this comparison.
    func holds(_ order: Int) -> Bool {
        switch self {
        case .less: order < 0
        case .lessEqual: order <= 0
        case .greater: order > 0
        case .greaterEqual: order >= 0
        }
    }

    /// The same test with the operands swapped (`a < b` is `b > a`).
    var flipped: ExpressionNode.Ordering {
        switch self {
        case .less: .greater
        case .lessEqual: .greaterEqual
        case .greater: .less
        case .greaterEqual: .lessEqual
        }
    }
}

extension ExpressionNode.Arithmetic {
    /// The operator applied to two values.
    func apply(_ left: ExpressionValue, _ right: ExpressionValue) -> ExpressionValue {
        switch self {
        case .add: ExpressionValue.add(left, right)
        case .subtract: ExpressionValue.subtract(left, right)
        case .multiply: ExpressionValue.multiply(left, right)
        case .divide: ExpressionValue.divide(left, right)
        case .remainder: ExpressionValue.remainder(left, right)
        }
    }
}
