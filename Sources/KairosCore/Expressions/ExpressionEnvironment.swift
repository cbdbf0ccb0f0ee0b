/// What an expression may refer to when it is compiled: the declared features and their types.
public struct ExpressionEnvironment: Sendable {
    /// Declared features by name and the type of the value each computes.
    public var features: [String: ExpressionType]
    /// Whether `offer` and its `lever` may be read (offer rules and priority formulas); they read
    /// the offer as `item`.
    public var offers: Bool
    /// Whether the arbitration numbers `propensity` and `value` may be read as well: only a
    /// placement's priority formula sees them (they are not known yet when offer rules run).
    public var priority: Bool

    /// An environment declaring `features` (name to result type).
    public init(features: [String: ExpressionType] = [:], offers: Bool = false, priority: Bool = false) {
        self.features = features
        self.offers = offers
        self.priority = priority
    }
}
