import Hummingbird
import KairosCore
import KairosEngine
import KairosStore

/// Attribution: `GET /v1/admin/decisions/{id}` (a logged decision and its outcomes) and
/// `GET /v1/admin/placements/{id}/report?from=&to=` (engagement, conversion, revenue, by position
/// and source, over decisions made in the period; the last 7 days by default).
struct OutcomesController<Context: RequestContext>: Sendable {
    let store: any DataStore
    let log: DecisionLog
    let mapping: InteractionMapping

    func addRoutes(decisions: RouterGroup<Context>, placements: RouterGroup<Context>) {
        decisions.get("{id}") { _, context in
            let id = try context.parameters.require("id")
            await self.log.flush()
            guard let (record, outcomes) = try await self.store.decision(id: id) else {
                throw APIError(status: 404, code: "not_found", message: "decision not found")
            }
            var fields: [String: JSONValue] = [
                "decisionId": .string(record.id), "placement": .string(record.placement),
                "createdAt": .string(Timestamp.format(record.createdAt)), "response": record.body,
                "outcomes": .array(outcomes.map(\.json)),
            ]
            if let userId = record.userId { fields["userId"] = .string(userId) }
            if let anonymousId = record.anonymousId { fields["anonymousId"] = .string(anonymousId) }
            return Response.json(.object(fields))
        }
        placements.get("{id}/report") { request, context in
            let id = try context.parameters.require("id")
            let to = try Self.time(request, "to") ?? Timestamp.now()
            let from = try Self.time(request, "from") ?? to - OutcomeReport.window
            guard from < to else { throw APIError.invalidField("from", "'from' must be before 'to'") }
            guard to - from <= Self.longestPeriod else {
                throw APIError.invalidField("from", "a report covers at most 93 days; narrow 'from' and 'to'")
            }
            await self.log.flush()
            let summary = try await self.store.outcomeSummary(placement: id, from: from, to: to)
            return Response.json(OutcomeReport(summary: summary, placement: id, from: from, to: to, mapping: self.mapping).json)
        }
    }

    /// Longest period of one report (the outcomes of the period are read into memory).
    static var longestPeriod: Millis { 93 * 86_400_000 }

    static func time(_ request: Request, _ name: String) throws(APIError) -> Millis? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let millis = Timestamp.parse(text) else {
            throw APIError.invalidField(name, "'\(name)' must be an ISO 8601 date-time such as 2026-11-22T10:00:00Z")
        }
        return millis
    }
}
