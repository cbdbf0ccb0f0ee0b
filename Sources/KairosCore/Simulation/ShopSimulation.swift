/// A deterministic, streaming simulation of an online shop: a catalog and the Segment-format
/// tracking events its visitors send over a period (product views and clicks, wishlist and cart
/// actions, logins and orders), for demos, tests and benchmarks.
///
/// ```swift
/// let simulation = ShopSimulation(.init(users: 10_000, items: 5_000, days: 14, seed: 7))
/// let catalog = simulation.items()              // every item, each with its createdAt
/// for day in simulation.days() {                // one day at a time, in time order
///     for entry in day { send(entry.json) }     // events, and items as they arrive
/// }
/// ```
///
/// The same configuration (seed included) always gives the same items and events, byte for byte
/// when written with ``JSONWriter`` (sorted keys). Memory is bounded by the catalog and one day of
/// events in compact form (about 40 bytes an event): nothing is kept per person.
public struct ShopSimulation: Sendable {
    /// What is simulated.
    public let configuration: Configuration
    /// The shop's catalog.
    public let catalog: ShopCatalog

    /// A simulation of `configuration` (whose ``Configuration/problems`` should be empty; out of
    /// range values are clamped).
    public init(_ configuration: Configuration) {
        var configuration = configuration
        configuration.users = max(configuration.users, 1)
        configuration.items = max(configuration.items, 1)
        configuration.days = min(max(configuration.days, 1), 3650)
        self.configuration = configuration
        catalog = ShopCatalog(configuration: configuration)
    }

    /// Every item of the period as catalog JSON, in id order; each carries its `createdAt`.
    public func items() -> [JSONValue] {
        catalog.products.indices.map { catalog.json(of: $0) }
    }

    /// The items in the catalog at the start of the period (`createdAt` before it); the others
    /// arrive during the period, as ``Entry/Kind/item`` entries of ``days()``.
    public func initialItems() -> [JSONValue] {
        catalog.products.indices.filter { catalog.products[$0].createdAt < configuration.start }.map { catalog.json(of: $0) }
    }

    /// The visitor with index `index` and their taste.
    public func visitor(_ index: Int) -> ShopVisitor {
        ShopVisitor(index: index, configuration: configuration, catalog: catalog)
    }

    /// The period, one day at a time. Each day is generated when the iteration reaches it.
    public func days() -> Days {
        Days(simulation: self)
    }

    /// Calls `body` with each day in turn.
    public func forEachDay(_ body: (Day) throws -> Void) rethrows {
        for day in days() { try body(day) }
    }

    /// One thing in the stream: an event to send, or an item entering the catalog.
    public struct Entry: Sendable {
        /// What the entry is.
        public enum Kind: Sendable, Equatable {
            /// A tracking event (a `/v1/batch` entry, an `events.ndjson` line).
            case event
            /// An item arriving in the catalog (a `PUT /v1/items/{id}` body).
            case item
        }

        public var kind: Kind
        /// The event's timestamp, or the item's `createdAt`.
        public var time: Millis
        public var json: JSONValue
    }

    /// The iterator of days.
    public struct Days: Sequence, IteratorProtocol, Sendable {
        let simulation: ShopSimulation
        var upcoming = 0
        /// Events of visits that ran past midnight, for the next day.
        var carried: [ShopAction] = []

        /// The next day, or `nil` after the last.
        public mutating func next() -> Day? {
            guard upcoming < simulation.configuration.days else { return nil }
            defer { upcoming += 1 }
            var (actions, sessions) = simulation.generate(day: upcoming)
            actions.append(contentsOf: carried)
            actions.sort(by: ShopAction.precedes)
            carried = []
            let end = simulation.configuration.start + Millis(upcoming + 1) * 86_400_000
            if upcoming + 1 < simulation.configuration.days, let cut = actions.firstIndex(where: { $0.time >= end }) {
                carried = Array(actions[cut...])
                actions.removeSubrange(cut...)
            }
            return Day(
                simulation: simulation, index: upcoming, start: end - 86_400_000, sessions: sessions, actions: actions)
        }
    }

    /// One day of the stream: its events and item arrivals in time order, rendered on access.
    ///
    /// Visits that run past midnight end in the next day's entries (the last day keeps them), so
    /// concatenating the days gives one stream in time order.
    public struct Day: RandomAccessCollection, Sendable {
        let simulation: ShopSimulation
        /// The day's number, from 0.
        public let index: Int
        /// Midnight (UTC) at the start of the day.
        public let start: Millis
        /// Visits that started on the day.
        public let sessions: Int
        let actions: [ShopAction]

        public var startIndex: Int { 0 }
        public var endIndex: Int { actions.count }

        /// The entry at `position`, rendered as JSON.
        public subscript(position: Int) -> Entry {
            let action = actions[position]
            if action.kind == .arrival {
                return Entry(kind: .item, time: action.time, json: simulation.catalog.json(of: Int(action.item)))
            }
            return Entry(kind: .event, time: action.time, json: simulation.render(action))
        }

        /// The number of orders completed in the day's entries.
        public var orders: Int { actions.reduce(0) { $0 + ($1.kind == .order ? 1 : 0) } }
    }

    /// The actions of the visits starting on `day` (unsorted) and the number of visits.
    func generate(day: Int) -> (actions: [ShopAction], sessions: Int) {
        let dayStart = configuration.start + Millis(day) * 86_400_000
        var actions: [ShopAction] = []
        for product in catalog.products
        where product.createdAt >= dayStart && product.createdAt < dayStart + 86_400_000 {
            actions.append(ShopAction(time: product.createdAt, kind: .arrival, item: product.index))
        }
        // Weekends are busier (1970-01-01 was a Thursday).
        let weekday = Int((dayStart / 86_400_000 + 4) % 7 + 7) % 7
        let rate = configuration.sessionsPerUserPerDay * (weekday == 0 || weekday == 6 ? 1.2 : 0.92)
        var sessions = 0
        var starts: [Millis] = []
        for user in 0..<configuration.users {
            let (_, activity) = ShopVisitor.activity(index: user, configuration: configuration)
            var rng = SeededGenerator(seed: configuration.seed, 4, UInt64(user), UInt64(day))
            let count = min(rng.nextPoisson(mean: rate * activity), 200)
            guard count > 0 else { continue }
            let visitor = ShopVisitor(index: user, configuration: configuration, catalog: catalog)
            starts.removeAll(keepingCapacity: true)
            for _ in 0..<count { starts.append(dayStart + Self.timeOfDay(&rng)) }
            starts.sort()
            var free = dayStart
            for (number, drawn) in starts.enumerated() {
                let loggedOut = !visitor.anonymousOnly && rng.chance(configuration.loginShare)
                var session = ShopSession(
                    catalog: catalog, visitor: visitor, day: day, session: number, startsLoggedOut: loggedOut,
                    rng: SeededGenerator(seed: configuration.seed, 5, UInt64(user), UInt64(day), UInt64(number)))
                // A new visit starts at least 30 minutes after the previous one ended.
                free = session.run(start: max(drawn, free), into: &actions) + 30 * 60_000
            }
            sessions += count
        }
        return (actions, sessions)
    }

    /// Relative traffic by hour of day (UTC): quiet nights, a lunch peak and an evening peak.
    static let hourCumulative: [Double] = {
        let weights: [Double] = [
            1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 3.5, 4, 4.5, 5, 4.5, 4, 4, 4.5, 5, 6, 7, 7.5, 6.5, 4.5, 2.5,
        ]
        var running = 0.0
        return weights.map {
            running += $0
            return running
        }
    }()

    /// A time of day in milliseconds, following ``hourCumulative``.
    static func timeOfDay(_ rng: inout SeededGenerator) -> Millis {
        let hour = rng.pick(cumulative: hourCumulative)
        return Millis(hour) * 3_600_000 + Millis(rng.nextInt(below: 3_600_000))
    }
}
