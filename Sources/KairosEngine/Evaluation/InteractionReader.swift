import Foundation
import KairosCore

/// Reads an interactions file for offline evaluation: CSV with a header row, or NDJSON, one
/// interaction per record — `user`, `item`, `timestamp`[, `event`] (common column names of public
/// datasets are understood too) — or Kairos tracking events (`userId`/`anonymousId`, `event`,
/// `timestamp`, `properties.product_id` or `properties.products[]`).
public struct InteractionReader {
    /// What was read, and what was not.
    public struct Result: Sendable {
        public var interactions: [Interaction] = []
        public var records = 0
        /// Records without a user, an item or a readable time (line numbers and reasons, the first 20).
        public var skipped = 0
        public var problems: [String] = []
    }

    static let userFields = ["user", "user_id", "userId", "userid", "visitorid", "visitor_id", "customer_id", "anonymousId"]
    static let itemFields = ["item", "item_id", "itemId", "itemid", "product_id", "productId", "movie_id", "movieId", "track_id"]
    static let timeFields = ["timestamp", "time", "ts", "date", "datetime", "created_at"]
    static let eventFields = ["event", "event_type", "eventType", "action", "interaction"]

    /// Tracking events whose name this mapping does not know are not interactions (as live).
    let mapping: InteractionMapping

    public init(mapping: InteractionMapping = .standard) { self.mapping = mapping }

    /// Reads the whole file (`progress` gets the bytes read, NDJSON only).
    public func read(path: String, progress: (Int) -> Void = { _ in }) throws -> Result {
        let reader = try RecordReader(path: path)
        var result = Result()
        while let record = reader.next() {
            result.records += 1
            if result.records % 10_000 == 0 { progress(record.bytesRead) }
            switch record.value {
            case .failure(let error):
                skip(&result, record.number, error.message)
            case .success(let value):
                guard case .object(let fields) = value else {
                    skip(&result, record.number, "not a JSON object")
                    continue
                }
                do throws(APIError) {
                    result.interactions.append(contentsOf: try Self.interactions(fields, mapping: mapping))
                } catch {
                    skip(&result, record.number, error.message)
                }
            }
        }
        return result
    }

    private func skip(_ result: inout Result, _ line: Int, _ reason: String) {
        result.skipped += 1
        if result.problems.count < 20 { result.problems.append("line \(line): \(reason)") }
    }

    /// The interactions of one record (an order event gives one per product; a tracking event
    /// that is not about an item gives none).
    static func interactions(_ fields: [String: JSONValue], mapping: InteractionMapping) throws(APIError) -> [Interaction] {
        let eventTypes: Set<String> = ["track", "identify", "page", "screen", "alias", "group"]
        let isEvent = fields["properties"] != nil || (fields["type"]?.stringValue).map(eventTypes.contains) == true
        if isEvent, let type = fields["type"]?.stringValue, type != "track" { return [] }
        guard let user = text(fields, userFields) else {
            throw APIError.missingField("user")
        }
        guard let time = try timestamp(fields) else { throw APIError.missingField("timestamp") }
        let event = text(fields, eventFields)
        if isEvent {
            guard let event, mapping.rules[event] != nil else { return [] }
            let ids = InteractionMapping.itemIds(in: .object(fields))
            return ids.map { Interaction(user: user, item: $0, time: time, event: event) }
        }
        guard let item = text(fields, itemFields) else { throw APIError.missingField("item") }
        return [Interaction(user: user, item: item, time: time, event: event)]
    }

    private static func text(_ fields: [String: JSONValue], _ names: [String]) -> String? {
        for name in names {
            switch fields[name] {
            case .string(let value)? where !value.isEmpty: return value
            case .number(let value)? where value == value.rounded() && abs(value) < 1e15: return String(Int64(value))
            default: continue
            }
        }
        return nil
    }

    /// ISO 8601 text, or a number of seconds (below 10¹¹) or milliseconds since 1970.
    private static func timestamp(_ fields: [String: JSONValue]) throws(APIError) -> Millis? {
        for name in timeFields {
            let millis: Millis?
            switch fields[name] {
            case .string(let value)?: millis = Timestamp.parse(value) ?? Double(value).flatMap(Self.millis)
            case .number(let value)?: millis = Self.millis(value)
            case nil, .null?: continue
            default: millis = nil
            }
            guard let millis else {
                throw APIError.invalidField(name, "'\(name)' must be an ISO 8601 time or a number of seconds or milliseconds")
            }
            return millis
        }
        return nil
    }

    private static func millis(_ number: Double) -> Millis? {
        guard number.isFinite, abs(number) < 1e15 else { return nil }
        return number < 1e11 ? Millis(number * 1000) : Millis(number)
    }
}
