extension Ranker {
    static func isPersonal(_ source: PlacementDefinition.Source) -> Bool {
        source == .personal || source == .session || source == .recent
    }

    /// Items the request rules out: ids sent in the request, and by the placement's settings what
    /// the person bought, interacted with, or was shown too often without interest.
    func excludedItems(_ request: Ranker.Request, _ definition: PlacementDefinition) -> ItemTable<Void> {
        // The ids sent, and the item(s) the page is about.
        var excluded = ItemTable<Void>(capacity: 16 + request.excludeItems.count)
        for item in request.excludeItems { excluded.insert(item) }
        for id in request.exclude.union(contextItems(request)) {
            if let number = recommender.index.number(of: id) { excluded.insert(number) }
        }
        // Per item touched: views without interest since the last interest, and whether the
        // latest of removal/dismissal and interest was a removal or dismissal.
        var touched = ItemTable<(seenSinceInterest: Int, rejected: Bool)>(capacity: request.history.count)
        for touch in request.history {
            touched.update(touch.item, initial: (0, false)) { state in
                switch touch.kind {
                case .positive: state = (0, false)  // interest again after a removal or dismissal
                case .seen: state.seenSinceInterest += 1
                case .negative: state.rejected = true  // removed, dismissed
                }
            }
            if touch.kind == .positive, definition.excludeInteracted || (definition.excludePurchased && touch.isConversion) {
                excluded.insert(touch.item)
            }
        }
        let seenLimit = definition.excludeSeenAfter ?? Int.max
        touched.values.withUnsafeBufferPointer { states in
            for (position, item) in touched.items.enumerated()
            where states[position].rejected || states[position].seenSinceInterest >= seenLimit {
                excluded.insert(item)
            }
        }
        return excluded
    }

    /// Scored candidates of one source, each with the item it came from (if any): best first,
    /// except neighbour sums (`personal`, `similar`, `content`), which come in no particular order.
    func candidatesFrom(
        _ source: PlacementDefinition.Source, _ request: Ranker.Request, positives: [ItemTouch], budget: Int
    ) -> [(item: UInt32, score: Double, anchor: UInt32?)] {
        let index = recommender.index
        switch source {
        case .personal:
            // Neighbours of the latest distinct items, the most recent weighing most.
            var anchors: [ItemTouch] = []
            for touch in positives.reversed() where !anchors.contains(where: { $0.item == touch.item }) {
                anchors.append(touch)
                if anchors.count == 8 { break }
            }
            return accumulate(anchors.enumerated().map { position, touch in
                (touch.item, Double(touch.weight) / (1 + 0.5 * Double(position)))
            }, budget: budget) { anchor, visit in
                recommender.coVisitation.forEachNeighbour(of: anchor, limit: CoVisitation.rankedLength, now: request.now, visit)
            }
        case .session:
            guard let last = positives.last else { return [] }
            var items: [UInt32] = []
            var previous = last.time
            for touch in positives.reversed() {
                guard previous - touch.time <= SessionNeighbours.timeout else { break }
                previous = touch.time
                if !items.contains(touch.item) { items.insert(touch.item, at: 0) }
            }
            return recommender.sessions.recommend(for: items, owner: request.owner, limit: budget)
                .map { ($0.item, $0.score, items.last) }
        case .similar:
            let anchors = contextItems(request).compactMap { index.number(of: $0) }
            return accumulate(anchors.map { ($0, 1.0) }, budget: budget) { anchor, visit in
                recommender.coVisitation.forEachNeighbour(of: anchor, limit: CoVisitation.rankedLength, now: request.now, visit)
            }
        case .content:
            var anchors = contextItems(request).compactMap { index.number(of: $0) }
            if anchors.isEmpty && request.personalized {
                for touch in positives.reversed() where !anchors.contains(touch.item) {
                    anchors.append(touch.item)
                    if anchors.count == 3 { break }
                }
            }
            let content = recommender.content
            return accumulate(anchors.map { ($0, 1.0) }, budget: budget) { anchor, visit in
                for neighbour in content.similar(to: anchor, limit: 100) { visit(neighbour.item, neighbour.similarity) }
            }
        case .trending:
            let snapshot = recommender.popularity.current
            if case .string(let category)? = request.context["category"], let list = snapshot.trendingByCategory[category] {
                return list.prefix(budget).map { ($0, max(snapshot.trendingScore(of: $0), 1e-9), nil) }
            }
            return snapshot.trending.prefix(budget).map { ($0, max(snapshot.trendingScore(of: $0), 1e-9), nil) }
        case .popular:
            let snapshot = recommender.popularity.current
            return snapshot.popular.prefix(budget).map { ($0, max(snapshot.popularity(of: $0), 1e-9), nil) }
        case .recent:
            var result: [(item: UInt32, score: Double, anchor: UInt32?)] = []
            for (position, touch) in positives.reversed().enumerated() where !result.contains(where: { $0.item == touch.item }) {
                result.append((touch.item, 1 / Double(position + 1), nil))
                if result.count == budget { break }
            }
            return result
        }
    }

    /// `context.item_id` and the ids of `context.cart` (strings, or objects with `product_id`).
    func contextItems(_ request: Ranker.Request) -> [String] {
        var ids: [String] = []
        if case .string(let id)? = request.context["item_id"] { ids.append(id) }
        if case .array(let cart)? = request.context["cart"] {
            for entry in cart.prefix(20) {
                switch entry {
                case .string(let id): ids.append(id)
                case .object(let fields): if case .string(let id)? = fields["product_id"] ?? fields["item_id"] { ids.append(id) }
                default: break
                }
            }
        }
        return ids
    }

    /// Sums neighbour scores over weighted anchors; each item remembers its strongest anchor.
    private func accumulate(
        _ anchors: [(UInt32, Double)], budget: Int,
        neighbours: (UInt32, (UInt32, Double) -> Void) -> Void
    ) -> [(item: UInt32, score: Double, anchor: UInt32?)] {
        // Usually a few anchors (a list beats a set); a long cart gets a set.
        let anchorItems = anchors.map(\.0)
        let anchorSet: Set<UInt32>? = anchors.count > 8 ? Set(anchorItems) : nil
        func isAnchor(_ item: UInt32) -> Bool { anchorSet?.contains(item) ?? anchorItems.contains(item) }
        var scores = ItemTable<(score: Double, best: Double, anchor: UInt32)>(capacity: anchors.count * CoVisitation.rankedLength)
        for (anchor, weight) in anchors {
            neighbours(anchor) { item, similarity in
                guard !isAnchor(item) else { return }
                let contribution = weight * similarity
                scores.update(item, initial: (0, 0, anchor)) { entry in
                    entry.score += contribution
                    if contribution > entry.best { (entry.best, entry.anchor) = (contribution, anchor) }
                }
            }
        }
        var result: [(item: UInt32, score: Double, anchor: UInt32?)] = zip(scores.items, scores.values).map { ($0, $1.score, $1.anchor) }
        // Unordered: the ranker only adds them up (and reads the best score).
        TopK.keepBest(&result, k: budget, sorted: false) { ($0.item, $0.score) }
        return result
    }

    /// A sentence a person can read, naming the item or category behind the recommendation.
    func reason(_ source: PlacementDefinition.Source, anchor anchorName: String?, _ request: Ranker.Request) -> String {
        switch source {
        case .personal: return anchorName.map { "because you viewed \($0)" } ?? "based on your activity"
        case .session: return anchorName.map { "often viewed in the same visit as \($0)" } ?? "popular in visits like yours"
        case .similar: return anchorName.map { "bought and viewed together with \($0)" } ?? "related to this item"
        case .content: return anchorName.map { "similar to \($0)" } ?? "similar items"
        case .trending:
            if case .string(let category)? = request.context["category"] { return "trending in \(category)" }
            return "trending now"
        case .popular: return "popular"
        case .recent: return "you viewed this recently"
        }
    }
}
