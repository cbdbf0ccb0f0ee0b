/// Leave-last-out evaluation of placement strategies on a person × item interaction log, through
/// the same model and ranking code as live decisions.
///
/// Each person's last positive interaction with an item new to them is held out (when they have at
/// least ``Configuration/minimumHistory`` positive interactions before it). Everything else is replayed in
/// time order through a fresh ``Recommender``. The strategies rank items for the person, leaving
/// out every item they interacted with, and the held-out item's rank is scored (HR, NDCG, MRR at
/// K, and catalog coverage). With the `timeline` protocol a person is asked at the moment of
/// their held-out interaction (the models know only the past, as in production); with `end`, after
/// the whole replay (the information a batch model trained on the same split has).
public struct OfflineEvaluation: Sendable {
    /// When the held-out interactions are predicted.
    public enum Timing: String, Sendable, CaseIterable {
        case timeline
        case end
    }

    /// What to evaluate and how.
    public struct Configuration: Sendable {
        /// Cut-off of the metrics.
        public var k: Int = 10
        public var timing: Timing = .timeline
        /// Positive interactions a person needs before the held-out one to be a test case.
        public var minimumHistory: Int = 1
        /// Model snapshots (ranked popularity, content index) are rebuilt every this many
        /// interactions, as the model refresher does every second live.
        public var refreshEvery: Int = 1000
        /// The popularity baseline (most interacted-with items so far).
        public var popularityBaseline = true
        /// The matrix-factorization baseline, when set.
        public var factorization: FactorizationBaseline?
        public var mapping: InteractionMapping = .standard

        public init() {}
    }

    /// The batch matrix-factorization baseline: fixed parameters, or the best of a grid chosen on a
    /// validation split (each person's second-to-last positive interaction), never on the test.
    public struct FactorizationBaseline: Sendable {
        public var grid: [ImplicitALS.Parameters]

        public init(grid: [ImplicitALS.Parameters]) { self.grid = grid }

        /// A small grid over regularisation and confidence at 64 factors.
        public static let tuned = FactorizationBaseline(
            grid: [0.01, 0.1, 1].flatMap { lambda in [1, 10, 40].map { ImplicitALS.Parameters(regularization: Float(lambda), alpha: Float($0)) } })
    }

    /// A named strategy: a placement as it is defined live.
    public struct Strategy: Sendable {
        public var name: String
        public var placement: PlacementSet.Compiled

        public init(name: String, placement: PlacementSet.Compiled) {
            self.name = name
            self.placement = placement
        }
    }

    /// Where an evaluation is.
    public struct Progress: Sendable {
        public var phase: String
        public var done: Int
        public var total: Int
    }

    public let configuration: Configuration
    public let strategies: [Strategy]

    public init(configuration: Configuration, strategies: [Strategy]) {
        self.configuration = configuration
        self.strategies = strategies
    }

    /// The held-out case of each person: the index (in `log`, in time order) of their last
    /// positive interaction with an item they had not interacted with before (a repeat could never
    /// be found, since what the person interacted with is left out of the ranking), if at least
    /// `minimumHistory` positive interactions precede it.
    static func heldOut(_ log: [Interaction], rules: [InteractionMapping.Rule], minimumHistory: Int, skipping: Set<Int> = []) -> [String: Int] {
        var last: [String: Int] = [:]
        var positives: [String: Int] = [:]
        var touched: [String: Set<String>] = [:]
        for (index, interaction) in log.enumerated() where !skipping.contains(index) {
            let isNew = touched[interaction.user, default: []].insert(interaction.item).inserted
            guard rules[index].kind == .positive && rules[index].weight > 0 else { continue }
            if isNew && positives[interaction.user, default: 0] >= minimumHistory { last[interaction.user] = index }
            positives[interaction.user, default: 0] += 1
        }
        return last
    }

    /// Runs the evaluation. `log` need not be sorted (it is, stably, by time); `items` is the
    /// catalog, if known (content similarity and filters read it).
    public func run(
        log unsorted: [Interaction], items: [Item] = [], progress: (Progress) -> Void = { _ in }
    ) -> EvaluationReport {
        let log = unsorted.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        let rules = log.map { $0.rule(in: configuration.mapping) }
        let tests = Self.heldOut(log, rules: rules, minimumHistory: configuration.minimumHistory)
        let testIndices = Set(tests.values)
        var report = EvaluationReport(
            k: configuration.k, timing: configuration.timing, interactions: log.count,
            users: Set(log.map(\.user)).count, items: Set(log.map(\.item)).union(items.map(\.id)).count,
            testCases: tests.count)

        var results = replay(log, rules: rules, items: items, testIndices: testIndices, progress: progress)
        if let factorization = configuration.factorization {
            results.append(contentsOf: evaluateFactorization(
                factorization, log: log, rules: rules, tests: tests, progress: progress))
        }
        report.results = results
        return report
    }
}
