import Foundation

/// How tracking events become item interactions: which event names count, with what weight and
/// kind. Defaults follow the Segment e-commerce spec.
public struct InteractionMapping: Sendable, Equatable {
    /// What an interaction says about the person's interest in the item.
    public enum Kind: String, Sendable, Equatable {
        /// Interest: viewed, clicked, added, bought, ...
        case positive
        /// Shown to the person (an impression); not interest by itself.
        case seen
        /// Disinterest: removed from the cart, dismissed.
        case negative
    }

    /// One event name's meaning.
    public struct Rule: Sendable, Equatable {
        public var weight: Float
        public var kind: Kind
        /// A purchase (placements can exclude what was bought).
        public var conversion: Bool

        public init(weight: Float, kind: Kind, conversion: Bool = false) {
            self.weight = weight
            self.kind = kind
            self.conversion = conversion
        }
    }

    /// Rules by event name (`event` of a track event).
    public var rules: [String: Rule]

    public init(rules: [String: Rule]) { self.rules = rules }

    /// The Segment e-commerce names: views, clicks, wishlist, cart and orders (positive, by
    /// strength), list and promotion impressions (seen), removal and dismissal (negative).
    public static let standard = InteractionMapping(rules: [
        "Product Viewed": Rule(weight: 1, kind: .positive),
        "Product Clicked": Rule(weight: 1.5, kind: .positive),
        "Product Added to Wishlist": Rule(weight: 2, kind: .positive),
        "Product Shared": Rule(weight: 2, kind: .positive),
        "Product Added": Rule(weight: 3, kind: .positive),
        "Product Reviewed": Rule(weight: 3, kind: .positive),
        "Order Completed": Rule(weight: 5, kind: .positive, conversion: true),
        "Product List Viewed": Rule(weight: 0, kind: .seen),
        "Promotion Viewed": Rule(weight: 0, kind: .seen),
        "Product Removed": Rule(weight: 1, kind: .negative),
        "Product Removed from Wishlist": Rule(weight: 1, kind: .negative),
        "Recommendation Dismissed": Rule(weight: 1, kind: .negative),
    ])

    /// The rule for a track event, if its name is mapped.
    public func rule(for event: Event) -> Rule? {
        guard event.type == .track, let name = event.name else { return nil }
        return rules[name]
    }

    /// Item ids an event is about: `properties.product_id` (or `item_id`), and every
    /// `properties.products[].product_id` (orders, carts and lists).
    public static func itemIds(in json: JSONValue?) -> [String] {
        guard case .object(let fields)? = json, case .object(let properties)? = fields["properties"] else { return [] }
        var ids: [String] = []
        if let id = identifier(properties["product_id"] ?? properties["item_id"]) { ids.append(id) }
        if case .array(let products)? = properties["products"] {
            for case .object(let product) in products.prefix(100) {
                if let id = identifier(product["product_id"] ?? product["item_id"] ?? product["id"]), !ids.contains(id) {
                    ids.append(id)
                }
            }
        }
        return ids
    }

    private static func identifier(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)? where !text.isEmpty && text.utf8.count <= 256: text
        case .number(let number)? where number == number.rounded() && abs(number) < 1e15: String(Int64(number))
        default: nil
        }
    }
}

extension InteractionMapping {
    /// The standard mapping with `entries` added or replacing names, each written
    /// `NAME=WEIGHT:KIND[:conversion]` (`Video Watched=2:positive`, `Ad Closed=1:negative`,
    /// `Subscription Started=5:positive:conversion`); weight 0 makes a name no interaction at all.
    /// A malformed entry is a 422 naming `field` and the entry's index.
    public static func standard(with entries: [String], field: String) throws(APIError) -> InteractionMapping {
        var mapping = InteractionMapping.standard
        for (index, entry) in entries.enumerated() {
            let problem = APIError.invalidField(
                field, "\(field)[\(index)]: '\(entry)' is not NAME=WEIGHT:KIND[:conversion] with KIND positive, seen or negative"
            ).at(index: index)
            guard let equals = entry.lastIndex(of: "=") else { throw problem }
            let name = entry[..<equals].trimmingCharacters(in: .whitespaces)
            let parts = entry[entry.index(after: equals)...].split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !name.isEmpty, parts.count == 2 || parts.count == 3, let weight = Float(parts[0]), weight.isFinite,
                (0...25).contains(weight), let kind = Kind(rawValue: parts[1]),
                parts.count == 2 || parts[2] == "conversion"
            else { throw problem }
            // Weight 0 takes the name out: it is then no interaction at all.
            mapping.rules[name] = weight == 0 ? nil : Rule(weight: weight, kind: kind, conversion: parts.count == 3)
        }
        return mapping
    }
}
