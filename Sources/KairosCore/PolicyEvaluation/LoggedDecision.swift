/// One logged next-best-action decision: the candidates considered, the one shown, the probability
/// with which the logging policy chose it, and the reward observed afterwards — the unit of
/// off-policy evaluation.
///
/// A log is NDJSON, one decision per line (blank lines are ignored), so logs from other systems
/// can be evaluated too:
///
/// ```json
/// {"decisionId": "d1", "timestamp": "2026-11-22T10:00:00Z", "placement": "retention",
///  "context": {"trait:tier=gold": 1, "segment:vip": 1, "feature:spend_30d": 3.2},
///  "candidates": [{"id": "offer-a", "group": "retention/data", "value": 30, "lever": 1, "priority": 0.12, "probability": 0.9},
///                 {"id": "offer-b", "value": 10, "priority": 0.05, "probability": 0.1}],
///  "chosen": "offer-a", "propensity": 0.9, "reward": 1}
/// ```
///
/// - `chosen` (required): the id of the action shown, a non-empty string. A record whose `chosen`
///   is missing or `null` (no action was taken) is skipped and counted, not an error.
/// - `propensity` (required): the probability the logging policy gave `chosen`, in (0, 1].
/// - `reward` (required): a finite number, usually 1 when accepted or clicked, else 0.
/// - `decisionId`, `placement` (optional strings); `timestamp` (optional, RFC 3339 text or epoch
///   milliseconds).
/// - `context` (optional object): features of the decision. Numbers are kept; booleans become
///   1 / 0; a string `s` under key `k` becomes the key `k=s` with value 1; `null` is ignored.
/// - `candidates` (optional, non-empty list): each has a unique `id` (required) and optionally
///   `group` (string), `value` (default 1), `lever` (default 1), `priority`, `probability` (in
///   [0, 1]: the logging policy's probability of that candidate) and `features` (as `context`).
///   When present, `chosen` must be one of them. Target policies act only on records with candidates.
public struct LoggedDecision: Sendable, Hashable {
    /// One action the logging policy could have taken.
    public struct Candidate: Sendable, Hashable {
        public var id: String
        public var group: String?
        /// What the action is worth when accepted (default 1).
        public var value: Double
        /// A multiplier of the value, e.g. a margin or a strategic weight (default 1).
        public var lever: Double
        /// The logging system's ranking score, when it logged one.
        public var priority: Double?
        /// The logging policy's probability of choosing this candidate, when logged.
        public var probability: Double?
        public var features: [String: Double]

        public init(
            id: String, group: String? = nil, value: Double = 1, lever: Double = 1, priority: Double? = nil,
            probability: Double? = nil, features: [String: Double] = [:]
        ) {
            self.id = id
            self.group = group
            self.value = value
            self.lever = lever
            self.priority = priority
            self.probability = probability
            self.features = features
        }
    }

    /// The decisions of a log file, and how many records had no `chosen` action.
    public struct Log: Sendable {
        public var decisions: [LoggedDecision] = []
        public var skipped = 0
        public init(decisions: [LoggedDecision] = [], skipped: Int = 0) {
            self.decisions = decisions
            self.skipped = skipped
        }
    }

    public var decisionId: String?
    public var timestamp: Millis?
    public var placement: String?
    public var context: [String: Double]
    /// The candidates considered, in the logged order; empty when the record did not list them.
    public var candidates: [Candidate]
    public var chosen: String
    public var propensity: Double
    public var reward: Double
    /// The position of `chosen` in `candidates` (`nil` when there are none).
    public var chosenIndex: Int? { candidates.firstIndex { $0.id == chosen } }

    public init(
        decisionId: String? = nil, timestamp: Millis? = nil, placement: String? = nil, context: [String: Double] = [:],
        candidates: [Candidate] = [], chosen: String, propensity: Double, reward: Double
    ) {
        self.decisionId = decisionId
        self.timestamp = timestamp
        self.placement = placement
        self.context = context
        self.candidates = candidates
        self.chosen = chosen
        self.propensity = propensity
        self.reward = reward
    }
}

extension LoggedDecision {
    /// Reads an NDJSON log. The first bad record stops the reading with an error naming the field
    /// and the 1-based line (as `index`, and in the message).
    public static func readLog(_ text: String) throws(APIError) -> Log {
        var log = Log()
        var line = 0
        for rawLine in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            line += 1
            let record = rawLine.last == 0x0D ? rawLine.dropLast() : rawLine
            guard record.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            let json: JSONValue
            do {
                json = try JSONParser.parse(Array(record))
            } catch {
                throw located(.malformedJSON(error), line: line)
            }
            if let decision = try parse(json, line: line) {
                log.decisions.append(decision)
            } else {
                log.skipped += 1
            }
        }
        return log
    }

    /// Parses one record; `nil` when it has no `chosen` action (missing or `null`). Errors name the
    /// field and carry `line` as their `index`.
    public static func parse(_ json: JSONValue, line: Int = 1) throws(APIError) -> LoggedDecision? {
        do {
            return try parse(json)
        } catch {
            throw located(error, line: line)
        }
    }

    private static func parse(_ json: JSONValue) throws(APIError) -> LoggedDecision? {
        guard case .object(let fields) = json else { throw .invalidField("", "a decision must be a JSON object, not \(json.typeName)") }
        guard let chosenValue = fields["chosen"], chosenValue != .null else { return nil }
        guard let chosen = chosenValue.stringValue, !chosen.isEmpty else {
            throw .invalidField("chosen", "'chosen' must be a non-empty string, not \(chosenValue.typeName)")
        }
        guard let propensityValue = fields["propensity"] else { throw .missingField("propensity") }
        guard let propensity = propensityValue.numberValue, propensity > 0, propensity <= 1 else {
            throw .invalidField("propensity", "'propensity' must be a number in (0, 1], not \(describe(propensityValue))")
        }
        guard let rewardValue = fields["reward"] else { throw .missingField("reward") }
        guard let reward = rewardValue.numberValue, reward.isFinite else {
            throw .invalidField("reward", "'reward' must be a finite number, not \(describe(rewardValue))")
        }
        var decision = LoggedDecision(chosen: chosen, propensity: propensity, reward: reward)
        decision.decisionId = try optionalString(fields["decisionId"], "decisionId")
        decision.placement = try optionalString(fields["placement"], "placement")
        switch fields["timestamp"] {
        case nil, .null?: break
        case let value?:
            if case .number(let millis) = value, millis.isFinite, abs(millis) < 1e15 {
                decision.timestamp = Millis(millis)
            } else if case .string(let text) = value, let millis = Timestamp.parse(text) {
                decision.timestamp = millis
            } else {
                throw .invalidField("timestamp", "'timestamp' must be an RFC 3339 time or epoch milliseconds, not \(describe(value))")
            }
        }
        decision.context = try features(fields["context"], "context")
        if let list = fields["candidates"], list != .null {
            guard let items = list.arrayValue, !items.isEmpty else {
                throw .invalidField("candidates", "'candidates' must be a non-empty array")
            }
            var seen: Set<String> = []
            for (position, item) in items.enumerated() {
                let candidate = try self.candidate(item, "candidates[\(position)]")
                guard seen.insert(candidate.id).inserted else {
                    throw .invalidField("candidates[\(position)].id", "candidate id '\(candidate.id)' appears twice")
                }
                decision.candidates.append(candidate)
            }
            guard seen.contains(chosen) else {
                throw .invalidField("chosen", "'chosen' (\(chosen)) is not among the candidates")
            }
        }
        return decision
    }

    private static func candidate(_ json: JSONValue, _ path: String) throws(APIError) -> Candidate {
        guard case .object(let fields) = json else { throw .invalidField(path, "\(path) must be an object, not \(json.typeName)") }
        guard let idValue = fields["id"] else { throw .missingField("\(path).id") }
        guard let id = idValue.stringValue, !id.isEmpty else {
            throw .invalidField("\(path).id", "\(path).id must be a non-empty string, not \(describe(idValue))")
        }
        var candidate = Candidate(id: id)
        candidate.group = try optionalString(fields["group"], "\(path).group")
        candidate.value = try number(fields["value"], "\(path).value") ?? 1
        candidate.lever = try number(fields["lever"], "\(path).lever") ?? 1
        candidate.priority = try number(fields["priority"], "\(path).priority")
        candidate.probability = try number(fields["probability"], "\(path).probability")
        if let probability = candidate.probability, !(0...1).contains(probability) {
            throw .invalidField("\(path).probability", "\(path).probability must be in [0, 1], not \(probability)")
        }
        candidate.features = try features(fields["features"], "\(path).features")
        return candidate
    }

    /// A `context` / `features` object as numbers (see the type's documentation).
    private static func features(_ json: JSONValue?, _ path: String) throws(APIError) -> [String: Double] {
        guard let json, json != .null else { return [:] }
        guard case .object(let fields) = json else { throw .invalidField(path, "'\(path)' must be an object, not \(json.typeName)") }
        var result: [String: Double] = [:]
        for (key, value) in fields {
            switch value {
            case .null: break
            case .number(let number) where number.isFinite: result[key] = number
            case .bool(let flag): result[key] = flag ? 1 : 0
            case .string(let text): result["\(key)=\(text)"] = 1
            default: throw .invalidField("\(path).\(key)", "\(path).\(key) must be a number, boolean or string, not \(value.typeName)")
            }
        }
        return result
    }

    private static func number(_ json: JSONValue?, _ path: String) throws(APIError) -> Double? {
        guard let json, json != .null else { return nil }
        guard let number = json.numberValue, number.isFinite else {
            throw .invalidField(path, "\(path) must be a finite number, not \(describe(json))")
        }
        return number
    }

    private static func optionalString(_ json: JSONValue?, _ path: String) throws(APIError) -> String? {
        guard let json, json != .null else { return nil }
        guard let text = json.stringValue else { throw .invalidField(path, "'\(path)' must be a string, not \(json.typeName)") }
        return text
    }

    private static func describe(_ json: JSONValue) -> String {
        if case .number(let number) = json { return "\(number)" }
        return json.typeName
    }

    private static func located(_ error: APIError, line: Int) -> APIError {
        var located = error.at(index: line)
        located.message = "line \(line): \(error.message)"
        return located
    }
}
