import Foundation
import Hummingbird
import KairosCore
import KairosEngine
import Metrics

/// The Segment-compatible tracking API: `/v1/track`, `/identify`, `/page`, `/screen`, `/alias`,
/// `/group` and `/v1/batch`.
struct TrackingController<Context: RequestContext>: Sendable {
    let pipeline: IngestPipeline
    let parser: EventParser
    let authenticator: Authenticator
    let bodyReader: JSONBodyReader

    func addRoutes(to router: Router<Context>) {
        let v1 = router.group("v1")
        for type in EventType.external {
            v1.post(RouterPath(type.rawValue)) { request, _ in
                try await self.ingest(request, impliedType: type)
            }
        }
        v1.post("batch") { request, _ in try await self.ingest(request, impliedType: nil) }
    }

    /// Parses, authorises, validates and stores; answers once the stored events are durable.
    func ingest(_ request: Request, impliedType: EventType?) async throws -> Response {
        let keyInHeaders = try authenticator.authorize(headers: request.headers, required: .write, optional: true)
        let body = try await bodyReader.read(request)
        if !keyInHeaders {
            // Browsers using sendBeacon cannot set headers; Segment's libraries then put the key in the body.
            try authenticator.authorize(body["writeKey"]?.stringValue, required: .write)
        }
        let receivedAt = Timestamp.now()
        let (entries, sentAt, sharedContext) = try unpack(body, impliedType: impliedType)

        var events: [Event] = []
        var eventIndices: [Int] = []
        var rejected: [APIError] = []
        events.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            do {
                let event = try parser.parse(
                    withContext(entry, sharedContext), impliedType: impliedType, receivedAt: receivedAt,
                    batchSentAt: sentAt, makeMessageId: { UUID().uuidString.lowercased() })
                events.append(event)
                eventIndices.append(index)
            } catch {
                rejected.append(impliedType == nil ? error.at(index: index) : error)
                Counter(label: "kairos_events_rejected_total", dimensions: [("reason", error.code)]).increment()
            }
        }
        let outcomes = try await pipeline.submit(events)
        if events.isEmpty, let first = rejected.first {
            var detail = first.body.objectValue ?? [:]
            if impliedType == nil { detail["rejected"] = .array(rejected.map(\.detail)) }
            return .json(.object(detail), status: .init(code: first.status))
        }
        var duplicates = 0
        for outcome in outcomes where outcome == .duplicate { duplicates += 1 }
        var answer: [String: JSONValue] = [
            "success": true,
            "accepted": .number(Double(events.count)),
            "duplicates": .number(Double(duplicates)),
        ]
        if impliedType == nil { answer["rejected"] = .array(rejected.map(\.detail)) }
        return .json(.object(answer))
    }

    /// The events of a request body, with any batch-level `sentAt` and `context`.
    private func unpack(
        _ body: JSONValue, impliedType: EventType?
    ) throws(APIError) -> ([JSONValue], Millis?, [String: JSONValue]?) {
        guard impliedType == nil else { return ([body], nil, nil) }
        guard case .object(let fields) = body else {
            throw .invalidField("batch", "a batch body must be an object {\"batch\": [...]}")
        }
        guard let batch = fields["batch"] else { throw .missingField("batch") }
        guard case .array(let entries) = batch else {
            throw .invalidField("batch", "'batch' must be an array of events, not \(batch.typeName)")
        }
        var sentAt: Millis?
        switch fields["sentAt"] {
        case nil, .null?: break
        case .string(let text)?:
            guard let parsed = Timestamp.parse(text) else {
                throw .invalidField("sentAt", "'sentAt' must be an ISO 8601 date-time")
            }
            sentAt = parsed
        case let other?: throw .invalidField("sentAt", "'sentAt' must be a string, not \(other.typeName)")
        }
        switch fields["context"] {
        case nil, .null?: return (entries, sentAt, nil)
        case .object(let context)?: return (entries, sentAt, context)
        case let other?: throw .invalidField("context", "'context' must be an object, not \(other.typeName)")
        }
    }

    /// An event with a batch-level context merged under its own (the event's fields win).
    private func withContext(_ entry: JSONValue, _ shared: [String: JSONValue]?) -> JSONValue {
        guard let shared, !shared.isEmpty, case .object(var fields) = entry else { return entry }
        let own = fields["context"]?.objectValue ?? [:]
        fields["context"] = .object(shared.merging(own) { _, eventValue in eventValue })
        return .object(fields)
    }
}
