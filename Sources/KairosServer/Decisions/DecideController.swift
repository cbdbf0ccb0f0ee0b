import Foundation
import Hummingbird
import KairosCore
import KairosEngine
import Metrics

/// `POST /v1/decide`: ranked items for a person at a placement, with reasons; every decision is
/// logged. Takes a write key (apps may call it directly) or a secret key.
struct DecideController<Context: RequestContext>: Sendable {
    let pipeline: IngestPipeline
    let log: DecisionLog
    /// Reads ids exactly as tracking does (same limits, empty is absent).
    let parser: EventParser
    let bodyReader: JSONBodyReader
    /// Caps, quiet hours and consent of outbound action placements.
    let contactPolicy: ContactPolicy

    /// Version of the ranking code and models, reported with every decision.
    static var modelVersion: String { "kairos-recs-1" }

    /// In-process ranking time of a decision (profile and context read, candidates, filters,
    /// rules, diversity), without HTTP, JSON and logging.
    let rankTimer = Metrics.Timer(label: "kairos_decide_rank_duration_seconds")
    /// In-process arbitration time of a decision at an action placement (rules, model, value,
    /// levers, the draw, budgets), without HTTP, JSON and logging.
    let arbitrationTimer = Metrics.Timer(label: "kairos_decide_arbitration_duration_seconds")

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("decide") { request, _ in
            try await self.decide(try await self.bodyReader.read(request))
        }
    }

    func decide(_ body: JSONValue) async throws -> Response {
        guard case .object(let fields) = body else {
            throw APIError(status: 400, code: "invalid_body", message: "the body must be a JSON object")
        }
        let userId = try parser.id(fields, "userId")
        let anonymousId = try parser.id(fields, "anonymousId")
        guard let placementId = try parser.id(fields, "placement") else { throw APIError.missingField("placement") }
        var requestContext: [String: JSONValue] = [:]
        if let context = fields["context"], context != .null {
            guard case .object(let object) = context else { throw APIError.invalidField("context", "'context' must be an object") }
            requestContext = object
        }
        var limit: Int?
        if let value = fields["limit"], value != .null {
            guard case .number(let number) = value, number == number.rounded(), (1...100).contains(number) else {
                throw APIError.invalidField("limit", "'limit' must be an integer from 1 to 100")
            }
            limit = Int(number)
        }
        var exclude: Set<String> = []
        if let value = fields["exclude"], value != .null {
            guard case .array(let entries) = value else { throw APIError.invalidField("exclude", "'exclude' must be a list of item ids") }
            for (index, entry) in entries.enumerated() {
                guard case .string(let id) = entry else {
                    throw APIError.invalidField("exclude", "exclude[\(index)] must be a string").at(index: index)
                }
                exclude.insert(id)
            }
        }
        var audit = false
        if let value = fields["audit"], value != .null {
            guard case .bool(let flag) = value else { throw APIError.invalidField("audit", "'audit' must be true or false") }
            audit = flag
        }
        let profiles = pipeline.profiles
        let recommender = profiles.recommender
        let (placement, defined) = recommender.placements.placement(placementId)
        if defined, placement.definition.actions != nil {
            let profile = userId.flatMap { profiles.profile(idKey: ProfileKey.user($0)) }
                ?? anonymousId.flatMap { profiles.profile(idKey: ProfileKey.anonymous($0)) }
            return try await decideActions(
                placement: placement, profile: profile, personalized: profile?.consent.allows(Consent.personalization) ?? true,
                userId: userId, anonymousId: anonymousId, requestContext: requestContext, limit: limit, exclude: exclude,
                audit: audit)
        }
        // Only what ranking reads of the person, read in place (the profile is not copied out).
        func readPerson(_ idKey: String) -> (idKey: String, key: String, personalized: Bool, items: [ItemTouch])? {
            profiles.read(idKey: idKey) { profile in
                (idKey, profile.key, profile.consent.allows(Consent.personalization), profile.items)
            }
        }
        let person = userId.flatMap { readPerson(ProfileKey.user($0)) } ?? anonymousId.flatMap { readPerson(ProfileKey.anonymous($0)) }
        let personalized = person?.personalized ?? true
        let now = Timestamp.now()
        var context = EvaluationContext(event: .object(["context": .object(requestContext)]), now: now)
        if placement.needsProfile, let person, personalized,
            let profile = profiles.profile(idKey: person.idKey)
        {
            context = profiles.expressionContext(profile, event: nil, now: now)
            context.event = .object(["context": .object(requestContext)])
        }
        let started = ContinuousClock.now
        let ranker = Ranker(recommender: recommender)
        let ranked = ranker.rank(
            Ranker.Request(
                history: personalized ? person?.items ?? [] : [], owner: person?.key ?? "",
                personalized: personalized, context: requestContext, limit: limit ?? placement.definition.limit,
                exclude: exclude, now: now),
            placement: placement, context: context)
        rankTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        let decisionId = DecisionId.make(at: now)
        // Encoded once: the same bytes answer the request and go to the decision log.
        let encoded = Self.encode(
            decisionId: decisionId, placement: placementId, items: ranked, strategy: defined ? placementId : "default",
            personalized: personalized, hasProfile: person != nil)
        log.record(
            DecisionRecord(
                id: decisionId, profileKey: person?.key, userId: userId, anonymousId: anonymousId, placement: placementId,
                createdAt: now, encodedBody: encoded))
        return Response.json(encoded: encoded)
    }
}
