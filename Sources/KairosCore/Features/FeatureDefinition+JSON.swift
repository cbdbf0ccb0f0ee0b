extension FeatureDefinition {
    /// Parses and checks the shape of a definition (expressions are checked by ``FeatureSet``).
    ///
    /// `{"id", "type", "filter"?, "value"?, "window"? ("5m", "7d", or absent for lifetime),
    /// "topN"?, "sessionTimeout"?, "description"?}`
    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> FeatureDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "feature", pathId: pathId)
        guard let typeName = try reader.string("type") else {
            throw .missingField("type", "'type' is required: one of \(Aggregation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let aggregation = Aggregation(rawValue: typeName) else {
            throw .invalidField(
                "type", "unknown feature type '\(typeName)'; use one of \(Aggregation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var definition = FeatureDefinition(id: id, aggregation: aggregation)
        definition.filter = try reader.string("filter")
        definition.value = try reader.string("value")
        definition.description = try reader.string("description")
        definition.window = try reader.duration("window")
        if let window = definition.window, window < 1000 {
            throw .invalidField("window", "'window' must be at least 1s")
        }
        if let topN = try reader.int("topN") {
            guard (1...50).contains(topN) else { throw .invalidField("topN", "'topN' must be from 1 to 50") }
            definition.topN = topN
        }
        if let timeout = try reader.duration("sessionTimeout") { definition.sessionTimeout = timeout }
        if definition.needsValue && definition.value == nil {
            throw .missingField("value", "a '\(typeName)' feature needs a 'value' expression, e.g. event.properties.price")
        }
        if aggregation == .first && definition.window != nil {
            throw .invalidField("window", "a 'first' feature is the first value ever seen; it has no window")
        }
        if definition.isSession && definition.window != nil {
            throw .invalidField("window", "session features have no window; use 'sessionTimeout'")
        }
        return definition
    }

    /// The definition as served by the admin API.
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "type": .string(aggregation.rawValue), "resultType": .string("\(resultType)"),
        ]
        if let filter { fields["filter"] = .string(filter) }
        if let value { fields["value"] = .string(value) }
        if let window { fields["window"] = .string(ExpressionDuration.format(window)) }
        if aggregation == .top { fields["topN"] = .number(Double(topN)) }
        if isSession { fields["sessionTimeout"] = .string(ExpressionDuration.format(sessionTimeout)) }
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}

/// Typed field access for definition payloads, with errors that name the field.
struct DefinitionReader {
    let fields: [String: JSONValue]

    /// The reader of a definition payload and its id (from the URL or the body, which must agree).
    static func open(_ json: JSONValue, kind: String, pathId: String?) throws(APIError) -> (DefinitionReader, String) {
        guard case .object(let fields) = json else {
            throw APIError(status: 422, code: "invalid_definition", message: "a \(kind) must be a JSON object")
        }
        let reader = DefinitionReader(fields: fields)
        return (reader, try reader.id(pathId: pathId))
    }

    func string(_ key: String) throws(APIError) -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text.isEmpty ? nil : text
        case let other?: throw .invalidField(key, "'\(key)' must be a string, not \(other.typeName)")
        }
    }

    func int(_ key: String) throws(APIError) -> Int? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let number)? where number == number.rounded() && abs(number) < 1e15: return Int(number)
        case let other?: throw .invalidField(key, "'\(key)' must be an integer, not \(other.typeName)")
        }
    }

    func number(_ key: String) throws(APIError) -> Double? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let number)? where number.isFinite: return number
        case let other?: throw .invalidField(key, "'\(key)' must be a number, not \(other.typeName)")
        }
    }

    /// An ISO 8601 time.
    func timestamp(_ key: String) throws(APIError) -> Millis? {
        guard let text = try string(key) else { return nil }
        guard let time = Timestamp.parse(text) else { throw .invalidField(key, "'\(key)' must be an ISO 8601 time") }
        return time
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw .invalidField(key, "'\(key)' must be true or false, not \(other.typeName)")
        }
    }

    func duration(_ key: String) throws(APIError) -> Millis? {
        guard let text = try string(key) else { return nil }
        guard let millis = ExpressionDuration.parsePositive(text) else {
            throw .invalidField(key, "'\(key)' must be a duration such as 30s, 5m, 1h, 7d or 2w")
        }
        return millis
    }

    func id(pathId: String?) throws(APIError) -> String {
        let bodyId = try string("id")
        if let pathId, let bodyId, pathId != bodyId {
            throw .invalidField("id", "the body's id '\(bodyId)' differs from the id in the URL '\(pathId)'")
        }
        guard let id = pathId ?? bodyId else { throw .missingField("id") }
        guard Self.isIdentifier(id) else {
            throw .invalidField("id", "'\(id)' is not a valid id: use letters, digits and _, starting with a letter (at most 64)")
        }
        return id
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, text.utf8.count <= 64 else { return false }
        let isLetter = { (byte: UInt8) in (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }
        return isLetter(first)
            && text.utf8.allSatisfy { isLetter($0) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }
}
