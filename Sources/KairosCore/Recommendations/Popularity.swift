import Synchronization

/// Time-decayed interaction mass per item, at two speeds: *popular* (τ = 7 days) and *trending*
/// (τ = 1 day). Ranked lists, overall and per category, are built off the hot path into a
/// ``PopularitySnapshot`` and swapped in whole.
public final class Popularity: Sendable {
    public let popularDecay = ForwardDecay(tau: 7 * 86_400_000)
    public let trendingDecay = ForwardDecay(tau: 86_400_000)

    struct State {
        var popular: [Double] = []
        var trending: [Double] = []
        var latest: Millis = 0
    }

    private let state = Mutex(State())
    private let snapshot = Mutex(PopularitySnapshot.empty)

    public init() {}

    public func observe(item: UInt32, weight: Float, time: Millis) {
        let popular = popularDecay.scale(time) * Double(weight)
        let trending = trendingDecay.scale(time) * Double(weight)
        state.withLock { state in
            let index = Int(item)
            if index >= state.popular.count {
                state.popular.append(contentsOf: repeatElement(0, count: index + 1 - state.popular.count))
                state.trending.append(contentsOf: repeatElement(0, count: index + 1 - state.trending.count))
            }
            state.popular[index] += popular
            state.trending[index] += trending
            state.latest = max(state.latest, time)
        }
    }

    /// The lists in force.
    public var current: PopularitySnapshot { snapshot.withLock { $0 } }

    /// Latest interaction time seen (the models' notion of now when replaying).
    public var latest: Millis { state.withLock { $0.latest } }

    /// Rebuilds the ranked lists from the current masses and the catalog's categories.
    public func refresh(catalog: Catalog, listLength: Int = 500, categoryListLength: Int = 100) {
        let (popular, trending) = state.withLock { ($0.popular, $0.trending) }
        let categories = catalog.categoryKeys()
        func ranked(_ scores: [Double]) -> [UInt32] {
            scores.indices.filter { scores[$0] > 0 }.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                .map { UInt32($0) }
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
        let next = PopularitySnapshot(
            popular: Array(popularOrder.prefix(listLength)), trending: Array(trendingOrder.prefix(listLength)),
            trendingByCategory: byCategory, popularScores: popular, trendingScores: trending)
        snapshot.withLock { $0 = next }
    }
}

/// Ranked item lists at one moment, immutable.
public struct PopularitySnapshot: Sendable {
    public let popular: [UInt32]
    public let trending: [UInt32]
    /// Trending items per category key (each level of a category path: `Shoes`, `Shoes/Running`).
    public let trendingByCategory: [String: [UInt32]]
    let popularScores: [Double]
    let trendingScores: [Double]

    public static let empty = PopularitySnapshot(
        popular: [], trending: [], trendingByCategory: [:], popularScores: [], trendingScores: [])

    /// Popularity of an item relative to the most popular (0...1).
    public func popularity(of item: UInt32) -> Double {
        guard let top = popular.first, Int(item) < popularScores.count, popularScores[Int(top)] > 0 else { return 0 }
        return popularScores[Int(item)] / popularScores[Int(top)]
    }

    /// Trending score relative to the top trending item (0...1).
    public func trendingScore(of item: UInt32) -> Double {
        guard let top = trending.first, Int(item) < trendingScores.count, trendingScores[Int(top)] > 0 else { return 0 }
        return trendingScores[Int(item)] / trendingScores[Int(top)]
    }
}
