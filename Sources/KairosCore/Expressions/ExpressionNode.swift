/// One step of a path resolved at compile time: an object field or an array position.
enum ExpressionPathKey: Sendable, Hashable {
    case key(String)
    case index(Int)
}

/// A compiled, type-checked expression: an immutable tree that is evaluated by recursive descent.
///
/// Paths are pre-resolved into key arrays, constant sub-expressions are folded, and the common
/// forms (`x in segments`, membership in a long constant list of strings) have dedicated nodes.
/// Depth is bounded by ``Expression/maximumDepth``, so evaluation recursion is bounded too.
indirect enum ExpressionNode: Sendable {
    enum Arithmetic: Sendable {
        case add, subtract, multiply, divide, remainder
    }

    enum Ordering: Sendable {
        case less, lessEqual, greater, greaterEqual
    }

    case constant(ExpressionValue)
    /// A path into the event object (an empty path is the event itself).
    case eventPath([ExpressionPathKey])
    /// `event.name`: the event's `event` field (track), else its `name` (page, screen).
    case eventName
    /// `event.timestamp`: ``EvaluationContext/eventTimestamp``, else the event's `timestamp` parsed.
    case eventTimestamp
    /// A path into the profile object.
    case profilePath([ExpressionPathKey])
    /// A path into the catalog item being ranked (placement filters and rules).
    case itemPath([ExpressionPathKey])
    /// A profile field holding an ISO timestamp (`firstSeen`, `lastSeen`).
    case profileTimestamp(String)
    case feature(String)
    case segments
    /// `x in segments`, without building a list.
    case segmentsContain(ExpressionNode)
    case now
    /// Field and index selection on a computed value.
    case select(ExpressionNode, [ExpressionPathKey])
    /// `base[index]` with an index computed at evaluation time.
    case index(ExpressionNode, ExpressionNode)
    case list([ExpressionNode])
    case not(ExpressionNode)
    case negate(ExpressionNode)
    case and([ExpressionNode])
    case or([ExpressionNode])
    case equal(ExpressionNode, ExpressionNode)
    case notEqual(ExpressionNode, ExpressionNode)
    case order(Ordering, ExpressionNode, ExpressionNode)
    /// `x == constant` (or `!=` when `negated`), the most common comparison, without a constant node.
    case equalConstant(ExpressionNode, ExpressionValue, negated: Bool)
    /// `x < constant` and friends.
    case orderConstant(Ordering, ExpressionNode, ExpressionValue)
    case arithmetic(Arithmetic, ExpressionNode, ExpressionNode)
    /// `needle in haystack`.
    case contains(haystack: ExpressionNode, needle: ExpressionNode)
    /// `needle in [constant strings]` for a long list: a set lookup (the list serves other needles).
    case inStringSet(ExpressionNode, Set<String>, [ExpressionValue])
    case conditional(ExpressionNode, ExpressionNode, ExpressionNode)
    case has(ExpressionNode)
    case call1(ExpressionFunction, ExpressionNode)
    case call2(ExpressionFunction, ExpressionNode, ExpressionNode)

    /// The value, when this is a constant.
    var constantValue: ExpressionValue? {
        if case .constant(let value) = self { return value }
        return nil
    }
}
