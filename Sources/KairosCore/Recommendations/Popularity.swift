import Synchronization

/// Time-decayed interaction mass per item, at two speeds: *popular* (τ = 7 days) and *trending*
/// (τ = 1 day). Ranked lists, overall and per category, are built off the hot path into a
/// ``PopularitySnapshot`` and swapped in whole.
public final class Popularity: Sendable {
    static let popularTau: Millis = 7 * 86_400_000
    static let trendingTau: Millis = 86_400_000

    struct State {
        var popular: [Double] = []
        var trending: [Double] = []
        /// Set at the first interaction; moved forward (with the stored masses rescaled) when
        /// event time has gone far past it.
        var popularDecay: ForwardDecay?
        var trendingDecay: ForwardDecay?
        /// Whether something was observed since the last refresh.
        var changed = false
    }

    let state = Mutex(State())
    private let snapshot = Mutex(PopularitySnapshot.empty)

    public init() {}

    /// Estimated bytes: the masses and the ranked lists in force.
    func footprint() -> Int {
        let masses = state.withLock { ModelFootprint.array($0.popular.count, stride: 8) * 2 }
        return masses + snapshot.withLock { $0.footprint() }
    }

    public func observe(item: UInt32, weight: Float, time: Millis) {
        state.withLock { state in
            if state.trendingDecay == nil || state.trendingDecay!.needsMove(at: time) {
                Self.move(&state, to: time)
            }
            let popular = state.popularDecay!.scale(time) * Double(weight)
            let trending = state.trendingDecay!.scale(time) * Double(weight)
            let index = Int(item)
            if index >= state.popular.count {
                state.popular.append(contentsOf: repeatElement(0, count: index + 1 - state.popular.count))
                state.trending.append(contentsOf: repeatElement(0, count: index + 1 - state.trending.count))
            }
            state.popular[index] += popular
            state.trending[index] += trending
            state.changed = true
        }
    }

    /// Sets (or moves forward) the landmark of both scales, rescaling what is stored.
    private static func move(_ state: inout State, to time: Millis) {
        guard var popularDecay = state.popularDecay, var trendingDecay = state.trendingDecay else {
            state.popularDecay = ForwardDecay(tau: popularTau, landmark: time)
            state.trendingDecay = ForwardDecay(tau: trendingTau, landmark: time)
            return
        }
        let popularFactor = popularDecay.moved(to: time)
        let trendingFactor = trendingDecay.moved(to: time)
        for index in state.popular.indices {
            state.popular[index] *= popularFactor
            state.trending[index] *= trendingFactor
        }
        state.popularDecay = popularDecay
        state.trendingDecay = trendingDecay
    }

    /// The lists in force.
    public var current: PopularitySnapshot { snapshot.withLock { $0 } }

    /// Rebuilds the ranked lists from the current masses and the catalog's categories (skipped when
    /// nothing was observed and the catalog did not change since the last time).
    public func refresh(catalog: Catalog, listLength: Int = 500, categoryListLength: Int = 100) {
        let version = catalog.version
        let changed = state.withLock { state -> Bool in
            defer { state.changed = false }
            return state.changed
        }
        guard changed || snapshot.withLock({ $0.catalogVersion }) != version else { return }
        let (popular, trending) = state.withLock { ($0.popular, $0.trending) }
        let categories = catalog.categoryKeys()
        func ranked(_ scores: [Double]) -> [UInt32] {
            scores.indices.filter { scores[$0] > 0 }.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                .map { UInt32($0) }
        }
        /// Scores relative to the first item's, for the listed items only.
        func relative(_ order: ArraySlice<UInt32>, _ scores: [Double]) -> [UInt32: Double] {
            guard let top = order.first.map({ scores[Int($0)] }), top > 0 else { return [:] }
            return Dictionary(uniqueKeysWithValues: order.map { ($0, scores[Int($0)] / top) })
        }
        let popularOrder = ranked(popular)
        let trendingOrder = ranked(trending)
        var byCategory: [String: [UInt32]] = [:]
        for item in trendingOrder {
            guard Int(item) < categories.count else { continue }
            for key in categories[Int(item)] where byCategory[key, default: []].count < categoryListLength {
                byCategory[key, default: []].append(item)
            }
        }
        // Category lists may reach further down than the overall one: score all they hold.
        var trendingListed = Set(trendingOrder.prefix(listLength))
        for list in byCategory.values { trendingListed.formUnion(list) }
        let trendingTop = trendingOrder.first.map { trending[Int($0)] } ?? 0
        let next = PopularitySnapshot(
            popular: Array(popularOrder.prefix(listLength)), trending: Array(trendingOrder.prefix(listLength)),
            trendingByCategory: byCategory,
            popularScores: relative(popularOrder.prefix(listLength), popular),
            trendingScores: trendingTop > 0
                ? Dictionary(uniqueKeysWithValues: trendingListed.map { ($0, trending[Int($0)] / trendingTop) }) : [:],
            catalogVersion: version)
        snapshot.withLock { $0 = next }
    }
}

/// Ranked item lists at one moment, immutable.
public struct PopularitySnapshot: Sendable {
    public let popular: [UInt32]
    public let trending: [UInt32]
    /// Trending items per category key (each level of a category path: `Shoes`, `Shoes/Running`).
    public let trendingByCategory: [String: [UInt32]]
    /// Scores of the listed items relative to the top item's (0...1].
    let popularScores: [UInt32: Double]
    let trendingScores: [UInt32: Double]
    /// The catalog version the category lists were built with.
    let catalogVersion: Int

    func footprint() -> Int {
        var bytes = ModelFootprint.array(popular.count + trending.count, stride: 4)
        bytes += ModelFootprint.table(popularScores.count + trendingScores.count, entry: 12)
        bytes += ModelFootprint.table(trendingByCategory.count, entry: 24)
        for (category, list) in trendingByCategory { bytes += ModelFootprint.string(category) + ModelFootprint.array(list.count, stride: 4) }
        return bytes
    }

    public static let empty = PopularitySnapshot(
        popular: [], trending: [], trendingByCategory: [:], popularScores: [:], trendingScores: [:], catalogVersion: -1)

    /// Popularity of a listed item relative to the most popular (0...1); 0 for others.
    public func popularity(of item: UInt32) -> Double { popularScores[item] ?? 0 }

    /// Trending score of a listed item relative to the top trending item (0...1); 0 for others.
    public func trendingScore(of item: UInt32) -> Double { trendingScores[item] ?? 0 }
}
