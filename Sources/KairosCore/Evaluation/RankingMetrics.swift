import Foundation

/// Hit rate, NDCG and MRR at K, and catalog coverage, accumulated over leave-last-out test
/// cases (one held-out item per person).
public struct RankingMetrics: Sendable, Equatable {
    public let k: Int
    /// Test cases scored.
    public private(set) var cases = 0
    /// Cases whose held-out item was in the top K.
    public private(set) var hits = 0
    private var ndcgSum = 0.0
    private var reciprocalRankSum = 0.0
    /// Distinct items recommended over all cases.
    public private(set) var recommended: Set<String> = []

    public init(k: Int) { self.k = k }

    /// Scores one case: the ranked list and the item the person went on to interact with.
    public mutating func add(ranked: [String], heldOut: String) {
        cases += 1
        let top = ranked.prefix(k)
        recommended.formUnion(top)
        guard let position = top.firstIndex(of: heldOut) else { return }
        let rank = position + 1
        hits += 1
        ndcgSum += 1 / log2(Double(rank) + 1)
        reciprocalRankSum += 1 / Double(rank)
    }

    /// HR@K: the share of cases with the held-out item in the top K.
    public var hitRate: Double { cases == 0 ? 0 : Double(hits) / Double(cases) }
    /// NDCG@K with one relevant item: 1 / log2(rank + 1), 0 beyond K, averaged.
    public var ndcg: Double { cases == 0 ? 0 : ndcgSum / Double(cases) }
    /// MRR@K: 1 / rank, 0 beyond K, averaged.
    public var mrr: Double { cases == 0 ? 0 : reciprocalRankSum / Double(cases) }
    /// The share of `catalogSize` items recommended at least once.
    public func coverage(catalogSize: Int) -> Double {
        catalogSize == 0 ? 0 : Double(recommended.count) / Double(catalogSize)
    }
}
