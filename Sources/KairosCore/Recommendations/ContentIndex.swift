import Foundation
import Synchronization

/// Content-based similarity from item attributes: category path, tags, brand and title words,
/// weighted by TF-IDF and compared by cosine. Built off the hot path from the catalog and swapped
/// in whole; it also relates brand-new items that nobody has interacted with yet.
public final class ContentIndex: Sendable {
    /// Items a token's posting list keeps (very common tokens carry little weight anyway).
    static let postingCap = 2000
    /// Items of each posting list a neighbour search reads: the heaviest (lists are sorted by
    /// decreasing weight), so that a cold search over a large catalog stays well under a millisecond.
    static let scanCap = 500

    /// Unit-length TF-IDF vector per item number: (token number, weight).
    let vectors: [UInt32: [(token: Int32, weight: Float)]]
    /// Token number → items holding it, by decreasing weight.
    let postings: [[(item: UInt32, weight: Float)]]
    /// Catalog version the index was built from.
    public let version: Int
    /// Neighbour lists computed so far (each once per index: the index never changes).
    private let memo = Mutex<[UInt32: [(item: UInt32, similarity: Double)]]>([:])
    /// Neighbours kept per item in the memo.
    static let memoLength = 100

    /// Estimated bytes: vectors, postings and memoised neighbour lists.
    func footprint() -> Int {
        var bytes = ModelFootprint.table(vectors.count, entry: 12)
        for vector in vectors.values { bytes += ModelFootprint.array(vector.count, stride: 8) }
        bytes += ModelFootprint.array(postings.count, stride: 8)
        for list in postings { bytes += ModelFootprint.array(list.count, stride: 8) }
        bytes += memo.withLock { memo in
            memo.values.reduce(ModelFootprint.table(memo.count, entry: 12)) { $0 + ModelFootprint.array($1.count, stride: 16) }
        }
        return bytes
    }

    public static let empty = ContentIndex(vectors: [:], postings: [], version: -1)

    init(vectors: [UInt32: [(token: Int32, weight: Float)]], postings: [[(item: UInt32, weight: Float)]], version: Int) {
        self.vectors = vectors
        self.postings = postings
        self.version = version
    }

    /// Builds the index of the catalog's current items.
    public static func build(from catalog: Catalog) -> ContentIndex {
        let version = catalog.version
        let entries = catalog.allEntries()
        var tokenNumbers: [String: Int32] = [:]
        var documentFrequency: [Int] = []
        var termCounts: [(UInt32, [Int32: Float])] = []
        termCounts.reserveCapacity(entries.count)
        for (number, entry) in entries {
            var counts: [Int32: Float] = [:]
            for (token, weight) in tokens(of: entry.item) {
                let id: Int32
                if let known = tokenNumbers[token] {
                    id = known
                } else {
                    id = Int32(documentFrequency.count)
                    tokenNumbers[token] = id
                    documentFrequency.append(0)
                }
                if counts[id] == nil { documentFrequency[Int(id)] += 1 }
                counts[id, default: 0] += weight
            }
            termCounts.append((number, counts))
        }
        let total = Float(max(1, entries.count))
        var vectors: [UInt32: [(token: Int32, weight: Float)]] = [:]
        var postings: [[(item: UInt32, weight: Float)]] = Array(repeating: [], count: documentFrequency.count)
        for (number, counts) in termCounts {
            var vector = counts.map { token, tf in
                (token: token, weight: (1 + log(tf)) * log(1 + total / Float(documentFrequency[Int(token)])))
            }
            let norm = vector.reduce(0) { $0 + $1.weight * $1.weight }.squareRoot()
            guard norm > 0 else { continue }
            for index in vector.indices { vector[index].weight /= norm }
            vectors[number] = vector
            for entry in vector { postings[Int(entry.token)].append((number, entry.weight)) }
        }
        for token in postings.indices {
            postings[token].sort { $0.weight > $1.weight || ($0.weight == $1.weight && $0.item < $1.item) }
            if postings[token].count > postingCap { postings[token].removeLast(postings[token].count - postingCap) }
        }
        return ContentIndex(vectors: vectors, postings: postings, version: version)
    }

    /// Tokens of an item with their term weights: every level of the category path, tags, brand,
    /// and title words (lower-cased, 2+ letters).
    static func tokens(of item: Item) -> [(String, Float)] {
        var result: [(String, Float)] = []
        var path = ""
        for part in item.category {
            path = path.isEmpty ? part : path + "/" + part
            result.append(("c:" + path.lowercased(), 2))
        }
        for tag in item.tags { result.append(("t:" + tag.lowercased(), 1.5)) }
        if case .string(let brand)? = item.attributes["brand"] { result.append(("b:" + brand.lowercased(), 2)) }
        if let title = item.title {
            for word in title.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }) where word.count >= 2 {
                result.append(("w:" + word, 1))
            }
        }
        return result
    }

    /// Cosine similarity of two items' content (0 when either has none).
    public func cosine(_ a: UInt32, _ b: UInt32) -> Double {
        guard let left = vectors[a], let right = vectors[b] else { return 0 }
        var sum: Float = 0
        for entry in left {
            for other in right where other.token == entry.token { sum += entry.weight * other.weight }
        }
        return Double(sum)
    }

    /// Items most similar to `item` by content, best first (at most ``memoLength``). Computed once
    /// per item and index, then served from the memo.
    public func similar(to item: UInt32, limit: Int) -> [(item: UInt32, similarity: Double)] {
        if let known = memo.withLock({ $0[item] }) { return Array(known.prefix(limit)) }
        guard let vector = vectors[item] else { return [] }
        var scores = ItemTable<Float>(capacity: min(8192, vector.count * Self.scanCap))
        for entry in vector {
            for posting in postings[Int(entry.token)].prefix(Self.scanCap) where posting.item != item {
                scores.update(posting.item, initial: 0) { $0 += entry.weight * posting.weight }
            }
        }
        var best = zip(scores.items, scores.values).map { (item: $0.0, similarity: Double($0.1)) }
        TopK.keepBest(&best, k: Self.memoLength, sorted: true) { ($0.item, $0.similarity) }
        // Kept in the memo: copied to its own size (the selection leaves the capacity of every
        // item scored, thousands).
        var kept: [(item: UInt32, similarity: Double)] = []
        kept.reserveCapacity(best.count)
        kept.append(contentsOf: best)
        memo.withLock { $0[item] = kept }
        return Array(kept.prefix(limit))
    }
}
