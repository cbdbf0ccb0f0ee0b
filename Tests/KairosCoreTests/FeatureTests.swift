import Testing

@testable import KairosCore

@Suite struct FeatureTests {
    static let hour: Millis = 3_600_000
    static let definitions: [FeatureDefinition] = [
        .init(id: "views_1h", aggregation: .count, filter: #"event.name == "Product Viewed""#, window: hour),
        .init(id: "spend_24h", aggregation: .sum, filter: #"event.name == "Order Completed""#, value: "event.properties.price", window: 24 * hour),
        .init(id: "avg_price", aggregation: .avg, value: "event.properties.price"),
        .init(id: "min_price_1h", aggregation: .min, value: "event.properties.price", window: hour),
        .init(id: "max_price_7d", aggregation: .max, value: "event.properties.price", window: 168 * hour),
        .init(id: "last_category", aggregation: .last, value: "event.properties.category"),
        .init(id: "first_category", aggregation: .first, value: "event.properties.category"),
        .init(id: "products_24h", aggregation: .distinct, value: "event.properties.product_id", window: 24 * hour),
        .init(id: "since_view", aggregation: .since, filter: #"event.name == "Product Viewed""#),
        .init(id: "top_categories_7d", aggregation: .top, value: "event.properties.category", window: 168 * hour, topN: 3),
        .init(id: "expensive_views", aggregation: .count, filter: "event.properties.price > 50 && features.views_1h >= 0"),
    ]

    struct Sample {
        var time: Millis
        var name: String
        var price: Double
        var category: String
        var product: String
    }

    static func event(_ sample: Sample, seq: Int64, user: String? = "u1", anonymous: String? = nil) -> Event {
        let json: JSONValue = [
            "type": "track", "event": .string(sample.name),
            "properties": ["price": .number(sample.price), "category": .string(sample.category), "product_id": .string(sample.product)],
        ]
        var event = Event(
            seq: seq, messageId: "m\(seq)", type: .track, name: sample.name, userId: user, anonymousId: anonymous,
            timestamp: sample.time, receivedAt: sample.time)
        event.json = json
        return event
    }

    /// The brute-force value of each feature at `now`, straight from the events, with the same
    /// bucket granularity at the window's edge.
    static func expected(_ samples: [Sample], now: Millis, set: FeatureSet) -> [String: ExpressionValue] {
        func width(_ id: String) -> Millis { set.feature(id: id)!.bucketWidth }
        func inBucketWindow(_ sample: Sample, _ id: String, _ window: Millis) -> Bool {
            (sample.time / width(id) + 1) * width(id) > now - window
        }
        let views = samples.filter { $0.name == "Product Viewed" }
        var result: [String: ExpressionValue] = [:]
        result["views_1h"] = .number(Double(views.filter { inBucketWindow($0, "views_1h", hour) }.count))
        result["spend_24h"] = .number(
            samples.filter { $0.name == "Order Completed" && inBucketWindow($0, "spend_24h", 24 * hour) }.map(\.price).reduce(0, +))
        result["avg_price"] = .number(samples.map(\.price).reduce(0, +) / Double(samples.count))
        result["min_price_1h"] = samples.filter { inBucketWindow($0, "min_price_1h", hour) }.map(\.price).min().map { .number($0) } ?? .null
        result["max_price_7d"] = samples.filter { inBucketWindow($0, "max_price_7d", 168 * hour) }.map(\.price).max().map { .number($0) } ?? .null
        let byTime = samples.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
        result["last_category"] = .json(.string(byTime.last!.category))
        result["first_category"] = .json(.string(samples.enumerated().min { ($0.element.time, -$0.offset) < ($1.element.time, -$1.offset) }!.element.category))
        result["products_24h"] = .number(Double(Set(samples.filter { $0.time > now - 24 * hour }.map(\.product)).count))
        result["since_view"] = views.map(\.time).max().map { .duration(now - $0) } ?? .null
        var counts: [String: Int] = [:]
        for sample in samples where inBucketWindow(sample, "top_categories_7d", 168 * hour) { counts[sample.category, default: 0] += 1 }
        result["top_categories_7d"] = .list(
            counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(3).map { .string($0.key) })
        result["expensive_views"] = .number(Double(samples.filter { $0.price > 50 }.count))
        return result
    }

    static func randomSamples(count: Int, start: Millis, using generator: inout some RandomNumberGenerator) -> [Sample] {
        let names = ["Product Viewed", "Product Viewed", "Product Added", "Order Completed"]
        let categories = ["shoes", "socks", "jackets", "tents", "lamps"]
        var time = start
        var samples: [Sample] = []
        for _ in 0..<count {
            time += Millis(generator.next(upperBound: UInt64(3 * hour)))
            // Some events arrive late, up to two days behind.
            let late = generator.next(upperBound: UInt64(5)) == 0 ? Millis(generator.next(upperBound: UInt64(48 * hour))) : 0
            samples.append(
                Sample(
                    time: time - late, name: names[Int(generator.next(upperBound: UInt64(names.count)))],
                    price: Double(generator.next(upperBound: UInt64(200))),
                    category: categories[Int(generator.next(upperBound: UInt64(categories.count)))],
                    product: "p\(generator.next(upperBound: UInt64(30)))"))
        }
        return samples
    }

    @Test func featuresMatchABruteForceRecomputationOnRandomStreams() throws {
        let set = try FeatureSet.compile(Self.definitions)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<40 {
            let book = ProfileBook()
            book.install(set)
            let samples = Self.randomSamples(count: 150, start: 1_795_000_000_000, using: &generator)
            for (index, sample) in samples.enumerated() { book.apply(Self.event(sample, seq: Int64(index + 1))) }
            let latest = samples.map(\.time).max()!
            let profile = try #require(book.profile(id: "u1"))
            for now in [latest, latest + Self.hour / 2, latest + 30 * Self.hour] {
                let actual = profile.features.values(set, now: now)
                let expected = Self.expected(samples, now: now, set: set)
                for (id, value) in expected {
                    if case .number(let want) = value, case .number(let got)? = actual[id] {
                        #expect(abs(want - got) < 1e-6, "\(id) at now+\(now - latest)")
                    } else {
                        #expect(actual[id] == value, "\(id) at now+\(now - latest)")
                    }
                }
            }
        }
    }

    @Test func mergingTwoProfilesGivesTheFeaturesOfOne() throws {
        let set = try FeatureSet.compile(Self.definitions)
        var generator = SystemRandomNumberGenerator()
        let samples = Self.randomSamples(count: 120, start: 1_795_000_000_000, using: &generator)
        let split = ProfileBook()
        split.install(set)
        let single = ProfileBook()
        single.install(set)
        for (index, sample) in samples.enumerated() {
            let seq = Int64(index + 1)
            if index % 2 == 0 {
                split.apply(Self.event(sample, seq: seq, user: nil, anonymous: "a1"))
            } else {
                split.apply(Self.event(sample, seq: seq, user: "u1"))
            }
            single.apply(Self.event(sample, seq: seq))
        }
        split.apply(Event(seq: 999, messageId: "link", type: .identify, userId: "u1", anonymousId: "a1", timestamp: 0, receivedAt: 0))
        let now = samples.map(\.time).max()! + 1000
        let merged = try #require(split.profile(id: "a1")).features.values(set, now: now)
        let whole = try #require(single.profile(id: "u1")).features.values(set, now: now)
        for (id, value) in whole where id != "last_category" && id != "first_category" {
            if case .number(let want) = value, case .number(let got)? = merged[id] {
                #expect(abs(want - got) < 1e-6, "\(id)")
            } else {
                #expect(merged[id] == value, "\(id)")
            }
        }
    }

    @Test func loggingInKeepsOnlyTheCurrentSession() throws {
        let set = try FeatureSet.compile([
            .init(id: "session_views", aggregation: .sessionEvents, filter: #"event.name == "Product Viewed""#),
            .init(id: "views", aggregation: .count, filter: #"event.name == "Product Viewed""#),
        ])
        let start: Millis = 1_795_000_000_000
        let later = start + 2 * 86_400_000
        func view(_ time: Millis, _ seq: Int64, user: String?, anonymous: String?) -> Event {
            Self.event(Sample(time: time, name: "Product Viewed", price: 1, category: "c", product: "p\(seq)"), seq: seq, user: user, anonymous: anonymous)
        }
        // The stale session is the known customer's (three views two days ago), then the other way round.
        for staleIsKnown in [true, false] {
            let book = ProfileBook()
            book.install(set)
            var seq: Int64 = 0
            for _ in 0..<3 {
                seq += 1
                book.apply(view(start + seq * 1000, seq, user: staleIsKnown ? "u1" : nil, anonymous: staleIsKnown ? nil : "a1"))
            }
            for _ in 0..<2 {
                seq += 1
                book.apply(view(later + seq * 1000, seq, user: staleIsKnown ? nil : "u1", anonymous: staleIsKnown ? "a1" : nil))
            }
            seq += 1
            book.apply(Self.event(Sample(time: later + 60_000, name: "Signed In", price: 1, category: "c", product: "p"), seq: seq, user: "u1", anonymous: "a1"))
            let values = try #require(book.profile(id: "u1")).features.values(set, now: later + 120_000)
            #expect(values["session_views"] == .number(2), "stale session is the known one: \(staleIsKnown)")
            #expect(values["views"] == .number(5))  // lifetime features still add up
        }
    }

    @Test func sessionFeaturesFollowInactivity() throws {
        let set = try FeatureSet.compile([
            .init(id: "session_views", aggregation: .sessionEvents, filter: #"event.name == "Product Viewed""#),
            .init(id: "session_items", aggregation: .sessionItems, value: "event.properties.product_id"),
            .init(id: "session_length", aggregation: .sessionDuration),
        ])
        let book = ProfileBook()
        book.install(set)
        let start: Millis = 1_795_000_000_000
        let minute: Millis = 60_000
        for (offset, product) in [(0, "p1"), (5, "p2"), (10, "p1"), (60, "p3"), (62, "p4")] {
            book.apply(Self.event(Sample(time: start + Millis(offset) * minute, name: "Product Viewed", price: 1, category: "c", product: product), seq: Int64(offset + 1)))
        }
        let profile = try #require(book.profile(id: "u1"))
        let values = profile.features.values(set, now: start + 63 * minute)
        #expect(values["session_views"] == .number(2))  // a new session began at minute 60
        #expect(values["session_items"] == .number(2))
        #expect(values["session_length"] == .duration(2 * minute))
        #expect(profile.features.values(set, now: start + 200 * minute)["session_views"] == .number(0))
        // A late event that moves the session's start back keeps the session's count.
        book.apply(Self.event(Sample(time: start + 61 * minute, name: "Product Viewed", price: 1, category: "c", product: "p1"), seq: 100))
        book.apply(Self.event(Sample(time: start + 59 * minute, name: "Product Viewed", price: 1, category: "c", product: "p5"), seq: 101))
        let later = try #require(book.profile(id: "u1")).features.values(set, now: start + 63 * minute)
        #expect(later["session_views"] == .number(4))
    }

    @Test func aFullLifetimeTopNStillTakesNewValues() throws {
        let set = try FeatureSet.compile([.init(id: "top_all", aggregation: .top, value: "event.properties.category", topN: 1)])
        let book = ProfileBook()
        book.install(set)
        let start: Millis = 1_795_000_000_000
        var seq: Int64 = 0
        // More distinct values than are kept, once each; then a new one, many times.
        for index in 0..<(FeatureSet.tallyCap + 8) {
            seq += 1
            book.apply(Self.event(Sample(time: start + seq, name: "V", price: 1, category: "c\(index)", product: "p"), seq: seq))
        }
        for _ in 0..<5 {
            seq += 1
            book.apply(Self.event(Sample(time: start + seq, name: "V", price: 1, category: "newcomer", product: "p"), seq: seq))
        }
        let profile = try #require(book.profile(id: "u1"))
        #expect(profile.features.values(set, now: start + seq)["top_all"] == .list([.string("newcomer")]))
        #expect(Set(profile.features.tallies.map(\.value)).count <= FeatureSet.tallyCap)
    }

    @Test func stateStaysBoundedWhateverTheTraffic() throws {
        let set = try FeatureSet.compile(Self.definitions)
        let book = ProfileBook()
        book.install(set)
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = SeededGenerator(seed: seed)
        let samples = Self.randomSamples(count: 5000, start: 1_795_000_000_000, using: &generator)
        for (index, sample) in samples.enumerated() { book.apply(Self.event(sample, seq: Int64(index + 1))) }
        let state = try #require(book.profile(id: "u1")).features
        let perWindow = Int(FeatureSet.bucketsPerWindow + 1)
        // 4 windowed cell kinds (views, spend, min, max) + lifetime avg (sum + count) and expensive_views.
        #expect(state.cells.count <= 4 * perWindow + 3, "seed \(seed)")
        #expect(state.marks.count <= 30 + 3, "seed \(seed)")  // 30 product ids + last, first, since
        #expect(state.tallies.count <= 5 * perWindow, "seed \(seed)")
        // The counted footprint covers every array's capacity, and stays small.
        let footprint = book.stateFootprint()
        #expect(footprint.profiles == 1)
        let arrays = state.cells.capacity * MemoryLayout<FeatureState.Cell>.stride
            + state.marks.capacity * MemoryLayout<FeatureState.Mark>.stride
            + state.values.capacity * MemoryLayout<FeatureState.Held>.stride
            + state.tallies.capacity * MemoryLayout<FeatureState.Tally>.stride
        #expect(footprint.bytes >= MemoryLayout<FeatureState>.size + arrays, "seed \(seed)")
        #expect(footprint.bytes < 8 * 1024, "seed \(seed): \(footprint.bytes) bytes")
    }

    @Test func arraysGrowByAnEighthAndTrimGivesCapacityBack() {
        var array: [Int] = []
        for value in 0..<1000 {
            FeatureState.append(value, to: &array)
            #expect(array.capacity <= array.count + max(1, array.count / 8) + 2, "count \(array.count), capacity \(array.capacity)")
        }
        array.removeLast(900)
        FeatureState.trim(&array)
        #expect(array.capacity <= 100 + 4, "capacity \(array.capacity)")  // + malloc rounding
        array.removeAll()
        FeatureState.trim(&array)
        #expect(array.capacity == 0 && FeatureState.heapBytes(array) == 0)
        #expect(FeatureState.heapBytes("fifteen bytes!!") == 0)
        #expect(FeatureState.heapBytes(String(repeating: "x", count: 16)) == 48 + 16)
    }

    @Test func distinctValuesAreCappedPerFeature() throws {
        let set = try FeatureSet.compile([.init(id: "products_ever", aggregation: .distinct, value: "event.properties.product_id")])
        let book = ProfileBook()
        book.install(set)
        let start: Millis = 1_795_000_000_000
        for index in 0..<(3 * FeatureSet.distinctCap) {
            let sample = Sample(time: start + Millis(index) * 1000, name: "V", price: 1, category: "c", product: "p\(index)")
            book.apply(Self.event(sample, seq: Int64(index + 1)))
        }
        let features = try #require(book.profile(id: "u1")).features
        #expect(features.marks.count == FeatureSet.distinctCap)
        #expect(features.values(set, now: start + 3_600_000)["products_ever"] == .number(Double(FeatureSet.distinctCap)))
    }

    @Test func invalidDefinitionsAreRejectedWithTheirPosition() throws {
        #expect(throws: APIError.self) { try FeatureDefinition.parse(["id": "x", "type": "median"]) }
        #expect(throws: APIError.self) { try FeatureDefinition.parse(["id": "9lives", "type": "count"]) }
        #expect(throws: APIError.self) { try FeatureDefinition.parse(["id": "s", "type": "sum"]) }
        #expect(throws: APIError.self) { try FeatureDefinition.parse(["id": "w", "type": "count", "window": "5 minutes"]) }
        do {
            _ = try FeatureSet.compile([.init(id: "bad", aggregation: .count, filter: "event.name ==\n  == 3")])
            Issue.record("a syntax error compiled")
        } catch {
            #expect(error.code == "invalid_expression")
            #expect(error.line == 2)
            #expect(error.field == "filter")
        }
        do {
            _ = try FeatureSet.compile([.init(id: "a", aggregation: .count, filter: "features.nope > 1")])
            Issue.record("an unknown feature compiled")
        } catch {
            #expect(error.code == "invalid_expression")
        }
        do {
            _ = try FeatureSet.compile([
                .init(id: "a", aggregation: .count, filter: "features.b > 1"),
                .init(id: "b", aggregation: .count, filter: "features.a > 1"),
            ])
            Issue.record("a cycle compiled")
        } catch {
            #expect(error.code == "dependency_cycle")
        }
    }
}
