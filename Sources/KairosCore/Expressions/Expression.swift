/// A compiled rule in Kairos' expression language: a small, safe, CEL-like language used by
/// feature filters, segments and triggers.
///
/// Compile once when a definition is saved (``compile(_:environment:)`` reports what is wrong and
/// where), then ``evaluate(_:)`` as often as needed: evaluation never throws, never traps, and does
/// not allocate for the common forms (paths, comparisons, membership in constant lists).
///
/// ```swift
/// let rule = try Expression.compileCondition(#"event.name == "Product Viewed" && event.properties.price > 100"#)
/// rule.matches(EvaluationContext(event: event, now: Timestamp.now()))
/// ```
/// A reference type: rules are held by many compiled definitions and read on every event, and a
/// reference is passed and stored without retaining each of its parts.
public final class Expression: Sendable, CustomStringConvertible {
    /// Sources longer than this many UTF-8 bytes are rejected.
    public static let maximumLength = 4096
    /// Expressions nested deeper than this are rejected (it bounds every recursion).
    public static let maximumDepth = 64

    /// The text the expression was compiled from.
    public let source: String
    /// The static type of the result (`dyn` when it depends on data).
    public let resultType: ExpressionType
    /// Names of the features the expression reads (for dependency ordering and cycle detection).
    public let referencedFeatures: Set<String>
    /// Whether the expression reads `segments`.
    public let referencesSegments: Bool
    /// Segments named in `"name" in segments` (what a segment's membership depends on).
    public let referencedSegments: Set<String>
    /// Whether the expression reads the item it is evaluated for (`item`; for offers `offer`,
    /// `propensity`, `value`, `lever`): when not, its value is the same for every item of a decision.
    public let referencesItem: Bool

    let root: ExpressionNode

    init(
        source: String, resultType: ExpressionType, referencedFeatures: Set<String>, referencesSegments: Bool,
        referencedSegments: Set<String>, referencesItem: Bool, root: ExpressionNode
    ) {
        self.source = source
        self.resultType = resultType
        self.referencedFeatures = referencedFeatures
        self.referencesSegments = referencesSegments
        self.referencedSegments = referencedSegments
        self.referencesItem = referencesItem
        self.root = root
    }

    /// Parses and type-checks `source` against `environment`.
    public static func compile(_ source: String, environment: ExpressionEnvironment = .init())
        throws(ExpressionError) -> Expression
    {
        try build(source, environment: environment).expression
    }

    /// Like ``compile(_:environment:)``, but the result must be `bool` or `dyn`.
    public static func compileCondition(_ source: String, environment: ExpressionEnvironment = .init())
        throws(ExpressionError) -> Expression
    {
        let (expression, start) = try build(source, environment: environment)
        guard expression.resultType == .bool || expression.resultType == .dyn else {
            throw ExpressionError(
                "a condition must be true or false, but this expression is \(expression.resultType.phrase)", at: start)
        }
        return expression
    }

    /// Like ``compile(_:environment:)``, but the result must be a number (or `dyn`, or `null`);
    /// `what` names it in the error ("a value", "a priority").
    public static func compileNumber(_ source: String, environment: ExpressionEnvironment = .init(), what: String)
        throws(ExpressionError) -> Expression
    {
        let (expression, start) = try build(source, environment: environment)
        guard [.number, .dyn, .null].contains(expression.resultType) else {
            throw ExpressionError("\(what) must be a number, but this expression is \(expression.resultType.phrase)", at: start)
        }
        return expression
    }

    private static func build(_ source: String, environment: ExpressionEnvironment)
        throws(ExpressionError) -> (expression: Expression, start: ExpressionLocation)
    {
        guard source.utf8.count <= maximumLength else {
            throw ExpressionError("expression is longer than \(maximumLength) bytes", at: .start)
        }
        let syntax = try ExpressionParser.parse(source)
        var checker = ExpressionChecker(environment: environment)
        let checked = try checker.check(syntax)
        let expression = Expression(
            source: source, resultType: checked.type, referencedFeatures: checker.features,
            referencesSegments: checker.usesSegments, referencedSegments: checker.segmentNames,
            referencesItem: checker.readsItem, root: checked.node)
        return (expression, syntax.start)
    }

    /// The value of the expression in `context`. Never throws: missing data gives `null`.
    public func evaluate(_ context: EvaluationContext) -> ExpressionValue {
        root.evaluate(context)
    }

    /// Whether the expression evaluates to `true` in `context` (see ``ExpressionValue/isTruthy``).
    public func matches(_ context: EvaluationContext) -> Bool {
        root.evaluate(context).isTruthy
    }

    /// The source text.
    public var description: String { source }
}
