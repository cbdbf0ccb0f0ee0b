extension ShopSimulation {
    /// What to simulate. Every field has a default, so `Configuration()` is a small, valid shop.
    public struct Configuration: Sendable, Equatable {
        /// People who may visit during the period (known customers and anonymous-only visitors).
        public var users: Int
        /// Catalog items over the whole period (present at the start or arriving later).
        public var items: Int
        /// Length of the period in days.
        public var days: Int
        /// Start of the period, in milliseconds since the epoch (default 2026-11-01T00:00:00Z).
        public var start: Millis
        /// Average number of sessions a user has per day (each user's own rate is this times their
        /// heavy-tailed activity level, which averages 1).
        public var sessionsPerUserPerDay: Double
        /// Seed of every random choice: the same configuration and seed give the same output.
        public var seed: UInt64
        /// Share of users who never log in and are only ever seen by `anonymousId` (0...1).
        public var anonymousShare: Double
        /// Share of known customers' sessions that start logged out (by `anonymousId`) and log in
        /// with an `identify` event carrying both ids (0...1).
        public var loginShare: Double
        /// Share of items in the catalog at the start; the rest arrive at times spread over the
        /// period (0...1; the most popular item of every category is always there from the start).
        public var initialItemShare: Double
        /// Number of departments (1...12), such as Shoes, Outdoor or Electronics.
        public var departments: Int
        /// Categories per department (1...5), such as Shoes > Running.
        public var categoriesPerDepartment: Int
        /// Number of brands (at least 1); each brand sells in one or two departments.
        public var brands: Int
        /// The ISO 4217 currency of prices and revenue.
        public var currency: String

        /// The default start, 2026-11-01T00:00:00Z.
        public static let defaultStart: Millis = Millis(Timestamp.daysFromCivil(year: 2026, month: 11, day: 1)) * 86_400_000

        /// The most departments the built-in vocabulary has.
        public static let maxDepartments = ShopVocabulary.departments.count
        /// The most categories per department the built-in vocabulary has.
        public static let maxCategoriesPerDepartment = ShopVocabulary.maxCategoriesPerDepartment

        /// A configuration; every argument is optional.
        public init(
            users: Int = 1000, items: Int = 500, days: Int = 7, start: Millis = Configuration.defaultStart,
            sessionsPerUserPerDay: Double = 0.3, seed: UInt64 = 1, anonymousShare: Double = 0.3,
            loginShare: Double = 0.3, initialItemShare: Double = 0.8, departments: Int = 8,
            categoriesPerDepartment: Int = 4, brands: Int = 40, currency: String = "EUR"
        ) {
            self.users = users
            self.items = items
            self.days = days
            self.start = start
            self.sessionsPerUserPerDay = sessionsPerUserPerDay
            self.seed = seed
            self.anonymousShare = anonymousShare
            self.loginShare = loginShare
            self.initialItemShare = initialItemShare
            self.departments = departments
            self.categoriesPerDepartment = categoriesPerDepartment
            self.brands = brands
            self.currency = currency
        }

        /// What is wrong with this configuration, one message per problem (empty when it is valid).
        public var problems: [String] {
            var problems: [String] = []
            if users < 1 { problems.append("users must be at least 1") }
            if users > 100_000_000 { problems.append("users must be at most 100,000,000") }
            if items < 1 { problems.append("items must be at least 1") }
            if items > 10_000_000 { problems.append("items must be at most 10,000,000") }
            if days < 1 || days > 3650 { problems.append("days must be between 1 and 3650") }
            if !(Timestamp.representable.contains(start)) { problems.append("start must lie between the years 0001 and 9999") }
            if !(sessionsPerUserPerDay >= 0 && sessionsPerUserPerDay <= 50) {
                problems.append("sessionsPerUserPerDay must be between 0 and 50")
            }
            for (name, share) in [
                ("anonymousShare", anonymousShare), ("loginShare", loginShare), ("initialItemShare", initialItemShare),
            ] where !(share >= 0 && share <= 1) {
                problems.append("\(name) must be between 0 and 1")
            }
            if departments < 1 || departments > Self.maxDepartments {
                problems.append("departments must be between 1 and \(Self.maxDepartments)")
            }
            if categoriesPerDepartment < 1 || categoriesPerDepartment > Self.maxCategoriesPerDepartment {
                problems.append("categoriesPerDepartment must be between 1 and \(Self.maxCategoriesPerDepartment)")
            }
            if brands < 1 { problems.append("brands must be at least 1") }
            if currency.utf8.count != 3 || !currency.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) {
                problems.append("currency must be three upper-case letters, such as EUR")
            }
            return problems
        }
    }
}
