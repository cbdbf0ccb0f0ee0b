/// An action Kairos can take for a person: an offer, a service message or a nudge, with the
/// rules that say who may get it, when it fits, when it must rest, what it is worth and how
/// many may go out.
///
/// ```yaml
/// - id: data_bundle_5gb
///   name: 5 GB data bundle
///   issue: retention
///   group: data-bundles
///   channels:
///     inapp: { title: "5 GB for {{profile.traits.first_name}}", deepLink: "app://bundles/5gb" }
///     push:  { title: "Running low on data?", body: "Add 5 GB for 4.99" }
///   eligibility: profile.traits.plan == "prepaid" && !("churned" in segments)
///   applicability: context.page == "home" || has(event.name)
///   suppression: [{ impressions: 3, within: 14d }, { dismissed: true }, { accepted: true }, { when: profile.traits.complaint_open == true }]
///   value: offer.attributes.margin * 2
///   lever: 1.2
///   budget: { perDay: 5000, total: 100000 }
/// ```
public struct OfferDefinition: Sendable, Equatable {
    /// A rule that rests an offer for a person.
    public enum Suppression: Sendable, Equatable {
        /// At least `count` impressions within `within`, none followed by a positive response.
        case impressions(count: Int, within: Millis)
        /// Dismissed (within `within`, or within the kept history when `nil`).
        case dismissed(within: Millis?)
        /// Accepted (within `within`, or within the kept history when `nil`).
        case accepted(within: Millis?)
        /// While the condition holds (e.g. a complaint is open).
        case condition(String)
    }

    /// Caps on how many times an offer (or a campaign) is given out.
    public struct Budget: Sendable, Equatable {
        /// At most this many a day (UTC days).
        public var perDay: Int?
        /// At most this many in all.
        public var total: Int?

        public init(perDay: Int? = nil, total: Int? = nil) {
            self.perDay = perDay
            self.total = total
        }

        public var isEmpty: Bool { perDay == nil && total == nil }
    }

    /// Business value: a constant or an expression (e.g. `offer.attributes.margin * features.expected_quantity`).
    public enum Value: Sendable, Equatable {
        case constant(Double)
        case expression(String)
    }

    public var id: String
    public var name: String
    /// First level of the taxonomy (`retention`, `sales`, `service`, ...).
    public var issue: String
    /// Second level of the taxonomy (`data-bundles`).
    public var group: String
    /// Payload per channel id (`inapp`, `push`, `web`, ...); string fields may hold `{{expression}}` templates.
    public var channels: [String: JSONValue]
    public var validFrom: Millis?
    public var validTo: Millis?
    /// May this person get it at all (holdings, segment, tier, ...).
    public var eligibility: String?
    /// Does it fit this context (channel, page, time, trigger).
    public var applicability: String?
    public var suppression: [Suppression]
    public var value: Value
    /// Business weight of this offer (multiplied with the levers of its issue and group).
    public var lever: Double
    public var budget: Budget
    /// A campaign whose budget this offer draws from.
    public var campaign: String?
    /// Propensity assumed before any outcome is known (default: the group's observed rate).
    public var prior: Double?
    /// Outcome event names that count as a positive response (default `Offer Clicked`, `Offer Accepted`).
    public var positiveEvents: [String]
    /// Free attributes, readable as `offer.attributes.*` and used as model features.
    public var attributes: [String: JSONValue]
    public var description: String?

    /// Outcome events understood by default: a click or an acceptance is positive; a dismissal
    /// and an acceptance are remembered for suppression.
    public static let defaultPositiveEvents = ["Offer Clicked", "Offer Accepted"]
    public static let acceptedEvent = "Offer Accepted"
    public static let dismissedEvent = "Offer Dismissed"

    public init(id: String, name: String? = nil, issue: String, group: String, channels: [String: JSONValue]) {
        self.id = id
        self.name = name ?? id
        self.issue = issue
        self.group = group
        self.channels = channels
        self.suppression = []
        self.value = .constant(1)
        self.lever = 1
        self.budget = Budget()
        self.positiveEvents = Self.defaultPositiveEvents
        self.attributes = [:]
    }

    /// `issue/group`, the taxonomy path.
    public var taxonomy: String { "\(issue)/\(group)" }
}
