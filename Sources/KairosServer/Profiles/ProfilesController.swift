import Foundation
import Hummingbird
import KairosCore
import KairosEngine
import KairosStore

/// `/v1/profiles/{id}`: read, history, consent, export and erasure. Secret key only.
struct ProfilesController<Context: RequestContext>: Sendable {
    let pipeline: IngestPipeline
    /// Flushed before an erasure, so that no decision about the person is written after it.
    let decisions: DecisionLog
    let bodyReader: JSONBodyReader

    var profiles: ProfileBook { pipeline.profiles }
    var store: any DataStore { pipeline.store }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("{id}") { _, context in
            Response.json(self.profileJSON(try self.profile(context)))
        }
        group.get("{id}/events") { request, context in
            try await self.events(request, context)
        }
        group.put("{id}/consent") { request, context in
            try await self.updateConsent(request, context)
        }
        group.get("{id}/export") { _, context in
            try await self.export(context)
        }
        group.delete("{id}") { _, context in
            let id = try context.pathId()
            await self.decisions.flush()
            guard let erasure = try await self.pipeline.erase(id: id) else { throw APIError.notFound("profile") }
            let idCount = erasure.profile.userIds.count + erasure.profile.anonymousIds.count
            let answer: JSONValue = [
                "erased": true, "events": .number(Double(erasure.events)), "ids": .number(Double(idCount)),
            ]
            return Response.json(answer)
        }
    }

    /// The profile with its feature values at this moment.
    func profileJSON(_ profile: Profile) -> JSONValue {
        guard case .object(var fields) = profile.json else { return profile.json }
        let values = profiles.featureValues(of: profile, now: Timestamp.now())
        fields["features"] = .object(values.mapValues(\.jsonValue))
        let segments = profiles.segments
        fields["segments"] = .array(profile.segments.compactMap { segments.segment(slot: $0)?.definition.id }.sorted().map { .string($0) })
        return .object(fields)
    }

    private func profile(_ context: Context) throws -> Profile {
        let id = try context.pathId()
        guard let profile = profiles.profile(id: id) else { throw APIError.notFound("profile") }
        return profile
    }

    private func events(_ request: Request, _ context: Context) async throws -> Response {
        let profile = try profile(context)
        let limit = try queryInt(request, "limit", default: 50, range: 1...1000)
        let before = try request.uri.queryParameters["before"].map { text throws(APIError) -> Int64 in
            guard let value = Int64(text), value > 0 else {
                throw .invalidField("before", "'before' must be a positive event sequence number")
            }
            return value
        }
        let page = try await store.events(of: PersonIds(profile), beforeSeq: before, limit: limit)
        var answer: [String: JSONValue] = ["events": .array(page.map(Self.eventJSON))]
        if page.count == limit, let last = page.last { answer["nextBefore"] = .number(Double(last.seq)) }
        return .json(.object(answer))
    }

    private func updateConsent(_ request: Request, _ context: Context) async throws -> Response {
        let profile = try profile(context)
        let body = try await bodyReader.read(request)
        let choices = try Consent.choices(from: body, field: "consent")
        guard !choices.isEmpty else { throw APIError.missingField("consent", "name at least one purpose") }
        let now = Timestamp.now()
        let event = Event(
            messageId: "consent-" + UUID().uuidString.lowercased(), type: .consent, userId: profile.userId,
            anonymousId: profile.userId == nil ? profile.anonymousIds.first : nil, timestamp: now, receivedAt: now,
            consent: choices)
        _ = try await pipeline.submit([event.consentRecord()])
        let updated = profiles.profile(id: try context.pathId()) ?? profile
        return .json(updated.consent.json)
    }

    private func export(_ context: Context) async throws -> Response {
        let profile = try profile(context)
        var events: [JSONValue] = []
        var before: Int64?
        while true {
            let page = try await store.events(of: PersonIds(profile), beforeSeq: before, limit: 1000)
            events.append(contentsOf: page.map(Self.eventJSON))
            guard page.count == 1000, let last = page.last else { break }
            before = last.seq
        }
        return .json([
            "profile": profileJSON(profile),
            "events": .array(events.reversed()),
            "exportedAt": .string(Timestamp.format(Timestamp.now())),
        ])
    }

    static func eventJSON(_ stored: StoredEvent) -> JSONValue {
        guard case .object(var fields) = stored.body else { return stored.body }
        fields["seq"] = .number(Double(stored.seq))
        return .object(fields)
    }
}

func queryInt(_ request: Request, _ name: String, default value: Int, range: ClosedRange<Int>) throws(APIError) -> Int {
    guard let text = request.uri.queryParameters[Substring(name)] else { return value }
    guard let parsed = Int(text), range.contains(parsed) else {
        throw .invalidField(name, "'\(name)' must be an integer from \(range.lowerBound) to \(range.upperBound)")
    }
    return parsed
}
