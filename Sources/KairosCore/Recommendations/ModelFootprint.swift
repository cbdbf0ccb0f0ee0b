/// Estimated memory of the recommendation models, by model (reported in `/metrics` as
/// `kairos_model_bytes{model=...}`), with their sizes. Estimates count element storage and
/// hash-table load, not allocator slack.
public struct ModelFootprint: Sendable, Equatable {
    /// Bytes by model: `covisitation`, `sessions`, `popularity`, `content`, `catalog`, `item_index`.
    public var bytes: [String: Int] = [:]
    /// Items with co-visitation neighbours, and stored pairs.
    public var coVisitationItems = 0
    public var coVisitationPairs = 0
    /// Sessions held in the ring.
    public var sessions = 0
    public var items = 0

    public init() {}

    public var totalBytes: Int { bytes.values.reduce(0, +) }

    /// A hash table of `count` entries of `entry` bytes each (load factor 3/4, plus its header).
    static func table(_ count: Int, entry: Int) -> Int { count == 0 ? 0 : 48 + count * entry * 4 / 3 }
    /// An array of `count` elements of `stride` bytes (plus its header).
    static func array(_ count: Int, stride: Int) -> Int { 32 + count * stride }
    /// A string: inline up to 15 bytes, else a heap buffer.
    static func string(_ text: String) -> Int { text.utf8.count <= 15 ? 16 : 16 + 32 + text.utf8.count }
}

extension Recommender {
    /// The models' estimated memory (walks every structure under its lock: call it from
    /// `/metrics`, not per decision).
    public func footprint() -> ModelFootprint {
        var footprint = ModelFootprint()
        let coVisitation = coVisitation.footprint()
        footprint.bytes["covisitation"] = coVisitation.bytes
        footprint.coVisitationItems = coVisitation.items
        footprint.coVisitationPairs = coVisitation.pairs
        let sessions = sessions.footprint()
        footprint.bytes["sessions"] = sessions.bytes
        footprint.sessions = sessions.count
        footprint.bytes["popularity"] = popularity.footprint()
        footprint.bytes["content"] = content.footprint()
        footprint.bytes["catalog"] = catalog.footprint()
        footprint.bytes["item_index"] = index.footprint()
        footprint.items = index.count
        return footprint
    }
}
