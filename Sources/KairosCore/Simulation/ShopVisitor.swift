#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One simulated person and their latent taste.
///
/// Derived afresh from the seed and the person's index whenever it is needed, so a simulation
/// holds no state per person and scales to millions of them.
public struct ShopVisitor: Sendable, Equatable {
    /// The person's index, `0..<users`.
    public var index: Int
    /// Whether the person never logs in (seen only by `anonymousId`).
    public var anonymousOnly: Bool
    /// How active the person is: a heavy-tailed multiplier of the sessions rate, averaging 1.
    public var activity: Double
    /// Preferred categories (indices into ``ShopCatalog/categories``), most preferred first.
    public var categories: [Int]
    /// Running totals of the preferred categories' weights.
    public var categoryCumulative: [Double]
    /// How often a session goes to a category outside the preferred ones (0...1).
    public var exploration: Double
    /// The favourite brand (see ``ShopCatalog/brandNames``).
    public var brand: Int
    /// How strongly the favourite brand attracts (0...1).
    public var brandAffinity: Double
    /// How strongly high prices (within a category) put the person off (0...1).
    public var priceSensitivity: Double

    /// `u-<index>`, or `nil` for an anonymous-only visitor.
    public var userId: String? { anonymousOnly ? nil : "u-\(index)" }
    /// `a-<index>`: the visitor's device id, used while logged out.
    public var anonymousId: String { "a-\(index)" }

    /// The visitor `index` of a simulation with `configuration` and `catalog`.
    public init(index: Int, configuration: ShopSimulation.Configuration, catalog: ShopCatalog) {
        self.index = index
        (anonymousOnly, activity) = Self.activity(index: index, configuration: configuration)
        var rng = SeededGenerator(seed: configuration.seed, 2, UInt64(index))
        let count = min(catalog.categories.count, [1, 2, 2, 3, 3][rng.nextInt(below: 5)])
        var chosen: [Int] = []
        var attempts = 0
        while chosen.count < count && attempts < 50 {
            let category = catalog.randomCategory(&rng)
            if !chosen.contains(category) { chosen.append(category) }
            attempts += 1
        }
        categories = chosen
        var running = 0.0
        categoryCumulative = chosen.indices.map { position in
            running += position == 0 ? 1 : 0.3 + 0.5 * rng.nextDouble()
            return running
        }
        exploration = 0.08 + 0.17 * rng.nextDouble()
        brand = catalog.products[catalog.randomProduct(in: chosen[0], &rng)].brand
        brandAffinity = rng.nextDouble()
        priceSensitivity = pow(rng.nextDouble(), 1.5)
    }

    /// Whether visitor `index` is anonymous-only, and their activity level: the two things needed
    /// to decide whether they visit on a day (cheaper than deriving the whole taste).
    public static func activity(index: Int, configuration: ShopSimulation.Configuration) -> (anonymousOnly: Bool, activity: Double) {
        var rng = SeededGenerator(seed: configuration.seed, 3, UInt64(index))
        let anonymousOnly = rng.chance(configuration.anonymousShare)
        // Log-normal with σ = 1.1 and mean 1: most people come rarely, a few very often.
        let sigma = 1.1
        let activity = min(exp(sigma * rng.nextGaussian() - sigma * sigma / 2), 40)
        return (anonymousOnly, activity)
    }

    /// A category for the next stretch of browsing: a preferred one by weight, or sometimes any
    /// category by popularity.
    func pickCategory(catalog: ShopCatalog, _ rng: inout SeededGenerator) -> Int {
        if rng.chance(exploration) { return catalog.randomCategory(&rng) }
        return categories[rng.pick(cumulative: categoryCumulative)]
    }

    /// How much this person likes `product` beyond its popularity, in 0...1.
    func appeal(of product: Int, catalog: ShopCatalog) -> Double {
        let brandFactor = catalog.products[product].brand == brand ? 1 : 1 - 0.6 * brandAffinity
        return brandFactor * (1 - 0.7 * priceSensitivity * catalog.relativePrice(of: product))
    }
}
