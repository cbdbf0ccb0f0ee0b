/// A population whose true acceptance probability of each offer depends on known traits, used to
/// check that the self-learning arbitration finds what each person wants: the learned policy is
/// compared, on the same people, with the oracle (which knows the true probabilities), with a
/// uniformly random choice and with a static priority (the offer best on average, for everyone).
///
/// Every decision goes through the real ``Arbitrator`` and ``PropensityModel``; the outcome is
/// drawn from the true probability and fed back at once.
public struct OfferScenario: Sendable {
    /// Size and settings of a run.
    public struct Configuration: Sendable {
        public var seed: UInt64 = 42
        public var offers = 20
        public var groups = 4
        /// Decisions with feedback.
        public var decisions = 50_000
        /// The learning curve gets a point every this many decisions.
        public var checkpointEvery = 2_500
        /// People the policies are compared on at each point (a fixed sample).
        public var evaluationPeople = 2_000
        public var exploration: ActionArbitration.Exploration = .epsilonGreedy(0.05)
        public var parameters = PropensityModel.Parameters()

        public init() {}
    }

    /// Expected acceptance rates on the evaluation sample after `decisions` decisions.
    public struct Point: Sendable, Equatable {
        public var decisions: Int
        /// The learned policy choosing greedily (no exploration).
        public var learned: Double
        /// Acceptances per decision actually observed in the last stretch (with exploration).
        public var online: Double
        public var oracle: Double
        public var random: Double
        public var staticPriority: Double
    }

    /// Traits of the population and their values.
    static let traits: [(name: String, values: [String])] = [
        ("tier", ["bronze", "silver", "gold"]), ("plan", ["prepaid", "postpaid"]), ("usage", ["low", "mid", "high"]),
        ("age", ["18-29", "30-49", "50+"]), ("device", ["android", "ios"]),
    ]

    public let configuration: Configuration
    /// Base log-odds per offer, and per offer the effect of each trait value.
    let base: [Double]
    let effects: [[[Double]]]
    public let offerSet: OfferSet
    let arbitrator: Arbitrator

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        var generator = SeededGenerator(seed: configuration.seed, 1)
        base = (0..<configuration.offers).map { _ in -3.4 + 1.4 * generator.nextDouble() }
        effects = (0..<configuration.offers).map { _ in
            Self.traits.map { trait in trait.values.map { _ in 0.9 * generator.nextGaussian() } }
        }
        let definitions = (0..<configuration.offers).map { index in
            OfferDefinition(
                id: "offer_\(index)", issue: "sales", group: "group_\(index % max(1, configuration.groups))",
                channels: ["inapp": .object(["title": .string("Offer \(index)")])])
        }
        offerSet = try! OfferSet.compile(definitions, features: .empty)
        var placement = PlacementDefinition(id: "simulation", limit: 1)
        placement.actions = ActionArbitration(channel: "inapp", exploration: configuration.exploration)
        let placements = try! PlacementSet.compile([placement], features: .empty)
        arbitrator = Arbitrator(placement: placements.placements["simulation"]!, offers: offerSet)!
    }

    /// A person: one value index per trait.
    func person(_ number: UInt64, stream: UInt64) -> [Int] {
        var generator = SeededGenerator(seed: configuration.seed, stream, number)
        return Self.traits.map { generator.nextInt(below: $0.values.count) }
    }

    /// The true acceptance probability of `offer` for `person`.
    public func truth(_ person: [Int], offer: Int) -> Double {
        var logit = base[offer]
        for (trait, value) in person.enumerated() { logit += effects[offer][trait][value] }
        return PropensityModel.sigmoid(logit)
    }

    func context(_ person: [Int]) -> EvaluationContext {
        var traits: [String: JSONValue] = [:]
        for (trait, value) in person.enumerated() { traits[Self.traits[trait].name] = .string(Self.traits[trait].values[value]) }
        return EvaluationContext(profile: .object(["traits": .object(traits)]), now: 1_800_000_000_000)
    }

    /// Runs the scenario; `progress` is told each point of the learning curve as it is made.
    public func run(progress: (Point) -> Void = { _ in }) -> (curve: [Point], updateNanoseconds: Double) {
        var model = PropensityModel(parameters: configuration.parameters)
        var generator = SeededGenerator(seed: configuration.seed, 2)
        let evaluation = (0..<UInt64(configuration.evaluationPeople)).map { person($0, stream: 3) }
        let oracle = evaluation.reduce(0.0) { sum, person in
            sum + (0..<configuration.offers).map { truth(person, offer: $0) }.max()!
        } / Double(evaluation.count)
        let random = evaluation.reduce(0.0) { sum, person in
            sum + (0..<configuration.offers).reduce(0.0) { $0 + truth(person, offer: $1) } / Double(configuration.offers)
        } / Double(evaluation.count)
        let averages = (0..<configuration.offers).map { offer in
            evaluation.reduce(0.0) { $0 + truth($1, offer: offer) } / Double(evaluation.count)
        }
        let staticPriority = averages.max()!
        var curve: [Point] = []
        var accepted = 0
        var stretch = 0
        var updateTime: Duration = .zero
        let clock = ContinuousClock()
        for decision in 1...configuration.decisions {
            let person = person(UInt64(decision), stream: 4)
            let request = Arbitrator.Request(context: context(person), requestContext: [:], history: [], limit: 1)
            let result = arbitrator.arbitrate(request, using: &generator) { model.predictions(shared: $0, offers: $1, variance: arbitrator.needsVariance) }
            if let chosen = result.chosen.first {
                let positive = generator.chance(truth(person, offer: chosen.offer.index))
                let vector = FeatureHasher.vector(shared: result.shared, action: chosen.offer.tokens, bits: model.parameters.bits)
                let started = clock.now
                model.update(vector, action: chosen.offer.definition.id, positive: positive)
                updateTime += clock.now - started
                if positive { accepted += 1 }
            }
            stretch += 1
            if decision % configuration.checkpointEvery == 0 || decision == configuration.decisions {
                let learned = evaluation.reduce(0.0) { sum, person in
                    sum + truth(person, offer: greedyChoice(person, model: model))
                } / Double(evaluation.count)
                let point = Point(
                    decisions: decision, learned: learned, online: Double(accepted) / Double(stretch), oracle: oracle,
                    random: random, staticPriority: staticPriority)
                curve.append(point)
                progress(point)
                accepted = 0
                stretch = 0
            }
        }
        let nanoseconds = Double(updateTime.components.seconds) * 1e9 + Double(updateTime.components.attoseconds) / 1e9
        return (curve, nanoseconds / Double(configuration.decisions))
    }

    /// The offer the model rates best for `person` (what a greedy policy shows).
    func greedyChoice(_ person: [Int], model: PropensityModel) -> Int {
        let shared = FeatureHasher.context(context(person), request: [:])
        let predictions = model.predictions(shared: shared, offers: offerSet.offers)
        var best = 0
        for index in predictions.indices where predictions[index].propensity > predictions[best].propensity { best = index }
        return best
    }
}
