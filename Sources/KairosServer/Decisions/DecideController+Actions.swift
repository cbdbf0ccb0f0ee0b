import Hummingbird
import Metrics
import KairosCore
import KairosEngine

/// `POST /v1/decide` at an action placement: the next best actions among the offers, with their
/// channel payloads and reasons, or an explicit "no action"; with `"audit": true`, why every
/// other offer lost.
extension DecideController {
    func decideActions(
        placement: PlacementSet.Compiled, profile: Profile?, personalized: Bool, userId: String?, anonymousId: String?,
        requestContext: [String: JSONValue], limit: Int?, exclude: Set<String>, audit: Bool
    ) async throws -> Response {
        let profiles = pipeline.profiles
        let arbitration = placement.definition.actions!
        let now = Timestamp.now()
        var context = EvaluationContext(event: .object(["context": .object(requestContext)]), now: now)
        if let profile, personalized {
            context = profiles.expressionContext(profile, event: nil, now: now)
            context.event = .object(["context": .object(requestContext)])
        }
        let decisionId = DecisionId.make(at: now)
        var result: Arbitrator.Result
        if arbitration.outbound, let profile,
            let refusal = try await contactPolicy.refusal(
                channel: pipeline.triggers.triggers.channels[arbitration.channel], channelId: arbitration.channel,
                profile: profile, timeZone: requestContext["timezone"]?.stringValue, now: now)
        {
            result = Arbitrator.Result()
            result.noAction = refusal
        } else {
            let started = ContinuousClock.now
            defer { arbitrationTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds) }
            result = try await pipeline.offers.decide(
                placement: placement, profile: profile, context: context, requestContext: requestContext,
                limit: limit ?? placement.definition.limit, exclude: exclude, decisionId: decisionId)
        }
        var response = Self.actionsResponse(
            result, decisionId: decisionId, placement: placement.definition.id, channel: arbitration.channel, context: context,
            audit: audit)
        response["personalized"] = .bool(personalized && profile != nil)
        if !personalized { response["notice"] = "personalization consent withdrawn: decided without the profile" }
        let encoded = JSONWriter.bytes(.object(response))
        // The log keeps what off-policy evaluation needs (the context features, every candidate and
        // the draw) after the response's own bytes, which are not encoded again.
        log.record(
            .action(
                result, id: decisionId, profileKey: profile?.key, userId: userId, anonymousId: anonymousId,
                placement: placement.definition.id, createdAt: now, answered: encoded))
        return Response.json(encoded: encoded)
    }

    static func actionsResponse(
        _ result: Arbitrator.Result, decisionId: String, placement: String, channel: String, context: EvaluationContext,
        audit: Bool
    ) -> [String: JSONValue] {
        var context = context
        let actions: [JSONValue] = result.chosen.enumerated().map { position, candidate in
            let offer = candidate.offer
            context.item = offer.json
            let number = { (value: Double) in Arbitrator.format(value, decimals: 4) }
            var reasons = [
                "priority \(number(candidate.priority)) = propensity \(number(candidate.propensity)) × value \(number(candidate.value)) × lever \(number(candidate.lever))"
            ]
            if candidate.explored { reasons.append("explored: chosen with probability \(number(candidate.probability))") }
            return .object([
                "id": .string(offer.definition.id), "name": .string(offer.definition.name),
                "issue": .string(offer.definition.issue), "group": .string(offer.definition.group),
                "channel": .string(channel), "payload": offer.payload(channel: channel, context) ?? .null,
                "score": .number(rounded(candidate.priority)), "propensity": .number(rounded(candidate.propensity)),
                "value": .number(rounded(candidate.value)), "lever": .number(rounded(candidate.lever)),
                "probability": .number(rounded(candidate.probability)), "position": .number(Double(position + 1)),
                "reasons": .array(reasons.map { .string($0) }),
            ])
        }
        var response: [String: JSONValue] = [
            "decisionId": .string(decisionId), "placement": .string(placement), "actions": .array(actions),
            "noAction": result.chosen.isEmpty ? .string(result.noAction ?? "nothing to offer") : .bool(false),
            "strategy": .string(placement), "modelVersion": .string(modelVersion),
        ]
        if audit {
            response["audit"] = .array(result.rejections.map { rejection in
                var fields: [String: JSONValue] = [
                    "id": .string(rejection.offer), "stage": .string(rejection.stage.rawValue), "reason": .string(rejection.reason),
                ]
                if let priority = rejection.priority { fields["priority"] = .number(rounded(priority)) }
                return .object(fields)
            })
        }
        return response
    }

    static func rounded(_ value: Double) -> Double { (value * 1e6).rounded() / 1e6 }
}
