/// An event sent back about a decision (it carries the decision's id in `properties.decisionId`):
/// what the person did with what they were shown.
public struct DecisionOutcome: Sendable, Equatable {
    public var decisionId: String
    /// The event name (`Product Clicked`, `Order Completed`, `Recommendation Dismissed`, ...).
    public var name: String?
    /// The items the event is about (`properties.product_id`, `properties.products[]`).
    public var items: [String]
    /// `properties.revenue` (or `total`, `value`, or `price` × `quantity`), if any.
    public var revenue: Double?
    public var time: Millis

    public init(decisionId: String, name: String?, items: [String], revenue: Double?, time: Millis) {
        self.decisionId = decisionId
        self.name = name
        self.items = items
        self.revenue = revenue
        self.time = time
    }

    /// The revenue an event reports.
    public static func revenue(in json: JSONValue?) -> Double? {
        guard case .object(let fields)? = json, case .object(let properties)? = fields["properties"] else { return nil }
        for key in ["revenue", "total", "value"] {
            if case .number(let value)? = properties[key], value.isFinite { return value }
        }
        if case .number(let price)? = properties["price"], price.isFinite {
            if case .number(let quantity)? = properties["quantity"], quantity.isFinite { return price * quantity }
            return price
        }
        return nil
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "name": name.map { .string($0) } ?? .null, "items": .array(items.map { .string($0) }),
            "timestamp": .string(Timestamp.format(time)),
        ]
        if let revenue { fields["revenue"] = .number(revenue) }
        return .object(fields)
    }
}

/// The decisions of a placement over a period and the outcomes sent back about them (the
/// store's answer; ``OutcomeReport`` attributes them).
public struct OutcomeSummary: Sendable {
    /// Decisions made in the period.
    public var decisions = 0
    /// Each outcome with its decision's time and response.
    public var outcomes: [(outcome: DecisionOutcome, decidedAt: Millis, decision: JSONValue)] = []

    public init() {}
}
