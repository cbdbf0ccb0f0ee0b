import Testing

@testable import KairosCore

/// A simulation's whole output, read once.
struct SimulatedStream {
    let simulation: ShopSimulation
    /// Every entry of every day, in stream order.
    let entries: [ShopSimulation.Entry]
    let sessions: Int

    init(_ configuration: ShopSimulation.Configuration) {
        simulation = ShopSimulation(configuration)
        var entries: [ShopSimulation.Entry] = []
        var sessions = 0
        for day in simulation.days() {
            sessions += day.sessions
            entries.append(contentsOf: day)
        }
        self.entries = entries
        self.sessions = sessions
    }

    var events: [JSONValue] { entries.filter { $0.kind == .event }.map(\.json) }

    /// The whole output as bytes: items, then entries, one JSON line each.
    var bytes: [UInt8] {
        var output: [UInt8] = []
        for item in simulation.items() {
            JSONWriter.write(item, into: &output)
            output.append(0x0A)
        }
        for entry in entries {
            JSONWriter.write(entry.json, into: &output)
            output.append(0x0A)
        }
        return output
    }

    /// The session an event belongs to: its messageId without the step.
    static func session(of event: JSONValue) -> String {
        let id = event["messageId"]?.stringValue ?? ""
        return String(id[..<(id.lastIndex(of: "-") ?? id.endIndex)])
    }

    /// The person's index, from `u-N` or `a-N`.
    static func person(of event: JSONValue) -> Int {
        Int(((event["userId"] ?? event["anonymousId"])?.stringValue ?? "").dropFirst(2)) ?? -1
    }
}

@Suite struct ShopSimulationTests {
    static let configuration = ShopSimulation.Configuration(users: 600, items: 300, days: 3, seed: 42)
    static let stream = SimulatedStream(configuration)

    @Test func sameSeedSameBytesDifferentSeedDifferentBytes() {
        let again = SimulatedStream(Self.configuration)
        #expect(again.bytes == Self.stream.bytes)
        var other = Self.configuration
        other.seed = 43
        #expect(SimulatedStream(other).bytes != Self.stream.bytes)
        #expect(Self.stream.events.count > 1000)
    }

    @Test func entriesAreInTimeOrderAndCarryTheirTimestamp() {
        var previous = Millis.min
        for entry in Self.stream.entries {
            #expect(entry.time >= previous)
            previous = entry.time
            if entry.kind == .event {
                #expect(entry.json["timestamp"]?.stringValue == Timestamp.format(entry.time))
            } else {
                #expect(entry.json["createdAt"]?.stringValue == Timestamp.format(entry.time))
            }
        }
        let start = Self.configuration.start
        #expect(Self.stream.entries.first.map { $0.time >= start } == true)
    }

    @Test func everyEventParsesAndRefersToItemsAlreadyInTheCatalog() throws {
        let catalog = Self.stream.simulation.catalog
        let createdAt = Dictionary(uniqueKeysWithValues: catalog.products.map { ($0.id, $0.createdAt) })
        let parser = EventParser()
        let receivedAt = Self.configuration.start + 10 * 86_400_000
        var messageIds = Set<String>()
        for event in Self.stream.events {
            let parsed = try parser.parse(event, impliedType: nil, receivedAt: receivedAt, makeMessageId: { "none" })
            #expect(messageIds.insert(parsed.messageId).inserted, "duplicate messageId \(parsed.messageId)")
            #expect(parsed.messageId.hasPrefix("sim-42-"))
            let properties = event["properties"]
            var ids = properties?["product_id"]?.stringValue.map { [$0] } ?? []
            ids += (properties?["products"]?.arrayValue ?? []).compactMap { $0["product_id"]?.stringValue }
            #expect(parsed.type == .identify || !ids.isEmpty)
            for id in ids {
                let arrival = try #require(createdAt[id], "unknown item \(id)")
                #expect(arrival <= parsed.timestamp, "\(id) used before it arrived")
            }
        }
    }

    @Test func itemsAreValidCatalogItemsAndLateOnesArriveInTheStream() throws {
        let simulation = Self.stream.simulation
        let start = Self.configuration.start
        let items = simulation.items()
        #expect(items.count == Self.configuration.items)
        for json in items {
            let item = try Item.parse(json, now: start)
            #expect(item.category.count == 2)
            #expect(item.title?.split(separator: " ").count ?? 0 >= 3)
            #expect(item.price.map { $0 > 0 } == true)
            #expect(item.attributes["brand"]?.stringValue != nil)
        }
        let late = Set(simulation.catalog.products.filter { $0.createdAt >= start }.map(\.id))
        #expect(!late.isEmpty)
        #expect(simulation.initialItems().count + late.count == items.count)
        // Each late item appears once as an item entry, before any event mentioning it.
        var arrived = Set<String>()
        for entry in Self.stream.entries {
            if entry.kind == .item {
                let id = try #require(entry.json["id"]?.stringValue)
                #expect(late.contains(id))
                #expect(arrived.insert(id).inserted)
            } else if let id = entry.json["properties"]?["product_id"]?.stringValue, late.contains(id) {
                #expect(arrived.contains(id))
            }
        }
        #expect(arrived == late)
    }

    @Test func ordersHoldWhatTheSessionPutInTheCart() throws {
        var carts: [String: [String: Double]] = [:]
        var orders = 0
        for event in Self.stream.events {
            let session = SimulatedStream.session(of: event)
            let properties = event["properties"]
            let id = properties?["product_id"]?.stringValue ?? ""
            let quantity = properties?["quantity"]?.numberValue ?? 0
            switch event["event"]?.stringValue {
            case "Product Added": carts[session, default: [:]][id, default: 0] += quantity
            case "Product Removed": carts[session, default: [:]][id, default: 0] -= quantity
            case "Order Completed":
                orders += 1
                let products = try #require(properties?["products"]?.arrayValue)
                #expect(!products.isEmpty)
                var cents = 0.0
                var ordered: [String: Double] = [:]
                for line in products {
                    let product = try #require(line["product_id"]?.stringValue)
                    let count = try #require(line["quantity"]?.numberValue)
                    ordered[product] = count
                    cents += (try #require(line["price"]?.numberValue) * 100).rounded() * count
                }
                #expect(ordered == carts[session]?.filter { $0.value > 0 })
                #expect(properties?["revenue"]?.numberValue == cents / 100)
                #expect(properties?["currency"] == "EUR")
            default: break
            }
        }
        #expect(orders > 10)
    }

    @Test func loggedOutCustomersIdentifyAndAnonymousVisitorsNeverDo() {
        let simulation = Self.stream.simulation
        var identifies = 0
        var anonymousSessions = Set<String>()
        var identified = Set<String>()
        for event in Self.stream.events {
            let person = SimulatedStream.person(of: event)
            let visitor = simulation.visitor(person)
            let session = SimulatedStream.session(of: event)
            if event["type"] == "identify" {
                identifies += 1
                #expect(!visitor.anonymousOnly)
                #expect(event["userId"]?.stringValue == "u-\(person)")
                #expect(event["anonymousId"]?.stringValue == "a-\(person)")
                #expect(anonymousSessions.contains(session), "an identify ends a logged-out stretch")
                identified.insert(session)
            } else if visitor.anonymousOnly {
                #expect(event["userId"] == nil)
                #expect(event["anonymousId"]?.stringValue == "a-\(person)")
            } else if event["anonymousId"] != nil {
                #expect(!identified.contains(session), "no logged-out event after the login")
                anonymousSessions.insert(session)
            }
        }
        #expect(identifies > 10)
    }

    @Test func viewsFollowTasteRelatedItemsAndPopularity() {
        let simulation = Self.stream.simulation
        let catalog = simulation.catalog
        let index = Dictionary(uniqueKeysWithValues: catalog.products.map { ($0.id, $0.index) })
        var views: [Int: [Int]] = [:]
        var sessions: [String: [Int]] = [:]
        for event in Self.stream.events where event["event"] == "Product Viewed" {
            let item = index[event["properties"]?["product_id"]?.stringValue ?? ""]!
            views[SimulatedStream.person(of: event), default: []].append(item)
            sessions[SimulatedStream.session(of: event), default: []].append(item)
        }
        // Taste: people's views concentrate on their few preferred categories (of 32).
        var inPreferred = 0
        var total = 0
        var baseline = 0.0
        for (person, items) in views where items.count >= 5 {
            let preferred = simulation.visitor(person).categories
            inPreferred += items.filter { preferred.contains(catalog.products[$0].category) }.count
            total += items.count
            baseline += Double(items.count * preferred.count) / Double(catalog.categories.count)
        }
        #expect(total > 500)
        #expect(Double(inPreferred) / Double(total) > 0.6)
        #expect(baseline / Double(total) < 0.15)
        // Item-to-item structure: the next item is often one of the current item's related items.
        var pairs = 0
        var related = 0
        for items in sessions.values where items.count >= 2 {
            for (from, to) in zip(items, items.dropFirst()) where from != to {
                pairs += 1
                if catalog.related(to: from).contains(to) { related += 1 }
            }
        }
        #expect(Double(related) / Double(pairs) > 0.25)
        // Popularity: the top tenth of the items gets far more than a tenth of the views.
        var counts = [Int](repeating: 0, count: catalog.products.count)
        for items in views.values { for item in items { counts[item] += 1 } }
        let sorted = counts.sorted(by: >)
        let top = sorted.prefix(sorted.count / 10).reduce(0, +)
        #expect(Double(top) / Double(sorted.reduce(0, +)) > 0.25)
    }

    @Test func visitorsAreDerivedFromSeedAndIndexAlone() {
        let simulation = Self.stream.simulation
        #expect(simulation.visitor(17) == simulation.visitor(17))
        #expect(ShopSimulation(Self.configuration).visitor(17) == simulation.visitor(17))
        let visitors = (0..<400).map(simulation.visitor)
        let anonymous = Double(visitors.filter(\.anonymousOnly).count) / 400
        #expect(abs(anonymous - Self.configuration.anonymousShare) < 0.1)
        #expect(visitors.allSatisfy { (1...3).contains($0.categories.count) })
        #expect(Set(visitors.map(\.categories[0])).count > 10)
        // Activity is heavy-tailed: a few people are many times as active as the median.
        let activity = visitors.map(\.activity).sorted()
        #expect(activity[396] > 5 * activity[200])
    }

    @Test func aModestShopGeneratesQuicklyAndAtTheExpectedRate() {
        let configuration = ShopSimulation.Configuration(users: 2000, items: 1000, days: 3, seed: 5)
        let clock = ContinuousClock()
        var events = 0
        var sessions = 0
        let elapsed = clock.measure {
            for day in ShopSimulation(configuration).days() {
                sessions += day.sessions
                events += day.count
            }
        }
        // About 0.3 sessions per person and day, a handful of events each.
        let expected = 2000.0 * 3 * 0.3
        #expect(Double(sessions) > 0.7 * expected && Double(sessions) < 1.3 * expected)
        #expect(events > 3 * sessions && events < 15 * sessions)
        // A loose guard against accidental quadratic work, not a benchmark.
        #expect(elapsed < .seconds(10))
    }

    @Test func configurationProblemsAreNamed() {
        #expect(ShopSimulation.Configuration().problems.isEmpty)
        var configuration = ShopSimulation.Configuration()
        configuration.users = 0
        configuration.departments = 13
        configuration.anonymousShare = 1.5
        configuration.currency = "euro"
        let problems = configuration.problems
        #expect(problems.count == 4)
        #expect(problems.contains { $0.hasPrefix("departments") })
        #expect(problems.contains { $0.hasPrefix("anonymousShare") })
    }
}
