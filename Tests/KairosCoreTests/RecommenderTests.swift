import Testing

@testable import KairosCore

@Suite struct RecommenderTests {
    static let day: Millis = 86_400_000

    static func event(_ name: String, user: String, items: [String], time: Millis, seq: Int64) -> Event {
        let products: [JSONValue] = items.map { .object(["product_id": .string($0)]) }
        var event = Event(seq: seq, messageId: "m\(seq)", type: .track, name: name, userId: user, timestamp: time, receivedAt: time)
        event.json = .object(["type": "track", "event": .string(name), "properties": .object(["products": .array(products)])])
        return event
    }

    @Test func neighbourAndPostingListsStayBoundedAndKeepTheStrongestAndNewest() {
        var neighbours: [UInt32: Double] = [:]
        for partner in UInt32(0)..<UInt32(CoVisitation.neighbourCap * 3 / 2) {
            CoVisitation.accumulate(Double(partner), to: partner, in: &neighbours)
        }
        #expect(neighbours.count == CoVisitation.neighbourCap * 3 / 2)  // not trimmed yet
        CoVisitation.accumulate(1, to: 7, in: &neighbours)  // an existing partner: no growth
        #expect(neighbours[7] == 8)
        CoVisitation.accumulate(0.5, to: 100_000, in: &neighbours)
        #expect(neighbours.count == CoVisitation.neighbourCap)
        #expect(neighbours[UInt32(CoVisitation.neighbourCap * 3 / 2 - 1)] != nil && neighbours[100_000] == nil)

        var postings: [(slot: Int32, generation: UInt32)] = []
        for session in 0..<(SessionNeighbours.sessionsPerItem * 3 / 2 + 1) {
            SessionNeighbours.post((Int32(session), UInt32(session)), to: &postings)
        }
        #expect(postings.count == SessionNeighbours.sessionsPerItem)
        #expect(postings.last?.slot == Int32(SessionNeighbours.sessionsPerItem * 3 / 2))
        #expect(postings.first?.slot == Int32(SessionNeighbours.sessionsPerItem / 2 + 1))
    }

    @Test func sessionNeighboursScoreOtherPeoplesLiveSessionsOnly() {
        let minute: Millis = 60_000
        let sessions = SessionNeighbours(capacity: 4)
        // "a" had a session with 1 and 2, long closed; "b" has 1, 3; "c" has 1, 3, 4.
        sessions.observe(owner: "a", item: 1, time: 0)
        sessions.observe(owner: "a", item: 2, time: minute)
        let later = SessionNeighbours.timeout + 10 * minute
        sessions.observe(owner: "b", item: 1, time: later)
        sessions.observe(owner: "b", item: 3, time: later)
        sessions.observe(owner: "c", item: 1, time: later)
        sessions.observe(owner: "c", item: 3, time: later)
        sessions.observe(owner: "c", item: 4, time: later)
        // "a"'s own sessions never count, the closed one included.
        let scores = Dictionary(uniqueKeysWithValues: sessions.recommend(for: [1], owner: "a", limit: 10).map { ($0.item, $0.score) })
        #expect(Set(scores.keys) == [3, 4])
        #expect(abs(scores[3]! - (1 / 2.0.squareRoot() + 1 / 3.0.squareRoot())) < 1e-12)
        #expect(abs(scores[4]! - 1 / 3.0.squareRoot()) < 1e-12)
        // Someone else sees "a"'s old session too.
        #expect(sessions.recommend(for: [1], owner: "d", limit: 10).map(\.item).contains(2))
        // Evicted sessions leave no trace: "d" and "e" take the slots of "a" and "b".
        sessions.observe(owner: "a", item: 5, time: later)  // "a"'s new session, in the fourth slot
        sessions.observe(owner: "d", item: 6, time: later)  // evicts "a"'s closed session (1, 2)
        sessions.observe(owner: "e", item: 6, time: later)  // evicts "b" (1, 3)
        // Their postings go with them: item 2 was only in "a"'s closed session, item 1 is left in "c"'s.
        #expect(sessions.postingCount(of: 2) == 0 && sessions.postingCount(of: 1) == 1 && sessions.postingCount(of: 6) == 2)
        let after = sessions.recommend(for: [1], owner: "x", limit: 10)
        #expect(after.map(\.item) == [3, 4])
        #expect(abs(after[0].score - 1 / 3.0.squareRoot()) < 1e-12)
    }

    @Test func aSessionEvictedWhileOpenIsCountedAndOneThatEndedIsNot() {
        let minute: Millis = 60_000
        let sessions = SessionNeighbours(capacity: 2)
        sessions.observe(owner: "a", item: 1, time: 0)
        sessions.observe(owner: "b", item: 2, time: minute)
        // "a" is still within the timeout when "c" needs its slot: cut while open.
        sessions.observe(owner: "c", item: 3, time: 2 * minute)
        #expect(sessions.cutOpen == 1)
        // "a" comes back: a new session, which takes "b"'s slot ("b" still open too).
        sessions.observe(owner: "a", item: 4, time: 3 * minute)
        #expect(sessions.cutOpen == 2)
        // "c" and "a" have ended by the time "d" and "e" arrive: nothing more is cut.
        sessions.observe(owner: "d", item: 5, time: 3 * minute + SessionNeighbours.timeout + 1)
        sessions.observe(owner: "e", item: 6, time: 4 * minute + SessionNeighbours.timeout + 1)
        #expect(sessions.cutOpen == 2)
        // An evicted session its person had already left for a newer one is not counted.
        let moved = SessionNeighbours(capacity: 2)
        moved.observe(owner: "a", item: 1, time: 0)
        moved.observe(owner: "a", item: 2, time: SessionNeighbours.timeout + minute)  // a new session for "a"
        moved.observe(owner: "b", item: 3, time: SessionNeighbours.timeout + 2 * minute)  // evicts "a"'s first, long closed
        #expect(moved.cutOpen == 0)
        // A late interaction (far older than the session it evicts) does not count it as cut.
        let late = SessionNeighbours(capacity: 1)
        late.observe(owner: "a", item: 1, time: 3 * SessionNeighbours.timeout)
        late.observe(owner: "b", item: 2, time: SessionNeighbours.timeout - minute)
        #expect(late.cutOpen == 0)
        late.observe(owner: "c", item: 3, time: SessionNeighbours.timeout)  // "b" is open at this time
        #expect(late.cutOpen == 1)
        // A ring as large as the people active keeps each session whole.
        let roomy = SessionNeighbours(capacity: 3)
        for step in 0..<9 { roomy.observe(owner: ["a", "b", "c"][step % 3], item: UInt32(step), time: Millis(step) * minute) }
        #expect(roomy.cutOpen == 0)
        #expect(roomy.recommend(for: [0], owner: "b", limit: 5).map(\.item) == [3, 6])
    }

    @Test func popularityAndTrendingStayFiniteFarFromAnyFixedDate() {
        let popularity = Popularity()
        let catalog = Catalog(index: ItemIndex())
        // Two years of interactions with a 1-day time constant: scales far beyond what a Double
        // holds from a fixed landmark; the landmark moves and the ratios stay right.
        let start = Timestamp.parse("2026-11-22T00:00:00Z")!
        for offset in 0..<(730) {
            popularity.observe(item: 0, weight: 1, time: start + Millis(offset) * Self.day)
        }
        popularity.observe(item: 1, weight: 3, time: start + 730 * Self.day)
        popularity.refresh(catalog: catalog)
        let snapshot = popularity.current
        #expect(snapshot.trending == [1, 0])  // item 1 is the hotter today
        #expect(snapshot.popular == [0, 1])  // item 0 has the larger mass over a week
        for item: UInt32 in [0, 1] {
            #expect(snapshot.trendingScore(of: item).isFinite && snapshot.trendingScore(of: item) > 0)
            #expect(snapshot.popularity(of: item).isFinite && snapshot.popularity(of: item) > 0)
        }
    }

    @Test func historicalDataKeepsItsSimilaritiesWhenAskedToday() {
        // In 1998: 10 people view a and a very popular b; 4 people view a and a rare c.
        let coVisitation = CoVisitation()
        let start = Timestamp.parse("1998-03-01T10:00:00Z")!
        var time = start
        func visit(_ items: [UInt32]) {
            var history: [ItemTouch] = []
            for item in items {
                coVisitation.observe(item: item, weight: 1, time: time, history: history)
                history.append(ItemTouch(item: item, time: time, kind: .positive, weight: 1))
                time += 60_000
            }
        }
        for _ in 0..<10 { visit([0, 1]) }
        for _ in 0..<4 { visit([0, 2]) }
        for other in 0..<200 { visit([1, UInt32(10 + other % 50)]) }
        let then = coVisitation.neighbours(of: 0, limit: 2, now: time).map(\.item)
        let today = coVisitation.neighbours(of: 0, limit: 2, now: Timestamp.now()).map(\.item)
        #expect(then == [2, 1])  // the cosine favours the rare item seen with a
        #expect(today == then)
    }

    @Test func aLongListViewDoesNotPushOutWhatThePersonDid() {
        let book = ProfileBook()
        let start = Timestamp.parse("2026-11-22T10:00:00Z")!
        book.apply(Self.event("Product Viewed", user: "u", items: ["a"], time: start, seq: 1))
        book.apply(Self.event("Order Completed", user: "u", items: ["b"], time: start + 1000, seq: 2))
        let shown = (0..<40).map { "list-\($0)" }
        book.apply(Self.event("Product List Viewed", user: "u", items: shown, time: start + 2000, seq: 3))
        let history = book.profile(id: "u")!.items
        #expect(history.count == ItemTouch.historyLimit)
        #expect(history.filter { $0.kind == .positive }.count == 2)
        #expect(history.contains { $0.isConversion })
    }
}

@Suite struct TopKTests {
    @Test func selectsTheBestInOrderLikeAFullSort() {
        var generator = SeededGenerator(seed: 42)
        for count in [0, 1, 5, 100, 1000] {
            let scores = (0..<count).map { (UInt32($0), Double(generator.next(upperBound: UInt64(50)))) }
            for k in [1, 3, 10, 2000] {
                let sorted = scores.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(k)
                let selected = TopK.select(scores, k: k)
                #expect(selected.map(\.item) == sorted.map(\.0), "count \(count), k \(k)")
            }
        }
    }
}

extension TopKTests {
    @Test func keepsTheBestLikeAFullSortWithAndWithoutOrder() {
        var generator = SeededGenerator(seed: 7)
        for count in [0, 1, 2, 3, 5, 17, 100, 1000] {
            for range in [1, 3, 50, 1_000_000] {  // many ties, some, hardly any
                let scores = (0..<count).map { (item: UInt32($0), score: Double(generator.next(upperBound: UInt64(range)))) }
                    .shuffled(using: &generator)
                let sorted = scores.sorted { TopK.better($0, than: $1) }
                for k in [0, 1, 2, 3, 10, count - 1, count, count + 5] where k >= 0 {
                    var kept = scores
                    TopK.keepBest(&kept, k: k, sorted: true) { $0 }
                    #expect(kept.map(\.item) == sorted.prefix(k).map(\.item), "count \(count), range \(range), k \(k)")
                    var unordered = scores
                    TopK.keepBest(&unordered, k: k, sorted: false) { $0 }
                    #expect(Set(unordered.map(\.item)) == Set(sorted.prefix(k).map(\.item)) && unordered.count == min(k, count))
                }
            }
        }
    }
}

@Suite struct ItemTableTests {
    @Test func behavesLikeADictionaryThroughGrowth() {
        var generator = SeededGenerator(seed: 11)
        var table = ItemTable<Double>(capacity: 4)
        var reference: [UInt32: Double] = [:]
        for _ in 0..<5000 {
            let item = UInt32(generator.nextInt(below: 1500)) &* 2_654_435_761  // spread over the key space
            let amount = generator.nextDouble()
            table.update(item, initial: 1) { $0 += amount }
            reference[item, default: 1] += amount
        }
        #expect(table.count == reference.count)
        for (item, value) in reference { #expect(table[item] == value) }
        #expect(table[7] == nil)  // 7 is no multiple of the spreading factor below 1,500 draws
        #expect(Set(table.items) == Set(reference.keys) && table.items.count == Set(table.items).count)
        #expect(table.values == table.items.map { reference[$0]! })  // values in insertion order, beside their items
        // As a set: the initial value is only made for an item not yet present.
        var set = ItemTable<Void>(capacity: 2)
        var made = 0
        for item: UInt32 in [5, 9, 5, 70_000, 9] {
            set.update(item, initial: { made += 1 }()) { _ in }
        }
        #expect(made == 3 && set.contains(5) && set.contains(70_000) && !set.contains(6) && set.count == 3)
    }
}

@Suite struct ContentIndexTests {
    /// A category shared by far more items than a search reads still lets items that share a
    /// rarer tag and a brand find each other first.
    @Test func rareSharedAttributesWinInALargeCatalog() {
        let index = ItemIndex()
        let catalog = Catalog(index: index)
        var items = (0..<3_000).map { Item(id: "common-\($0)", title: "Plain Shirt \($0)", category: ["Apparel", "Shirts"]) }
        for number in 0..<5 {
            items.append(
                Item(
                    id: "linen-\(number)", title: "Linen Shirt", category: ["Apparel", "Shirts"], tags: ["linen"],
                    attributes: ["brand": "Lundik"]))
        }
        catalog.put(items)
        let content = ContentIndex.build(from: catalog)
        let anchor = index.number(of: "linen-0")!
        let similar = content.similar(to: anchor, limit: 10)
        #expect(similar.count == 10)
        #expect(Set(similar.prefix(4).compactMap { index.id(of: $0.item) }) == ["linen-1", "linen-2", "linen-3", "linen-4"])
        #expect(similar.map(\.similarity) == similar.map(\.similarity).sorted(by: >))
        // Served from the memo the second time, the same.
        #expect(content.similar(to: anchor, limit: 10).map(\.item) == similar.map(\.item))
    }
}
