extension Arbitrator.Rejection {
    /// What made an offer drop out, with the data to explain it.
    public enum Detail: Sendable, Equatable {
        case excluded
        case notYetValid(Millis)
        case expired(Millis)
        case notCompeting(issue: String, group: String)
        case noPayload(channel: String)
        case notEligible(String)
        case notApplicable(String)
        case shown(Int, within: Millis)
        case dismissed(within: Millis?)
        case accepted(within: Millis?)
        case suppressedWhile(String)
        case budgetUsedUp
        case belowThreshold(Double)
        case outranked(by: String, priority: Double)

        public var stage: Arbitrator.Stage {
            switch self {
            case .excluded: .excluded
            case .notYetValid, .expired: .validity
            case .notCompeting: .placement
            case .noPayload: .channel
            case .notEligible: .eligibility
            case .notApplicable: .applicability
            case .shown, .dismissed, .accepted, .suppressedWhile: .suppression
            case .budgetUsedUp: .budget
            case .belowThreshold: .threshold
            case .outranked: .outranked
            }
        }
    }
}

extension Arbitrator.Rejection.Detail {
    /// The reason in words.
    public var reason: String {
        func within(_ window: Millis?) -> String { window.map { " within \(ExpressionDuration.format($0))" } ?? "" }
        switch self {
        case .excluded: return "excluded by the request"
        case .notYetValid(let from): return "valid from \(Timestamp.format(from))"
        case .expired(let to): return "expired at \(Timestamp.format(to))"
        case .notCompeting(let issue, let group): return "issue \(issue)/\(group) does not compete here"
        case .noPayload(let channel): return "no payload for channel \(channel)"
        case .notEligible(let source): return "not eligible: \(source)"
        case .notApplicable(let source): return "does not apply: \(source)"
        case .shown(let count, let window): return "shown \(count) times\(within(window)) without a response"
        case .dismissed(let window): return "dismissed" + within(window)
        case .accepted(let window): return "accepted" + within(window)
        case .suppressedWhile(let source): return "suppressed while \(source)"
        case .budgetUsedUp: return "budget used up"
        case .belowThreshold(let threshold): return "below the threshold \(Arbitrator.format(threshold))"
        case .outranked(let winner, let priority): return "lost to \(winner) (\(Arbitrator.format(priority)))"
        }
    }
}
