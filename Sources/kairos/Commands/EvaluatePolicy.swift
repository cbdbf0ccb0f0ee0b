import ArgumentParser
import Foundation
import KairosCore
import KairosEngine
import KairosStore

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
    var log: String?

    @Option(help: "Read the decision log of --placement from this data directory instead (the server must be stopped).")
    var data: String?

    @Option(help: "The action placement whose logged decisions are evaluated (with --data).")
    var placement: String?

    @Option(name: .customLong("positive"), help: "Outcome events that count as reward 1 (with --data; repeatable; default Offer Clicked, Offer Accepted).")
    var positiveEvents: [String] = []

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
        guard (log == nil) != (data == nil) else { throw ValidationError("give either --log FILE or --data DIR --placement ID") }
        guard data == nil || placement != nil else { throw ValidationError("--data needs --placement") }
        guard confidence > 0 && confidence < 1 else { throw ValidationError("--confidence must be in (0, 1)") }
        _ = try Self.policies(named: policyNames.isEmpty ? Self.defaultPolicies : policyNames)
    }

    func run() async throws {
        var extra: [String: TargetPolicy] = [:]
        let decisions: LoggedDecision.Log
        let source: String
        if let data, let placement {
            let stored = try await Self.storedLog(directory: data, placement: placement, positive: positiveEvents)
            (decisions, extra["model"]) = (stored.log, stored.model)
            source = "\(data) (placement \(placement))"
        } else {
            decisions = try readLog()
            source = log ?? ""
        }
        say("Read \(decisions.decisions.count) decisions from \(source) (\(decisions.skipped) without a chosen action, skipped).")
        guard !decisions.decisions.isEmpty else { throw Failure(description: "\(source) holds no decisions") }
        let names = policyNames.isEmpty ? Self.defaultPolicies + (extra["model"] == nil ? [] : ["model"]) : policyNames
        let policies = try Self.policies(named: names, extra: extra)
        let evaluator = PolicyEvaluator(decisions, confidence: confidence)
        let estimates = evaluator.evaluate(policies)
        say(String(format: "Logged policy's average reward: %.4f\n", evaluator.loggedValue))
        say(PolicyEstimate.table(estimates))
        if let json {
            let report: JSONValue = .object([
                "log": .string(source), "decisions": .number(Double(decisions.decisions.count)),
                "skipped": .number(Double(decisions.skipped)), "confidence": .number(confidence),
                "loggedValue": .number(evaluator.loggedValue), "estimates": .array(estimates.map(\.json)),
            ])
            try Data(JSONWriter.bytes(report) + [0x0A]).write(to: URL(fileURLWithPath: json))
            say("JSON report: \(json)")
        }
    }

    /// The decision log of a placement read from a data directory (see ``PolicyLog``), and the
    /// `model` policy of its stored propensity model.
    static func storedLog(directory: String, placement: String, positive: [String]) async throws -> (log: LoggedDecision.Log, model: TargetPolicy?) {
        let lock = try DataDirectoryLock(directory: directory)
        defer { withExtendedLifetime(lock) {} }
        let (log, model) = try await PolicyLog.read(from: try SQLiteStore(directory: directory), placement: placement, positive: positive)
        return (log, model.map { TargetPolicy.model($0) })
    }

    private func readLog() throws -> LoggedDecision.Log {
        let log = self.log ?? ""
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
