#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The catalog of a simulated shop: departments and categories, brands, and products with readable
/// titles, prices, popularity (Zipf-like within each category), arrival times and a few
/// deterministic related products each.
///
/// Built once from a ``ShopSimulation/Configuration``; it holds one small record per product and
/// nothing per user.
public struct ShopCatalog: Sendable {
    /// One simulated product.
    public struct Product: Sendable, Equatable {
        /// Position in ``ShopCatalog/products``.
        public var index: Int
        /// The item id, `i-<index>`.
        public var id: String
        public var title: String
        /// Index into ``ShopCatalog/categories``.
        public var category: Int
        /// Index of the brand (see ``ShopCatalog/brandNames``).
        public var brand: Int
        public var price: Double
        public var colour: String
        public var tags: [String]
        /// When the item enters the catalog: before the period for initial items, inside it for
        /// items arriving later. No event refers to an item before this time.
        public var createdAt: Millis
        /// Popularity rank within its category (0 is the most viewed).
        public var rank: Int
        /// Position within its category ordered by price (0 is the cheapest).
        public var pricePosition: Int
    }

    /// One leaf category, e.g. Shoes > Running.
    public struct Category: Sendable, Equatable {
        /// Department and category name, e.g. `["Shoes", "Running"]`.
        public var path: [String]
        /// Index of the department (the first level).
        public var department: Int
        /// Members by popularity rank.
        public var byRank: [Int]
        /// Members by price.
        public var byPrice: [Int]
        /// Members arriving during the period, by arrival time.
        public var arrivals: [Int]
        /// Running totals of the Zipf weights of `byRank`.
        var rankCumulative: [Double]
        /// Another category of the same department whose products complement these.
        var complement: Int
        /// Index of the category within its department's vocabulary.
        var leaf: Int

        /// The path as events carry it, e.g. `Shoes/Running`.
        public var name: String { path.joined(separator: "/") }
    }

    /// Every product, by index.
    public let products: [Product]
    /// Every category in use.
    public let categories: [Category]
    /// Brand names, by brand index.
    public let brandNames: [String]
    /// The currency of all prices.
    public let currency: String
    /// Running totals of the categories' popularity weights.
    let categoryCumulative: [Double]

    /// Builds the catalog of `configuration` (deterministic in its seed).
    public init(configuration: ShopSimulation.Configuration) {
        let seed = configuration.seed
        let departmentCount = min(max(configuration.departments, 1), ShopVocabulary.departments.count)
        let perDepartment = min(max(configuration.categoriesPerDepartment, 1), ShopVocabulary.maxCategoriesPerDepartment)
        let itemCount = max(configuration.items, 1)
        currency = configuration.currency

        // Categories, interleaved across departments so that a small catalog still spans them all.
        let categoryCount = min(departmentCount * perDepartment, itemCount)
        var categories: [Category] = []
        for k in 0..<categoryCount {
            let department = k % departmentCount
            let name = ShopVocabulary.departments[department].categories[k / departmentCount].name
            categories.append(
                Category(
                    path: [ShopVocabulary.departments[department].name, name], department: department, byRank: [],
                    byPrice: [], arrivals: [], rankCumulative: [], complement: k, leaf: k / departmentCount))
        }
        for k in 0..<categoryCount {
            let siblings = (0..<categoryCount).filter { $0 != k && categories[$0].department == categories[k].department }
            let others = siblings.isEmpty ? (0..<categoryCount).filter { $0 != k } : siblings
            if !others.isEmpty {
                categories[k].complement = others[Int(SeededGenerator.hash(seed, [11, UInt64(k)]) % UInt64(others.count))]
            }
        }
        var rng = SeededGenerator(seed: seed, 1)
        let categoryOrder = Self.permutation(categoryCount, &rng)
        var categoryCumulative: [Double] = []
        var total = 0.0
        for k in 0..<categoryCount {
            total += 1 / Double(categoryOrder[k] + 1).squareRoot()
            categoryCumulative.append(total)
        }

        // Brands: each sells in one department, a third of them in a second one too.
        let brandCount = max(configuration.brands, 1)
        brandNames = (0..<brandCount).map(ShopVocabulary.brandName)
        var brandsByDepartment = [[Int]](repeating: [], count: departmentCount)
        var brandLevel: [Double] = []
        for brand in 0..<brandCount {
            brandsByDepartment[brand % departmentCount].append(brand)
            if rng.chance(1.0 / 3), departmentCount > 1 {
                let second = (brand % departmentCount + 1 + rng.nextInt(below: departmentCount - 1)) % departmentCount
                brandsByDepartment[second].append(brand)
            }
            brandLevel.append(0.75 + 0.6 * rng.nextDouble())
        }
        for department in 0..<departmentCount where brandsByDepartment[department].isEmpty {
            brandsByDepartment[department] = [department % brandCount]
        }
        let brandCumulative = brandsByDepartment.map { Self.zipfCumulative(count: $0.count, exponent: 1) }

        // Products.
        let period = Millis(max(configuration.days, 1)) * 86_400_000
        var products: [Product] = []
        products.reserveCapacity(itemCount)
        for index in 0..<itemCount {
            let category = index < categoryCount ? index : rng.pick(cumulative: categoryCumulative)
            let department = categories[category].department
            let words = ShopVocabulary.departments[department]
            let leaf = words.categories[categories[category].leaf]
            let brands = brandsByDepartment[department]
            let brand = brands[rng.pick(cumulative: brandCumulative[department])]
            let low = leaf.prices.lowerBound
            let high = leaf.prices.upperBound
            let raw = low * pow(high / low, rng.nextDouble()) * brandLevel[brand]
            let price = Double(Int(min(max(raw, low), high).rounded(.up)) * 100 - 1) / 100
            let late = index >= categoryCount && rng.chance(1 - configuration.initialItemShare)
            let createdAt =
                late
                ? configuration.start + Millis(rng.nextInt(below: Int(period / 1000))) * 1000
                : configuration.start - Millis(1 + rng.nextInt(below: 730 * 86_400)) * 1000
            var tags = [words.tags[rng.nextInt(below: words.tags.count)]]
            if rng.chance(0.3) {
                let extra = words.tags[rng.nextInt(below: words.tags.count)]
                if extra != tags[0] { tags.append(extra) }
            }
            if rng.chance(0.1) { tags.append("sale") }
            if late { tags.append("new") }
            let title =
                "\(brandNames[brand]) \(words.adjectives[rng.nextInt(below: words.adjectives.count)]) "
                + leaf.nouns[rng.nextInt(below: leaf.nouns.count)]
            products.append(
                Product(
                    index: index, id: "i-\(index)", title: title, category: category, brand: brand, price: price,
                    colour: ShopVocabulary.colours[rng.nextInt(below: ShopVocabulary.colours.count)], tags: tags,
                    createdAt: createdAt, rank: 0, pricePosition: 0))
            categories[category].byRank.append(index)
        }

        // Popularity ranks (the category's first product, always present, is the most popular),
        // price order and arrivals.
        for k in 0..<categoryCount {
            var members = categories[k].byRank
            let rest = Array(members.dropFirst())
            let order = Self.permutation(rest.count, &rng)
            var shuffled = rest
            for (position, member) in rest.enumerated() { shuffled[order[position]] = member }
            members = [members[0]] + shuffled
            categories[k].byRank = members
            categories[k].rankCumulative = Self.zipfCumulative(count: members.count, exponent: 1)
            for (rank, member) in members.enumerated() { products[member].rank = rank }
            categories[k].byPrice = members.sorted { (products[$0].price, $0) < (products[$1].price, $1) }
            for (position, member) in categories[k].byPrice.enumerated() { products[member].pricePosition = position }
            categories[k].arrivals = members.filter { products[$0].createdAt >= configuration.start }
                .sorted { (products[$0].createdAt, $0) < (products[$1].createdAt, $1) }
        }
        self.products = products
        self.categories = categories
        self.categoryCumulative = categoryCumulative
    }

    /// The item as Kairos' catalog takes it (`PUT /v1/items/{id}`, `POST /v1/items`, an
    /// `items.ndjson` line).
    public func json(of index: Int) -> JSONValue {
        let product = products[index]
        return [
            "id": .string(product.id),
            "title": .string(product.title),
            "category": .array(categories[product.category].path.map { .string($0) }),
            "price": .number(product.price),
            "currency": .string(currency),
            "tags": .array(product.tags.map { .string($0) }),
            "attributes": ["brand": .string(brandNames[product.brand]), "colour": .string(product.colour)],
            "available": true,
            "createdAt": .string(Timestamp.format(product.createdAt)),
        ]
    }

    /// The products viewers of `index` often go to next: its neighbours by price in the same
    /// category, and one product of a complementary category at a similar relative price.
    public func related(to index: Int) -> [Int] {
        let product = products[index]
        let category = categories[product.category]
        var related: [Int] = []
        for offset in [1, -1, 2, -2] where related.count < 3 {
            let position = product.pricePosition + offset
            if position >= 0, position < category.byPrice.count { related.append(category.byPrice[position]) }
        }
        let complement = categories[category.complement]
        if category.complement != product.category, !complement.byPrice.isEmpty {
            let relative = Double(product.pricePosition) / Double(max(category.byPrice.count - 1, 1))
            related.append(complement.byPrice[Int(relative * Double(complement.byPrice.count - 1))])
        }
        return related
    }

    /// Where `index` lies among its category's prices, from 0 (cheapest) to 1 (dearest).
    public func relativePrice(of index: Int) -> Double {
        let product = products[index]
        return Double(product.pricePosition) / Double(max(categories[product.category].byPrice.count - 1, 1))
    }

    /// A category drawn by popularity.
    func randomCategory(_ rng: inout SeededGenerator) -> Int {
        rng.pick(cumulative: categoryCumulative)
    }

    /// A product of `category` drawn by popularity.
    func randomProduct(in category: Int, _ rng: inout SeededGenerator) -> Int {
        let members = categories[category]
        return members.byRank[rng.pick(cumulative: members.rankCumulative)]
    }

    /// A product of `category` that arrived in the week before `time`, if any.
    func newArrival(in category: Int, before time: Millis, _ rng: inout SeededGenerator) -> Int? {
        let arrivals = categories[category].arrivals
        let end = partition(arrivals) { products[$0].createdAt > time }
        let begin = partition(arrivals) { products[$0].createdAt > time - 7 * 86_400_000 }
        guard begin < end else { return nil }
        return arrivals[begin + rng.nextInt(below: end - begin)]
    }

    /// The first position in `members` whose product satisfies `after` (members are ordered so that
    /// `after` is false, then true).
    private func partition(_ members: [Int], _ after: (Int) -> Bool) -> Int {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            if after(members[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }

    private static func zipfCumulative(count: Int, exponent: Double) -> [Double] {
        var running = 0.0
        return (0..<count).map { rank in
            running += 1 / pow(Double(rank + 1), exponent)
            return running
        }
    }

    /// A random permutation of `0..<count` (Fisher–Yates).
    private static func permutation(_ count: Int, _ rng: inout SeededGenerator) -> [Int] {
        var values = Array(0..<count)
        if count > 1 {
            for position in stride(from: count - 1, to: 0, by: -1) {
                values.swapAt(position, rng.nextInt(below: position + 1))
            }
        }
        return values
    }
}
