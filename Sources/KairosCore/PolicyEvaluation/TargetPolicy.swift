/// A policy to evaluate off-policy: for a logged decision, a probability distribution over its
/// candidates (same order as `candidates`, non-negative, summing to 1), or `nil` when it cannot act
/// on that record (no candidates, or missing what it needs) — such records are counted as skipped.
public struct TargetPolicy: Sendable {
    /// The name shown in reports.
    public var name: String
    private let distribution: @Sendable (LoggedDecision) -> [Double]?

    /// A policy from any distribution function.
    public init(name: String, distribution: @escaping @Sendable (LoggedDecision) -> [Double]?) {
        self.name = name
        self.distribution = distribution
    }

    /// The probabilities this policy gives the candidates of `decision`, or `nil` when it cannot act.
    public func distribution(for decision: LoggedDecision) -> [Double]? {
        guard !decision.candidates.isEmpty else { return nil }
        return distribution(decision)
    }

    /// A deterministic policy: all the probability on the candidate of highest `score` (ties go to
    /// the first); `nil` scores are never chosen, and the policy cannot act when all are `nil`.
    public static func argmax(name: String, score: @escaping @Sendable (LoggedDecision, Int) -> Double?) -> TargetPolicy {
        TargetPolicy(name: name) { decision in
            var best: (index: Int, score: Double)?
            for index in decision.candidates.indices {
                guard let value = score(decision, index), !value.isNaN else { continue }
                if best == nil || value > best!.score { best = (index, value) }
            }
            guard let best else { return nil }
            return oneHot(best.index, count: decision.candidates.count)
        }
    }

    /// Uniform over the candidates.
    public static let random = TargetPolicy(name: "random") { decision in
        Array(repeating: 1 / Double(decision.candidates.count), count: decision.candidates.count)
    }

    /// The candidate of highest logged `priority` (the logging system's own ranking).
    public static let topPriority = argmax(name: "top-priority") { decision, index in decision.candidates[index].priority }

    /// The candidate of highest `value × lever`.
    public static let topValue = argmax(name: "top-value") { decision, index in
        decision.candidates[index].value * decision.candidates[index].lever
    }

    /// The logging policy itself, from each candidate's logged `probability` (normalised to sum to
    /// 1); it cannot act when a candidate has no probability or they are all 0.
    public static let logged = TargetPolicy(name: "logged") { decision in
        var probabilities: [Double] = []
        probabilities.reserveCapacity(decision.candidates.count)
        for candidate in decision.candidates {
            guard let probability = candidate.probability else { return nil }
            probabilities.append(probability)
        }
        let total = probabilities.reduce(0, +)
        guard total > 0 else { return nil }
        return probabilities.map { $0 / total }
    }

    /// The candidate of highest `score` (e.g. for the current model, propensity × value × lever).
    public static func scored(name: String, score: @escaping @Sendable (LoggedDecision, Int) -> Double) -> TargetPolicy {
        argmax(name: name) { decision, index in score(decision, index) }
    }

    /// `base` mixed with uniform exploration: (1 − ε)·base + ε/|A|, `epsilon` in [0, 1].
    public static func epsilonGreedy(_ base: TargetPolicy, epsilon: Double) -> TargetPolicy {
        precondition((0...1).contains(epsilon), "epsilon must be in [0, 1]")
        return TargetPolicy(name: "\(base.name)+ε\(epsilon)") { decision in
            guard let probabilities = base.distribution(for: decision) else { return nil }
            let uniform = epsilon / Double(probabilities.count)
            return probabilities.map { (1 - epsilon) * $0 + uniform }
        }
    }

    /// Always the candidate with this id; cannot act when it is not among the candidates.
    public static func fixed(_ id: String) -> TargetPolicy {
        TargetPolicy(name: "always:\(id)") { decision in
            decision.candidates.firstIndex { $0.id == id }.map { oneHot($0, count: decision.candidates.count) }
        }
    }

    private static func oneHot(_ index: Int, count: Int) -> [Double] {
        var probabilities = Array(repeating: 0.0, count: count)
        probabilities[index] = 1
        return probabilities
    }
}
