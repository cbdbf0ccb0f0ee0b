/// A catalog item: a product, an article, an offer's target.
public struct Item: Sendable, Equatable {
    public var id: String
    public var title: String?
    /// Category path from the root, e.g. `["Shoes", "Running"]`.
    public var category: [String]
    public var tags: [String]
    public var price: Double?
    /// ISO 4217 code, e.g. `EUR`.
    public var currency: String?
    /// Whether it can be recommended or sold now.
    public var available: Bool
    public var createdAt: Millis?
    /// Set by Kairos when the item is stored.
    public var updatedAt: Millis
    /// Any other attributes (brand, colour, ...).
    public var attributes: [String: JSONValue]

    public init(
        id: String, title: String? = nil, category: [String] = [], tags: [String] = [], price: Double? = nil,
        currency: String? = nil, available: Bool = true, createdAt: Millis? = nil, updatedAt: Millis = 0,
        attributes: [String: JSONValue] = [:]
    ) {
        self.id = id
        self.title = title
        self.category = category
        self.tags = tags
        self.price = price
        self.currency = currency
        self.available = available
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.attributes = attributes
    }

    /// The item as served by `GET /v1/items/{id}` and stored.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id),
            "category": .array(category.map { .string($0) }),
            "tags": .array(tags.map { .string($0) }),
            "available": .bool(available),
            "attributes": .object(attributes),
            "updatedAt": .string(Timestamp.format(updatedAt)),
        ]
        if let title { fields["title"] = .string(title) }
        if let price { fields["price"] = .number(price) }
        if let currency { fields["currency"] = .string(currency) }
        if let createdAt { fields["createdAt"] = .string(Timestamp.format(createdAt)) }
        return .object(fields)
    }
}
