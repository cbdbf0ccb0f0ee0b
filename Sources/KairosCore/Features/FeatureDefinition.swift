/// A real-time feature declared as data: an aggregation of the events that match a filter,
/// over a sliding window, kept per profile and updated on ingest.
///
/// ```yaml
/// - id: views_5m
///   type: count
///   filter: event.name == "Product Viewed"
///   window: 5m
/// ```
public struct FeatureDefinition: Sendable, Equatable {
    /// How matching events are aggregated.
    public enum Aggregation: String, Sendable, CaseIterable {
        /// Number of matching events.
        case count
        /// Sum, average, minimum or maximum of `value` over matching events.
        case sum, avg, min, max
        /// The `value` of the latest / earliest matching event.
        case last, first
        /// Number of distinct `value`s.
        case distinct
        /// Time since the latest matching event (a duration).
        case since
        /// The `topN` most frequent `value`s (a list, most frequent first).
        case top
        /// In the current session: matching events, distinct `value`s (items), and the session's duration.
        case sessionEvents, sessionItems, sessionDuration
    }

    /// The name expressions use: `features.<id>`. Letters, digits and `_`, starting with a letter.
    public var id: String
    public var aggregation: Aggregation
    /// Which events count (a condition); all events when absent.
    public var filter: String?
    /// What is aggregated (required for sum, avg, min, max, last, first, distinct, top, sessionItems).
    public var value: String?
    /// Sliding window in milliseconds; `nil` means the whole history.
    public var window: Millis?
    /// How many values `top` returns.
    public var topN: Int
    /// Inactivity that ends a session (session aggregations).
    public var sessionTimeout: Millis
    public var description: String?

    public init(
        id: String, aggregation: Aggregation, filter: String? = nil, value: String? = nil, window: Millis? = nil,
        topN: Int = 3, sessionTimeout: Millis = 30 * 60_000, description: String? = nil
    ) {
        self.id = id
        self.aggregation = aggregation
        self.filter = filter
        self.value = value
        self.window = window
        self.topN = topN
        self.sessionTimeout = sessionTimeout
        self.description = description
    }

    /// Whether the aggregation needs a `value` expression.
    public var needsValue: Bool {
        switch aggregation {
        case .sum, .avg, .min, .max, .last, .first, .distinct, .top, .sessionItems: true
        case .count, .since, .sessionEvents, .sessionDuration: false
        }
    }

    /// Whether the aggregation is about the current session.
    public var isSession: Bool {
        aggregation == .sessionEvents || aggregation == .sessionItems || aggregation == .sessionDuration
    }

    /// The type `features.<id>` has in expressions.
    public var resultType: ExpressionType {
        switch aggregation {
        case .count, .sum, .avg, .min, .max, .distinct, .sessionEvents, .sessionItems: .number
        case .since, .sessionDuration: .duration
        case .last, .first: .dyn
        case .top: .list
        }
    }
}
