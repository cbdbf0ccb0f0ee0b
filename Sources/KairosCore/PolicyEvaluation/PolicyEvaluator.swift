#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Off-policy evaluation: estimates, from a log of decisions made by a logging policy, the average
/// reward a target policy π would have obtained, by IPS, SNIPS and doubly robust estimators.
///
/// With wᵢ = π(aᵢ|xᵢ) / pᵢ over the n records π can act on:
/// - IPS: V̂ = (1/n) Σ wᵢrᵢ; standard error s/√n, s the sample (n − 1) standard deviation of wᵢrᵢ.
/// - SNIPS: V̂ = Σ wᵢrᵢ / Σ wᵢ; variance by the delta method, (1/n)·mean(wᵢ²(rᵢ − V̂)²) / mean(w)².
/// - DR: V̂ = (1/n) Σ [Σₐ π(a|xᵢ) q̂(xᵢ, a) + wᵢ(rᵢ − q̂(xᵢ, aᵢ))]; standard error from the sample
///   standard deviation of the bracketed terms.
/// Intervals are V̂ ± z·SE, z the normal quantile of the confidence level.
public struct PolicyEvaluator: Sendable {
    /// The reward model q̂(x, a) of the doubly robust estimator.
    public struct RewardModel: Sendable {
        private let predict: @Sendable (_ position: Int, _ decision: LoggedDecision, _ candidate: Int) -> Double

        /// A fixed model: the expected reward of `candidates[candidate]` in `decision`.
        public init(_ predict: @escaping @Sendable (_ decision: LoggedDecision, _ candidate: Int) -> Double) {
            self.predict = { _, decision, candidate in predict(decision, candidate) }
        }

        private init(positional: @escaping @Sendable (Int, LoggedDecision, Int) -> Double) { predict = positional }

        /// The prediction for candidate `candidate` of the decision at `position` in the log.
        public func prediction(at position: Int, _ decision: LoggedDecision, candidate: Int) -> Double {
            predict(position, decision, candidate)
        }

        /// A model predicting 0: DR then equals IPS.
        public static let zero = RewardModel { _, _ in 0 }

        /// The default model, fitted on the log itself with 2-fold cross-fitting: the records at even
        /// positions are predicted by a model fitted on the odd ones and vice versa, so no record's
        /// reward enters its own prediction. The model is the smoothed mean reward per `key`
        /// (by default the action id): (Σr + m·ḡ) / (count + m), ḡ the fold's mean reward, m = `smoothing`.
        public static func crossFitted(
            _ log: [LoggedDecision], smoothing: Double = 5,
            key: @escaping @Sendable (_ decision: LoggedDecision, _ action: String) -> String = { _, action in action }
        ) -> RewardModel {
            var sums: [[String: (reward: Double, count: Double)]] = [[:], [:]]
            var totals: [(reward: Double, count: Double)] = [(0, 0), (0, 0)]
            for (position, decision) in log.enumerated() {
                let fold = position % 2
                sums[fold][key(decision, decision.chosen), default: (0, 0)].reward += decision.reward
                sums[fold][key(decision, decision.chosen), default: (0, 0)].count += 1
                totals[fold].reward += decision.reward
                totals[fold].count += 1
            }
            let overall = (totals[0].reward + totals[1].reward) / max(1, totals[0].count + totals[1].count)
            let means = totals.map { $0.count > 0 ? $0.reward / $0.count : overall }
            let fitted = sums
            return RewardModel { position, decision, candidate in
                let fold = 1 - position % 2  // the other half
                let stats = fitted[fold][key(decision, decision.candidates[candidate].id)] ?? (0, 0)
                return (stats.reward + smoothing * means[fold]) / (stats.count + smoothing)
            }
        }
    }

    /// The decisions evaluated.
    public var log: [LoggedDecision]
    /// Records left out while reading (no `chosen` action), added to every estimate's `skipped`.
    public var skippedRecords: Int
    /// The confidence level of the intervals, in (0, 1).
    public var confidence: Double
    public var rewardModel: RewardModel

    /// An evaluator of `log`; the reward model defaults to `RewardModel.crossFitted(log)`.
    public init(log: [LoggedDecision], skippedRecords: Int = 0, confidence: Double = 0.95, rewardModel: RewardModel? = nil) {
        precondition(confidence > 0 && confidence < 1, "confidence must be in (0, 1)")
        self.log = log
        self.skippedRecords = skippedRecords
        self.confidence = confidence
        self.rewardModel = rewardModel ?? .crossFitted(log)
    }

    /// An evaluator of a log read by `LoggedDecision.readLog`.
    public init(_ log: LoggedDecision.Log, confidence: Double = 0.95, rewardModel: RewardModel? = nil) {
        self.init(log: log.decisions, skippedRecords: log.skipped, confidence: confidence, rewardModel: rewardModel)
    }

    /// The log's average reward: the logging policy's own (on-policy) value.
    public var loggedValue: Double {
        log.isEmpty ? .nan : log.reduce(0) { $0 + $1.reward } / Double(log.count)
    }

    /// The IPS, SNIPS and DR estimates of `policy`, in that order.
    public func evaluate(_ policy: TargetPolicy) -> [PolicyEstimate] {
        var weights: [Double] = []
        var rewards: [Double] = []
        var ipsTerms: [Double] = []
        var drTerms: [Double] = []
        for (position, decision) in log.enumerated() {
            guard let probabilities = policy.distribution(for: decision), let chosen = decision.chosenIndex else { continue }
            precondition(
                probabilities.count == decision.candidates.count && probabilities.allSatisfy { $0 >= 0 && $0.isFinite }
                    && abs(probabilities.reduce(0, +) - 1) < 1e-6,
                "policy \(policy.name) gave \(probabilities) for \(decision.candidates.count) candidates, not a distribution")
            let weight = probabilities[chosen] / decision.propensity
            var direct = 0.0
            var chosenPrediction = 0.0
            for (candidate, probability) in probabilities.enumerated() where probability > 0 || candidate == chosen {
                let prediction = rewardModel.prediction(at: position, decision, candidate: candidate)
                direct += probability * prediction
                if candidate == chosen { chosenPrediction = prediction }
            }
            weights.append(weight)
            rewards.append(decision.reward)
            ipsTerms.append(weight * decision.reward)
            drTerms.append(direct + weight * (decision.reward - chosenPrediction))
        }
        let n = Double(weights.count)
        let sumWeights = weights.reduce(0, +)
        let z = Self.z(confidence: confidence)
        let sumSquares = weights.reduce(0) { $0 + $1 * $1 }
        func estimate(_ estimator: PolicyEstimate.Estimator, _ value: Double, _ standardError: Double) -> PolicyEstimate {
            PolicyEstimate(
                policy: policy.name, estimator: estimator, value: value, standardError: standardError, confidence: confidence,
                halfWidth: z * standardError, used: weights.count, skipped: skippedRecords + log.count - weights.count,
                effectiveSampleSize: sumSquares > 0 ? sumWeights * sumWeights / sumSquares : 0,
                maxWeight: weights.max() ?? .nan, loggedValue: loggedValue)
        }
        let snips = sumWeights > 0 ? zip(weights, rewards).reduce(0) { $0 + $1.0 * $1.1 } / sumWeights : .nan
        let meanWeight = sumWeights / n
        let snipsSpread = zip(weights, rewards).reduce(0) { $0 + $1.0 * $1.0 * ($1.1 - snips) * ($1.1 - snips) } / n
        return [
            estimate(.ips, Self.mean(ipsTerms), Self.standardError(ipsTerms)),
            estimate(.snips, snips, (snipsSpread / (meanWeight * meanWeight) / n).squareRoot()),
            estimate(.doublyRobust, Self.mean(drTerms), Self.standardError(drTerms)),
        ]
    }

    /// The estimates of several policies, policy by policy.
    public func evaluate(_ policies: [TargetPolicy]) -> [PolicyEstimate] { policies.flatMap(evaluate) }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// s/√n with s the sample standard deviation (NaN below 2 values).
    static func standardError(_ values: [Double]) -> Double {
        guard values.count > 1 else { return .nan }
        let mean = mean(values)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count - 1) / Double(values.count)).squareRoot()
    }

    /// The two-sided normal quantile of a confidence level: 1.959964 for 0.95.
    public static func z(confidence: Double) -> Double { inverseNormal((1 + confidence) / 2) }

    /// Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error < 1.2·10⁻⁹) refined
    /// by one Halley step on erfc, accurate to about machine precision.
    public static func inverseNormal(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "p must be in (0, 1)")
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        func tail(_ q: Double) -> Double {
            (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        var x: Double
        if p < 0.02425 {
            x = tail((-2 * naturalLog(p)).squareRoot())
        } else if p > 1 - 0.02425 {
            x = -tail((-2 * log1p(-p)).squareRoot())
        } else {
            let q = p - 0.5
            let r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        }
        let error = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = error * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }
}

/// `log` from the C library (inside `PolicyEvaluator`, the name is its `log` of decisions).
private func naturalLog(_ x: Double) -> Double { log(x) }
