import KairosCore
import KairosStore

/// A placement's decision log as off-policy evaluation reads it.
public enum PolicyLog {
    /// Each logged decision's `learning` record with reward 1 when an outcome event named in
    /// `positive` (default `Offer Clicked`, `Offer Accepted`) came back about it, else 0 — credited
    /// to the first chosen offer; and the placement's stored model, if any. "No action"
    /// decisions are counted as skipped.
    public static func read(
        from store: any DataStore, placement: String, positive: [String] = []
    ) async throws -> (log: LoggedDecision.Log, model: PropensityModel?) {
        let positives = Set(positive.isEmpty ? OfferDefinition.defaultPositiveEvents : positive)
        var log = LoggedDecision.Log(decisions: [], skipped: 0)
        for (line, entry) in try await store.decisionsWithOutcomes(placement: placement).enumerated() {
            guard case .object(var record)? = entry.body["learning"], record["chosen"] != nil else {
                log.skipped += 1
                continue
            }
            record["decisionId"] = entry.body["decisionId"]
            record["candidates"] = candidates(record.removeValue(forKey: "offers"))
            record["reward"] = .number(entry.outcomes.contains(where: positives.contains) ? 1 : 0)
            if let decision = try LoggedDecision.parse(.object(record), line: line + 1) {
                log.decisions.append(decision)
            } else {
                log.skipped += 1
            }
        }
        let model = try await store.models().first { $0.id == placement }.flatMap { PropensityModel(serialized: $0.body) }
        return (log, model)
    }

    /// The logged offer columns as the candidate list of the log format. `group` holds numbers
    /// into `groups` (records before that held the group text itself, which is read as is).
    static func candidates(_ columns: JSONValue?) -> JSONValue? {
        guard case .object(var columns)? = columns, case .array(let ids)? = columns["id"] else { return nil }
        if case .array(let groups)? = columns.removeValue(forKey: "groups"), case .array(let numbers)? = columns["group"] {
            columns["group"] = .array(numbers.map { number in
                guard case .number(let value) = number, let index = Int(exactly: value), groups.indices.contains(index) else {
                    return number
                }
                return groups[index]
            })
        }
        return .array(ids.indices.map { index in
            var candidate: [String: JSONValue] = [:]
            for (name, column) in columns {
                if case .array(let values) = column, index < values.count { candidate[name] = values[index] }
            }
            return .object(candidate)
        })
    }
}
