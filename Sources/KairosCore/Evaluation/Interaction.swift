/// One interaction of a person with an item, as offline evaluation reads it (a row of an
/// interactions file, or a tracking event about an item).
public struct Interaction: Sendable, Equatable {
    public var user: String
    public var item: String
    public var time: Millis
    /// The event name (`Product Viewed`, `view`, `purchase`, ...), if the data has one.
    public var event: String?

    public init(user: String, item: String, time: Millis, event: String? = nil) {
        self.user = user
        self.item = item
        self.time = time
        self.event = event
    }

    /// Common event names of public datasets, mapped to the Segment e-commerce names.
    static let aliases: [String: String] = [
        "view": "Product Viewed", "detail": "Product Viewed", "click": "Product Clicked",
        "addtocart": "Product Added", "add_to_cart": "Product Added", "cart": "Product Added",
        "wishlist": "Product Added to Wishlist", "remove_from_cart": "Product Removed",
        "transaction": "Order Completed", "purchase": "Order Completed", "buy": "Order Completed",
        "order": "Order Completed",
    ]

    /// How this interaction counts: the mapping's rule for its event name (or a common alias of
    /// one); without a name, or for a name the mapping does not know, a positive interaction of
    /// weight 1 (ratings, plays, check-ins, ...).
    public func rule(in mapping: InteractionMapping) -> InteractionMapping.Rule {
        guard let event else { return InteractionMapping.Rule(weight: 1, kind: .positive) }
        if let rule = mapping.rules[event] { return rule }
        if let alias = Self.aliases[event.lowercased()], let rule = mapping.rules[alias] { return rule }
        return InteractionMapping.Rule(weight: 1, kind: .positive)
    }
}
