/// Attribution of outcomes to the decisions they name: engagement and conversion rates, revenue,
/// and which positions and sources earned them.
///
/// An outcome counts when it comes within ``window`` after its decision (up to 5 minutes before,
/// for clock skew) and is about an item the decision showed (an outcome about no item, such as a
/// dismissal of the whole list, counts for the decision). Positive interactions engage, purchases
/// convert (their revenue is summed), negative ones dismiss — by the interaction mapping.
public struct OutcomeReport: Sendable {
    public var placement: String
    public var from: Millis
    public var to: Millis
    public var decisions = 0
    /// Decisions with at least one positive outcome on what they showed.
    public var engaged = 0
    /// Decisions with a purchase of something they showed.
    public var converted = 0
    public var revenue = 0.0
    /// Decisions with a negative outcome (removed, dismissed).
    public var dismissed = 0
    /// Outcome events received about these decisions.
    public var outcomes = 0
    /// Outcomes not attributed: too late, too early, or about an item the decision did not show.
    public var unattributed = 0
    /// Positive outcomes by position shown (1-based).
    public var engagedByPosition: [Int: Int] = [:]
    /// Positive outcomes and purchases by the source that proposed the item.
    public var bySource: [String: (engaged: Int, converted: Int)] = [:]

    /// How long after a decision an outcome is attributed to it (7 days).
    public static let window: Millis = 7 * 86_400_000
    static let skew: Millis = 5 * 60_000

    public init(summary: OutcomeSummary, placement: String, from: Millis, to: Millis, mapping: InteractionMapping) {
        self.placement = placement
        self.from = from
        self.to = to
        decisions = summary.decisions
        var engagedDecisions = Set<String>()
        var convertedDecisions = Set<String>()
        var dismissedDecisions = Set<String>()
        // Outcomes come decision by decision: each decision's items are read once.
        var shownBy: (decision: String, items: [String: (position: Int, source: String)])?
        for (outcome, decidedAt, decision) in summary.outcomes {
            outcomes += 1
            let rule = outcome.name.flatMap { mapping.rules[$0] }
            guard outcome.time >= decidedAt - Self.skew, outcome.time <= decidedAt + Self.window else {
                unattributed += 1
                continue
            }
            if shownBy?.decision != outcome.decisionId { shownBy = (outcome.decisionId, Self.shownItems(decision)) }
            let shown = shownBy!.items
            let matched = outcome.items.compactMap { shown[$0] }
            guard outcome.items.isEmpty || !matched.isEmpty else {
                unattributed += 1
                continue
            }
            switch rule?.kind {
            case .positive?:
                engagedDecisions.insert(outcome.decisionId)
                for item in matched {
                    engagedByPosition[item.position, default: 0] += 1
                    bySource[item.source, default: (0, 0)].engaged += 1
                }
                if rule?.conversion == true {
                    convertedDecisions.insert(outcome.decisionId)
                    revenue += outcome.revenue ?? 0
                    for item in matched { bySource[item.source, default: (0, 0)].converted += 1 }
                }
            case .negative?:
                dismissedDecisions.insert(outcome.decisionId)
            case .seen?, nil:
                break
            }
        }
        engaged = engagedDecisions.count
        converted = convertedDecisions.count
        dismissed = dismissedDecisions.count
    }

    /// Position and source of each item a decision showed.
    static func shownItems(_ decision: JSONValue) -> [String: (position: Int, source: String)] {
        var shown: [String: (position: Int, source: String)] = [:]
        for case .object(let item) in decision.objectValue?["items"]?.arrayValue ?? [] {
            guard case .string(let id)? = item["id"] else { continue }
            let position = item["position"]?.numberValue.map { Int($0) } ?? shown.count + 1
            shown[id] = (position, item["source"]?.stringValue ?? "")
        }
        return shown
    }

    public var json: JSONValue {
        func rate(_ count: Int) -> JSONValue { .number(decisions == 0 ? 0 : (Double(count) / Double(decisions) * 1e4).rounded() / 1e4) }
        return .object([
            "placement": .string(placement), "from": .string(Timestamp.format(from)), "to": .string(Timestamp.format(to)),
            "decisions": .number(Double(decisions)), "engaged": .number(Double(engaged)), "engagementRate": rate(engaged),
            "converted": .number(Double(converted)), "conversionRate": rate(converted),
            "revenue": .number((revenue * 100).rounded() / 100), "dismissed": .number(Double(dismissed)),
            "outcomes": .number(Double(outcomes)), "unattributed": .number(Double(unattributed)),
            "engagedByPosition": .array(engagedByPosition.sorted { $0.key < $1.key }.map {
                .object(["position": .number(Double($0.key)), "engaged": .number(Double($0.value))])
            }),
            "bySource": .array(bySource.sorted { $0.key < $1.key }.map {
                .object(["source": .string($0.key), "engaged": .number(Double($0.value.engaged)), "converted": .number(Double($0.value.converted))])
            }),
        ])
    }
}
