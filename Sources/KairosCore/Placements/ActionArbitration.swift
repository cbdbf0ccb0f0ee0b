/// How an action placement chooses among offers: which ones compete, on which channel, the
/// priority formula, the "no action" threshold, exploration and the attribution window.
///
/// ```yaml
/// - id: app_home
///   limit: 1
///   actions:
///     issues: [retention, sales/upgrades]     # issues or issue/group; all offers when absent
///     channel: inapp                          # payloads of this channel; offers without it do not compete
///     outbound: false                         # true: marketing consent and the channel's contact policy apply
///     priority: propensity * value * lever
///     threshold: 0.02
///     exploration: { policy: epsilon-greedy, epsilon: 0.1 }
///     attributionWindow: 24h
/// ```
public struct ActionArbitration: Sendable, Equatable {
    /// How the chosen actions are drawn.
    public enum Exploration: Sendable, Equatable {
        /// Always the highest priorities.
        case greedy
        /// The highest priority with probability 1 − ε, otherwise uniformly among the candidates.
        case epsilonGreedy(Double)
        /// Priorities computed from a propensity drawn from the model's posterior.
        case thompson
    }

    /// Issues (`retention`) or groups (`retention/data-bundles`) that compete; all when empty.
    public var issues: [String]
    public var channel: String
    public var outbound: Bool
    /// The priority formula (`propensity`, `value`, `lever` and `offer.*` besides the usual names).
    public var priority: String
    /// Below this priority an action is not worth taking: "no action".
    public var threshold: Double
    public var exploration: Exploration
    /// An impression without a positive response within this window is a negative outcome.
    public var attributionWindow: Millis

    public static let defaultPriority = "propensity * value * lever"

    public init(
        issues: [String] = [], channel: String, outbound: Bool = false, priority: String = ActionArbitration.defaultPriority,
        threshold: Double = 0, exploration: Exploration = .epsilonGreedy(0.05), attributionWindow: Millis = 86_400_000
    ) {
        self.issues = issues
        self.channel = channel
        self.outbound = outbound
        self.priority = priority
        self.threshold = threshold
        self.exploration = exploration
        self.attributionWindow = attributionWindow
    }

    /// Whether `offer` competes here (by issue or issue/group).
    public func admits(_ offer: OfferDefinition) -> Bool {
        issues.isEmpty || issues.contains(offer.issue) || issues.contains(offer.taxonomy)
    }

    static func parse(_ json: JSONValue) throws(APIError) -> ActionArbitration {
        func fail(_ message: String) -> APIError { .invalidField("actions", "actions.\(message)") }
        guard case .object(let fields) = json else { throw .invalidField("actions", "'actions' must be an object") }
        guard case .string(let channel)? = fields["channel"], !channel.isEmpty else {
            throw fail("channel is required: the channel whose payloads are returned (e.g. inapp)")
        }
        var arbitration = ActionArbitration(channel: channel)
        if let value = fields["issues"], value != .null {
            guard case .array(let entries) = value else { throw fail("issues must be a list of issues or issue/group") }
            arbitration.issues = try entries.enumerated().map { index, entry throws(APIError) in
                guard case .string(let text) = entry, !text.isEmpty else {
                    throw APIError.invalidField("actions", "actions.issues[\(index)] must be an issue or issue/group").at(index: index)
                }
                return text
            }
        }
        switch fields["outbound"] {
        case nil, .null?: break
        case .bool(let flag)?: arbitration.outbound = flag
        default: throw fail("outbound must be true or false")
        }
        switch fields["priority"] {
        case nil, .null?: break
        case .string(let source)? where !source.isEmpty: arbitration.priority = source
        default: throw fail("priority must be an expression such as propensity * value * lever")
        }
        switch fields["threshold"] {
        case nil, .null?: break
        case .number(let number)? where number.isFinite: arbitration.threshold = number
        default: throw fail("threshold must be a number")
        }
        if let value = fields["exploration"], value != .null {
            guard case .object(let exploration) = value, case .string(let policy)? = exploration["policy"] else {
                throw fail("exploration must be {policy: greedy | epsilon-greedy | thompson, epsilon}")
            }
            switch policy {
            case "greedy": arbitration.exploration = .greedy
            case "thompson": arbitration.exploration = .thompson
            case "epsilon-greedy":
                var epsilon = 0.05
                if let raw = exploration["epsilon"], raw != .null {
                    guard case .number(let number) = raw, number > 0, number < 1 else {
                        throw fail("exploration.epsilon must be a number between 0 and 1")
                    }
                    epsilon = number
                }
                arbitration.exploration = .epsilonGreedy(epsilon)
            default: throw fail("exploration.policy must be greedy, epsilon-greedy or thompson")
            }
        }
        if let value = fields["attributionWindow"], value != .null {
            guard case .string(let text) = value, let millis = ExpressionDuration.parsePositive(text) else {
                throw fail("attributionWindow must be a duration such as 24h")
            }
            arbitration.attributionWindow = millis
        }
        return arbitration
    }

    var json: JSONValue {
        let exploration: JSONValue
        switch self.exploration {
        case .greedy: exploration = .object(["policy": "greedy"])
        case .thompson: exploration = .object(["policy": "thompson"])
        case .epsilonGreedy(let epsilon): exploration = .object(["policy": "epsilon-greedy", "epsilon": .number(epsilon)])
        }
        return .object([
            "issues": .array(issues.map { .string($0) }), "channel": .string(channel), "outbound": .bool(outbound),
            "priority": .string(priority), "threshold": .number(threshold), "exploration": exploration,
            "attributionWindow": .string(ExpressionDuration.format(attributionWindow)),
        ])
    }
}
