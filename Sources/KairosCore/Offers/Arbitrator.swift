import Foundation

/// Chooses the next best actions for one person at one action placement: filters every offer by
/// validity, placement, channel, eligibility, applicability, suppression, consent and budget,
/// ranks the rest by priority (propensity × value × lever, or the placement's formula), applies
/// the "no action" threshold and draws the winners with the placement's exploration, recording
/// the probability of each draw. Pure: the model is read through `predict`.
public struct Arbitrator: Sendable {
    /// What a decision is asked about.
    public struct Request: Sendable {
        /// Profile, features, segments, and the request context as `context`.
        public var context: EvaluationContext
        /// The request's `context` object (also a source of model features).
        public var requestContext: [String: JSONValue]
        /// The person's touches with offers, oldest first.
        public var history: [ActionTouch]
        public var limit: Int
        /// Whether the person allows marketing (required on outbound placements).
        public var marketingAllowed: Bool
        /// Offers (by index) whose own or campaign budget is used up.
        public var exhausted: Set<Int>
        /// Offer ids the caller does not want (the request's `exclude`).
        public var exclude: Set<String> = []
        public var now: Millis { context.now }

        public init(
            context: EvaluationContext, requestContext: [String: JSONValue], history: [ActionTouch], limit: Int,
            marketingAllowed: Bool = true, exhausted: Set<Int> = []
        ) {
            self.context = context
            self.requestContext = requestContext
            self.history = history
            self.limit = limit
            self.marketingAllowed = marketingAllowed
            self.exhausted = exhausted
        }
    }

    /// The stage at which an offer dropped out.
    public enum Stage: String, Sendable {
        case excluded, validity, placement, channel, eligibility, applicability, suppression, budget, threshold, outranked
    }

    /// An offer that did not win. Its readable ``reason`` is written only when asked for (audit),
    /// not for every offer of every decision.
    public struct Rejection: Sendable, Equatable {
        public var offer: String
        public var detail: Detail
        /// Set once the offer was scored (threshold, outranked, budget).
        public var priority: Double?

        public init(offer: String, detail: Detail, priority: Double? = nil) {
            self.offer = offer
            self.detail = detail
            self.priority = priority
        }

        public var stage: Stage { detail.stage }

        /// The reason in words, with the offer's own priority when it was scored.
        public var reason: String {
            guard let priority else { return detail.reason }
            switch detail {
            case .belowThreshold: return "priority \(Arbitrator.format(priority)) is " + detail.reason
            case .outranked: return "priority \(Arbitrator.format(priority)) " + detail.reason
            default: return detail.reason
            }
        }
    }

    /// An offer that passed every filter, with its numbers.
    public struct Candidate: Sendable {
        public let offer: OfferSet.Compiled
        public var propensity: Double
        public var value: Double
        public var priority: Double
        /// In `chosen`: the probability with which its slot's draw chose it. In `candidates`: the
        /// probability of the policy choosing it for the first slot.
        public var probability: Double = 0
        /// Chosen by exploration rather than by priority.
        public var explored = false
        var logit: Double
        var variance: Double
        /// Share of the propensity that is the offer's configured prior.
        var priorWeight: Double
        public var lever: Double { offer.lever }
    }

    /// The model's view of an offer: log-odds, their variance, the propensity (prior blended in)
    /// and the prior's share in it.
    public typealias Prediction = (logit: Double, variance: Double, propensity: Double, priorWeight: Double)

    /// The outcome of an arbitration.
    public struct Result: Sendable {
        /// The winners, in order.
        public var chosen: [Candidate] = []
        /// Every offer that passed the filters, by priority (the winners among them).
        public var candidates: [Candidate] = []
        public var rejections: [Rejection] = []
        /// The decision's shared model features.
        public var shared: [FeatureHasher.Token] = []
        /// Why nothing was chosen, when nothing was.
        public var noAction: String?

        public init() {}
    }

    public let placement: PlacementSet.Compiled
    public let arbitration: ActionArbitration
    public let offers: OfferSet
    /// Whether the draw reads the variance of the model's log-odds (Thompson sampling does).
    public var needsVariance: Bool {
        if case .thompson = arbitration.exploration { return true }
        return false
    }

    public init?(placement: PlacementSet.Compiled, offers: OfferSet) {
        guard let arbitration = placement.definition.actions else { return nil }
        self.placement = placement
        self.arbitration = arbitration
        self.offers = offers
    }

    /// Filters and scores every offer; `predict` gives the model's view of each survivor from the
    /// decision's shared features (called once).
    public func arbitrate<Generator: RandomNumberGenerator>(
        _ request: Request, using generator: inout Generator,
        predict: (_ shared: [FeatureHasher.Token], _ survivors: [OfferSet.Compiled]) -> [Prediction]
    ) -> Result {
        var result = Result()
        if arbitration.outbound && !request.marketingAllowed {
            result.noAction = "no marketing consent"
            return result
        }
        var context = request.context
        // A person's touches with offers are usually few: each offer's are picked out of the
        // list; a long history is grouped once instead.
        let byOffer = request.history.count > 16 ? Dictionary(grouping: request.history, by: \.offer) : nil
        func history(of offer: OfferSet.Compiled) -> [ActionTouch] {
            if request.history.isEmpty { return [] }
            if let byOffer { return byOffer[offer.definition.id] ?? [] }
            return request.history.filter { $0.offer == offer.definition.id }
        }
        var survivors: [OfferSet.Compiled] = []
        var memo = ConditionMemo(count: offers.sharedConditions)
        for offer in offers.offers {
            if let detail = rejection(offer, request: request, history: history, context: &context, memo: &memo) {
                result.rejections.append(Rejection(offer: offer.definition.id, detail: detail))
            } else {
                survivors.append(offer)
            }
        }
        guard !survivors.isEmpty else {
            result.noAction = "no offer passed the rules"
            return result
        }
        result.shared = FeatureHasher.context(request.context, request: request.requestContext)
        let predictions = predict(result.shared, survivors)
        var scored: [Candidate] = []
        for (position, offer) in survivors.enumerated() {
            if offer.readsOffer { context.item = offer.json }
            let prediction = predictions[position]
            let value = offer.value(context)
            var candidate = Candidate(
                offer: offer, propensity: prediction.propensity, value: value, priority: 0,
                logit: prediction.logit, variance: prediction.variance, priorWeight: prediction.priorWeight)
            candidate.priority = priority(of: candidate, propensity: prediction.propensity, context: &context)
            if candidate.priority < arbitration.threshold {
                result.rejections.append(
                    Rejection(
                        offer: offer.definition.id, detail: .belowThreshold(arbitration.threshold), priority: candidate.priority))
            } else {
                scored.append(candidate)
            }
        }
        scored.sort { $0.priority > $1.priority || ($0.priority == $1.priority && $0.offer.index < $1.offer.index) }
        result.candidates = scored
        guard !scored.isEmpty else {
            result.noAction = "no offer's priority reaches the threshold \(Self.format(arbitration.threshold))"
            return result
        }
        let selection = select(scored, limit: request.limit, context: context, using: &generator)
        result.chosen = selection.chosen
        for (index, probability) in selection.firstSlot.enumerated() { result.candidates[index].probability = probability }
        if let best = result.chosen.first {
            let bestId = best.offer.definition.id
            // By position and offer number: a candidate copied out would be retained and released.
            for position in scored.indices {
                let index = scored[position].offer.index
                guard !result.chosen.contains(where: { $0.offer.index == index }) else { continue }
                result.rejections.append(
                    Rejection(
                        offer: scored[position].offer.definition.id, detail: .outranked(by: bestId, priority: best.priority),
                        priority: scored[position].priority))
            }
        }
        return result
    }

    /// The first rule `offer` fails, if any.
    private func rejection(
        _ offer: OfferSet.Compiled, request: Request, history: (OfferSet.Compiled) -> [ActionTouch],
        context: inout EvaluationContext,
        memo: inout ConditionMemo
    ) -> Rejection.Detail? {
        // The definition's fields are read in place: a copy of it would retain every one of its parts.
        let now = request.now
        if !request.exclude.isEmpty && request.exclude.contains(offer.definition.id) { return .excluded }
        if let from = offer.definition.validFrom, now < from { return .notYetValid(from) }
        if let to = offer.definition.validTo, now >= to { return .expired(to) }
        guard arbitration.issues.isEmpty || arbitration.admits(offer.definition) else {
            return .notCompeting(issue: offer.definition.issue, group: offer.definition.group)
        }
        guard offer.channelNames.contains(arbitration.channel) else { return .noPayload(channel: arbitration.channel) }
        if offer.readsOffer { context.item = offer.json }
        if let eligibility = offer.eligibility, !memo.matches(eligibility, slot: offer.eligibilitySlot, context) {
            return .notEligible(eligibility.source)
        }
        if let applicability = offer.applicability, !memo.matches(applicability, slot: offer.applicabilitySlot, context) {
            return .notApplicable(applicability.source)
        }
        // The person's touches with the offer, picked out only for an offer that got this far.
        if !offer.definition.suppression.isEmpty, let detail = suppressed(offer, history: history(offer), now: now, context: context) {
            return detail
        }
        if !request.exhausted.isEmpty && request.exhausted.contains(offer.index) { return .budgetUsedUp }
        return nil
    }

    private func suppressed(
        _ offer: OfferSet.Compiled, history: [ActionTouch], now: Millis, context: EvaluationContext
    ) -> Rejection.Detail? {
        var conditions = offer.suppressionConditions.makeIterator()
        for rule in offer.definition.suppression {
            switch rule {
            case .impressions(let count, let within):
                let lastPositive = history.last { $0.kind == .positive || $0.kind == .accepted }?.time ?? Int64.min
                let shown = history.lazy.filter { $0.kind == .impression && $0.time >= now - within && $0.time > lastPositive }.count
                if shown >= count { return .shown(shown, within: within) }
            case .dismissed(let within):
                if history.contains(where: { $0.kind == .dismissed && (within == nil || $0.time >= now - within!) }) {
                    return .dismissed(within: within)
                }
            case .accepted(let within):
                if history.contains(where: { $0.kind == .accepted && (within == nil || $0.time >= now - within!) }) {
                    return .accepted(within: within)
                }
            case .condition:
                if let condition = conditions.next(), condition.matches(context) { return .suppressedWhile(condition.source) }
            }
        }
        return nil
    }

    /// Priority by the placement's formula (the default one without evaluating an expression).
    func priority(of candidate: Candidate, propensity: Double, context: inout EvaluationContext) -> Double {
        guard let formula = placement.priority else { return propensity * candidate.value * candidate.lever }
        guard case .object(var fields) = candidate.offer.json else { return 0 }
        fields["propensity"] = .number(propensity)
        fields["value"] = .number(candidate.value)
        context.item = .object(fields)
        guard case .number(let number) = formula.evaluate(context), number.isFinite else { return 0 }
        return number
    }

    /// `number` rounded to `decimals` places, written as JSON writes numbers (reasons and audit).
    public static func format(_ number: Double, decimals: Int = 6) -> String {
        let scale = pow(10, Double(decimals))
        return ExpressionValue.format(number: (number * scale).rounded() / scale)
    }
}

/// Results of the rules shared by several offers, for one decision.
struct ConditionMemo {
    /// 0 not evaluated yet, 1 true, 2 false.
    private var results: [UInt8]

    init(count: Int) { results = Array(repeating: 0, count: count) }

    /// Whether `condition` holds, evaluated at most once per `slot`.
    mutating func matches(_ condition: Expression, slot: Int?, _ context: EvaluationContext) -> Bool {
        guard let slot else { return condition.matches(context) }
        if results[slot] == 0 { results[slot] = condition.matches(context) ? 1 : 2 }
        return results[slot] == 1
    }
}
