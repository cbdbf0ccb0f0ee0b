import Foundation

/// One estimator's estimate of a target policy's value (its expected reward per decision) from a
/// log, with a normal-approximation confidence interval and the diagnostics of the importance
/// weights wᵢ = π(aᵢ|xᵢ) / pᵢ.
public struct PolicyEstimate: Sendable, Hashable {
    /// The off-policy estimators.
    public enum Estimator: String, Sendable, CaseIterable {
        /// Inverse propensity scoring: (1/n) Σ wᵢrᵢ. Unbiased; high variance when weights are large.
        case ips = "IPS"
        /// Self-normalised IPS: Σ wᵢrᵢ / Σ wᵢ. Slightly biased, much steadier.
        case snips = "SNIPS"
        /// Doubly robust: a reward model's prediction corrected by the weighted residual.
        case doublyRobust = "DR"
    }

    public var policy: String
    public var estimator: Estimator
    /// The estimated value (NaN when no record could be used).
    public var value: Double
    /// The estimate's standard error (NaN with fewer than 2 records).
    public var standardError: Double
    /// The confidence level of `low ... high`, e.g. 0.95.
    public var confidence: Double
    /// z × the standard error.
    public var halfWidth: Double
    /// Records the policy acted on.
    public var used: Int
    /// Records left out: without a `chosen` action, or on which the policy could not act.
    public var skipped: Int
    /// (Σw)² / Σw²: how many on-policy records the weighted log is worth.
    public var effectiveSampleSize: Double
    /// The largest importance weight.
    public var maxWeight: Double
    /// The log's own average reward (the logging policy's on-policy value), over every decision.
    public var loggedValue: Double

    public var low: Double { value - halfWidth }
    public var high: Double { value + halfWidth }

    public init(
        policy: String, estimator: Estimator, value: Double, standardError: Double, confidence: Double, halfWidth: Double,
        used: Int, skipped: Int, effectiveSampleSize: Double, maxWeight: Double, loggedValue: Double
    ) {
        self.policy = policy
        self.estimator = estimator
        self.value = value
        self.standardError = standardError
        self.confidence = confidence
        self.halfWidth = halfWidth
        self.used = used
        self.skipped = skipped
        self.effectiveSampleSize = effectiveSampleSize
        self.maxWeight = maxWeight
        self.loggedValue = loggedValue
    }

    /// The estimate as a JSON object (non-finite numbers as `null`).
    public var json: JSONValue {
        .object([
            "policy": .string(policy), "estimator": .string(estimator.rawValue), "value": .number(value),
            "standardError": .number(standardError), "confidence": .number(confidence),
            "low": .number(low), "high": .number(high), "used": .number(Double(used)), "skipped": .number(Double(skipped)),
            "effectiveSampleSize": .number(effectiveSampleSize), "maxWeight": .number(maxWeight),
            "loggedValue": .number(loggedValue),
        ])
    }

    /// A readable table of estimates: policy, estimator, value, CI low, CI high, ESS, max weight.
    public static func table(_ estimates: [PolicyEstimate]) -> String {
        let level = estimates.first.map { fixed($0.confidence * 100, digits: 0) + "%" } ?? ""
        let header = ["policy", "estimator", "value", "\(level) low", "\(level) high", "ESS", "max w", "used", "skipped"]
        var rows = [header]
        for estimate in estimates {
            rows.append([
                estimate.policy, estimate.estimator.rawValue, fixed(estimate.value), fixed(estimate.low), fixed(estimate.high),
                fixed(estimate.effectiveSampleSize, digits: 1), fixed(estimate.maxWeight, digits: 2),
                String(estimate.used), String(estimate.skipped),
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column < 2
                    ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private static func fixed(_ value: Double, digits: Int = 4) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "-"
    }
}
