/// What an expression may refer to when it is compiled: the declared features and their types.
public struct ExpressionEnvironment: Sendable {
    /// Declared features by name and the type of the value each computes.
    public var features: [String: ExpressionType]

    /// An environment declaring `features` (name to result type).
    public init(features: [String: ExpressionType] = [:]) {
        self.features = features
    }
}
