extension Item {
    /// Known item fields; anything else in a payload goes to ``attributes``.
    static let knownFields: Set<String> = [
        "id", "title", "category", "tags", "price", "currency", "available", "availability", "createdAt",
        "updatedAt", "attributes",
    ]

    /// Validates an item payload.
    /// - Parameters:
    ///   - value: the JSON object.
    ///   - id: the id from the URL, if any; a body `id` must then match it.
    ///   - now: the time stored as `updatedAt`.
    public static func parse(_ value: JSONValue, id pathId: String? = nil, now: Millis) throws(APIError) -> Item {
        guard case .object(let fields) = value else {
            throw APIError(status: 422, code: "invalid_item", message: "an item must be a JSON object, not \(value.typeName)")
        }
        func string(_ key: String) throws(APIError) -> String? {
            switch fields[key] {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case let other?: throw .invalidField(key, "'\(key)' must be a string, not \(other.typeName)")
            }
        }
        let bodyId = try string("id")
        if let pathId, let bodyId, bodyId != pathId {
            throw .invalidField("id", "the body's id '\(bodyId)' differs from the id in the URL '\(pathId)'")
        }
        guard let id = pathId ?? bodyId, !id.isEmpty else { throw .missingField("id") }
        guard id.utf8.count <= 256 else { throw .invalidField("id", "'id' is longer than 256 bytes") }

        var item = Item(id: id, updatedAt: now)
        item.title = try string("title")
        switch fields["category"] {
        case nil, .null?: break
        case .string(let path)?:
            item.category = path.split(separator: ">").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        case .array(let parts)?:
            for (position, part) in parts.enumerated() {
                guard case .string(let text) = part else {
                    throw .invalidField("category[\(position)]", "category levels must be strings")
                }
                item.category.append(text)
            }
        case let other?:
            throw .invalidField("category", "'category' must be a path string or an array, not \(other.typeName)")
        }
        switch fields["tags"] {
        case nil, .null?: break
        case .array(let tags)?:
            for (position, tag) in tags.enumerated() {
                guard case .string(let text) = tag else { throw .invalidField("tags[\(position)]", "tags must be strings") }
                item.tags.append(text)
            }
        case let other?: throw .invalidField("tags", "'tags' must be an array of strings, not \(other.typeName)")
        }
        switch fields["price"] {
        case nil, .null?: break
        case .number(let price)?:
            guard price >= 0 else { throw .invalidField("price", "'price' must not be negative") }
            item.price = price
        case let other?: throw .invalidField("price", "'price' must be a number, not \(other.typeName)")
        }
        if let currency = try string("currency") {
            guard currency.utf8.count == 3, currency.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                throw .invalidField("currency", "'currency' must be a 3-letter ISO 4217 code such as EUR")
            }
            item.currency = currency
        }
        let availabilityField = fields["available"] != nil ? "available" : "availability"
        switch fields[availabilityField] {
        case nil, .null?: break
        case .bool(let flag)?: item.available = flag
        case .string(let state)?:
            switch state.lowercased() {
            case "in_stock", "in stock", "available", "preorder": item.available = true
            case "out_of_stock", "out of stock", "unavailable", "discontinued": item.available = false
            default:
                throw .invalidField(availabilityField, "unknown availability '\(state)'; use true/false, in_stock or out_of_stock")
            }
        case let other?: throw .invalidField(availabilityField, "'\(availabilityField)' must be a boolean, not \(other.typeName)")
        }
        if let created = try string("createdAt") {
            guard let millis = Timestamp.parse(created) else {
                throw .invalidField("createdAt", "'createdAt' must be an ISO 8601 date-time")
            }
            item.createdAt = millis
        }
        switch fields["attributes"] {
        case nil, .null?: break
        case .object(let attributes)?: item.attributes = attributes
        case let other?: throw .invalidField("attributes", "'attributes' must be an object, not \(other.typeName)")
        }
        for (key, value) in fields where !knownFields.contains(key) { item.attributes[key] = value }
        return item
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}
