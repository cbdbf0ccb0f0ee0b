import ArgumentParser
import Foundation
import KairosCore

/// `kairos evaluate-policy --log FILE`: off-policy evaluation of decision policies on a log of
/// next-best-action decisions (IPS, SNIPS and doubly robust estimates with confidence intervals).
struct EvaluatePolicy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate-policy",
        abstract: "Estimate offline what other decision policies would have earned, from a log of decisions (IPS, SNIPS, DR).",
        discussion: """
            The log is NDJSON, one decision a line: {"chosen", "propensity", "reward", "candidates": [{"id", "value", \
            "lever", "priority", "probability", ...}], "context", ...} (see LoggedDecision). Policies: logged (the \
            candidates' logged probabilities), random, top-priority, top-value, epsilon:EPS[:BASE] (BASE mixed with \
            uniform exploration, BASE top-priority by default). Default: logged, random, top-priority, top-value.
            """)

    @Option(help: "The decision log (.ndjson).")
    var log: String

    @Option(name: .customLong("policy"), help: "A policy to evaluate (repeatable): logged, random, top-priority, top-value, epsilon:EPS[:BASE].")
    var policyNames: [String] = []

    @Option(help: "Confidence level of the intervals, in (0, 1).")
    var confidence: Double = 0.95

    @Option(help: "Also write the estimates as JSON to this file.")
    var json: String?

    /// The policies evaluated when no --policy is given.
    static let defaultPolicies = ["logged", "random", "top-priority", "top-value"]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    func validate() throws {
        guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must be in (0, 1)") }
        _ = try Self.policies(named: policyNames.isEmpty ? Self.defaultPolicies : policyNames)
    }

    func run() async throws {
        let decisions = try readLog()
        say("Read \(decisions.decisions.count) decisions from \(log) (\(decisions.skipped) without a chosen action, skipped).")
        guard !decisions.decisions.isEmpty else { throw Failure(description: "\(log) holds no decisions") }
        let policies = try Self.policies(named: policyNames.isEmpty ? Self.defaultPolicies : policyNames)
        let evaluator = PolicyEvaluator(decisions, confidence: confidence)
        let estimates = evaluator.evaluate(policies)
        say(String(format: "Logged policy's average reward: %.4f\n", evaluator.loggedValue))
        say(PolicyEstimate.table(estimates))
        if let json {
            let report: JSONValue = .object([
                "log": .string(log), "decisions": .number(Double(decisions.decisions.count)),
                "skipped": .number(Double(decisions.skipped)), "confidence": .number(confidence),
                "loggedValue": .number(evaluator.loggedValue), "estimates": .array(estimates.map(\.json)),
            ])
            try Data(JSONWriter.bytes(report) + [0x0A]).write(to: URL(fileURLWithPath: json))
            say("JSON report: \(json)")
        }
    }

    // EXTENSION POINT (--data DIR): decisions come from `readLog()` only; to read them from the
    // server's store instead, add the option and return a `LoggedDecision.Log` from it here.
    private func readLog() throws -> LoggedDecision.Log {
        let text: String
        do {
            text = try String(contentsOfFile: log, encoding: .utf8)
        } catch {
            throw Failure(description: "cannot read \(log): \(error.localizedDescription)")
        }
        do {
            return try LoggedDecision.readLog(text)
        } catch {
            throw Failure(description: "\(log): \(error.message)" + (error.field.map { $0.isEmpty ? "" : " (field \($0))" } ?? ""))
        }
    }

    /// The policies of `names`: logged, random, top-priority, top-value, epsilon:EPS[:BASE], or a
    /// key of `extra`.
    ///
    /// EXTENSION POINT: policies that need more than the log (e.g. a `model` policy scoring
    /// candidates with the current models, `TargetPolicy.scored`) are passed in `extra` by name;
    /// they can also be the BASE of `epsilon:`.
    static func policies(named names: [String], extra: [String: TargetPolicy] = [:]) throws -> [TargetPolicy] {
        func named(_ name: String) throws -> TargetPolicy {
            if let policy = extra[name] { return policy }
            switch name {
            case "logged": return .logged
            case "random": return .random
            case "top-priority": return .topPriority
            case "top-value": return .topValue
            default: break
            }
            let parts = name.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count >= 2, parts[0] == "epsilon" else {
                let known = (["logged", "random", "top-priority", "top-value", "epsilon:EPS[:BASE]"] + extra.keys.sorted())
                throw ValidationError("unknown policy '\(name)' (known: \(known.joined(separator: ", ")))")
            }
            guard let epsilon = Double(parts[1]), (0...1).contains(epsilon) else {
                throw ValidationError("in '\(name)', epsilon must be a number from 0 to 1")
            }
            let base = try named(parts.count == 3 ? parts[2] : "top-priority")
            var policy = TargetPolicy.epsilonGreedy(base, epsilon: epsilon)
            policy.name = name
            return policy
        }
        return try names.map(named)
    }
}
