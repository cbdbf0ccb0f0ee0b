/// The outcome of an offline evaluation: the data's size and each strategy's and baseline's
/// metrics on the same held-out cases.
public struct EvaluationReport: Sendable {
    /// One evaluated strategy or baseline.
    public struct Result: Sendable {
        public enum Kind: String, Sendable {
            case strategy
            case baseline
        }

        public var name: String
        public var kind: Kind
        /// Sources and weights, or the baseline's settings.
        public var detail: String
        public var metrics: RankingMetrics
        /// Mean in-process ranking time of one decision (strategies only).
        public var microsecondsPerDecision: Double?
    }

    public var k: Int
    public var timing: OfflineEvaluation.Timing
    public var interactions: Int
    public var users: Int
    public var items: Int
    public var testCases: Int
    public var results: [Result] = []
    /// Wall-clock duration of the whole evaluation (set by the caller).
    public var seconds: Double = 0
}
