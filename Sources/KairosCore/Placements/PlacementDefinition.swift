/// Where recommendations are shown and how they are chosen: candidate sources blended with
/// weights, filters and business rules in the expression language, diversity, and a fallback.
///
/// ```yaml
/// - id: product_page
///   sources: [{ source: similar, weight: 1 }, { source: personal, weight: 0.5 }, { source: content, weight: 0.3 }]
///   filter: item.available && item.price < 200
///   rules: [{ if: '"sale" in item.tags', boost: 1.5 }]
///   diversity: { maxPerCategory: 3 }
///   fallback: [trending, popular]
/// ```
public struct PlacementDefinition: Sendable, Equatable {
    /// A candidate generator.
    public enum Source: String, Sendable, CaseIterable {
        /// Co-visitation neighbours of the person's recent items ("because you viewed X").
        case personal
        /// Session neighbours of the current session's items.
        case session
        /// Co-visitation neighbours of `context.item_id`, or of the cart (`context.cart`).
        case similar
        /// Content neighbours (category, tags, brand, title) of the context item or recent items.
        case content
        /// Trending items, in `context.category` when given.
        case trending
        /// Popular items overall.
        case popular
        /// The person's recently viewed items.
        case recent
    }

    /// One source of a strategy with its weight and candidate budget.
    public struct SourceWeight: Sendable, Equatable {
        public var source: Source
        public var weight: Double
        public var budget: Int

        public init(source: Source, weight: Double = 1, budget: Int = 100) {
            self.source = source
            self.weight = weight
            self.budget = budget
        }
    }

    /// A business rule: items matching `condition` are boosted (score × `boost`), buried (after
    /// every other item), or pinned (before every other item).
    public struct Rule: Sendable, Equatable {
        public enum Effect: Sendable, Equatable {
            case boost(Double)
            case bury
            case pin
        }

        public var condition: String
        public var effect: Effect
    }

    public var id: String
    public var sources: [SourceWeight]
    /// Items must match (an expression over `item`, `profile`, `features`, `segments`, `context`).
    public var filter: String?
    public var rules: [Rule]
    /// At most this many items per (most specific) category.
    public var maxPerCategory: Int?
    /// Maximal marginal relevance trade-off (1 = relevance only, 0 = diversity only).
    public var mmrLambda: Double?
    /// Sources tried in order when the strategy gives fewer items than asked.
    public var fallback: [Source]
    /// Exclude items the person bought.
    public var excludePurchased: Bool
    /// Exclude items shown this many times (`seen` interactions) without a positive interaction since.
    public var excludeSeenAfter: Int?
    /// Exclude items the person already interacted with positively (e.g. for discovery rows).
    public var excludeInteracted: Bool
    /// Default number of items.
    public var limit: Int
    /// Set for an action placement: it chooses among offers instead of ranking items.
    public var actions: ActionArbitration?
    public var description: String?

    public init(
        id: String, sources: [SourceWeight] = PlacementDefinition.defaultSources, filter: String? = nil,
        rules: [Rule] = [], maxPerCategory: Int? = nil, mmrLambda: Double? = nil,
        fallback: [Source] = [.trending, .popular], excludePurchased: Bool = true, excludeSeenAfter: Int? = 3,
        excludeInteracted: Bool = false, limit: Int = 10, description: String? = nil
    ) {
        self.id = id
        self.sources = sources
        self.filter = filter
        self.rules = rules
        self.maxPerCategory = maxPerCategory
        self.mmrLambda = mmrLambda
        self.fallback = fallback
        self.excludePurchased = excludePurchased
        self.excludeSeenAfter = excludeSeenAfter
        self.excludeInteracted = excludeInteracted
        self.limit = limit
        self.actions = nil
        self.description = description
    }

    /// The default strategy: personal, session and context neighbours, a little content and
    /// trending, then trending and popular as fallback.
    public static let defaultSources: [SourceWeight] = [
        SourceWeight(source: .personal, weight: 1), SourceWeight(source: .session, weight: 1),
        SourceWeight(source: .similar, weight: 1.2), SourceWeight(source: .content, weight: 0.3),
        SourceWeight(source: .trending, weight: 0.1),
    ]

    /// The placement used when a request names none that is defined: `default`. It leaves out
    /// what the person already showed interest in (discovery); define `default` to change that.
    public static let standard = PlacementDefinition(id: "default", excludeInteracted: true)
}
