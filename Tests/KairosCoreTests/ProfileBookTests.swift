import Testing

@testable import KairosCore

@Suite struct ProfileBookTests {
    var clock: Millis = 1_700_000_000_000
    var seq: Int64 = 0

    mutating func event(
        _ type: EventType = .track, name: String? = "Viewed", user: String? = nil, anonymous: String? = nil,
        previous: String? = nil, traits: [String: JSONValue]? = nil, consent: [String: Bool]? = nil
    ) -> Event {
        seq += 1
        clock += 1000
        return Event(
            seq: seq, messageId: "m\(seq)", type: type, name: type == .track ? name : nil, userId: user,
            anonymousId: anonymous, previousId: previous, timestamp: clock, receivedAt: clock, traits: traits,
            consent: consent)
    }

    @Test mutating func anonymousActivityMergesIntoTheIdentifiedProfile() {
        let book = ProfileBook()
        book.apply(event(anonymous: "a1"))
        book.apply(event(anonymous: "a1"))
        #expect(book.profile(id: "a1")?.isAnonymous == true)
        book.apply(event(.identify, user: "u1", anonymous: "a1", traits: ["tier": "gold"]))
        let profile = book.profile(id: "u1")
        #expect(profile == book.profile(id: "a1"))
        #expect(profile?.eventCounts == ["Viewed": 2, "identify": 1])
        #expect(profile?.traits == ["tier": "gold"])
        #expect(profile?.anonymousIds == ["a1"])
        #expect(book.count == 1)
        // The same link again changes nothing.
        book.apply(event(.identify, user: "u1", anonymous: "a1"))
        #expect(book.count == 1)
        #expect(book.profile(id: "u1")?.eventCounts["identify"] == 2)
    }

    @Test mutating func aSettledTargetIsTheProfileAnEventAppliesToWhenItLinksNobody() {
        let book = ProfileBook()
        // Unknown ids: the new profile is keyed by the id.
        #expect(book.settledTarget(of: event(user: "u1")) == ProfileKey.user("u1"))
        #expect(book.settledTarget(of: event(anonymous: "a1")) == ProfileKey.anonymous("a1"))
        // Two ids that do not resolve to one profile yet, and an alias, would link people.
        #expect(book.settledTarget(of: event(user: "u1", anonymous: "a1")) == nil)
        #expect(book.settledTarget(of: event(.alias, user: "u1", previous: "old")) == nil)
        book.apply(event(anonymous: "a1"))
        book.apply(event(.identify, user: "u1", anonymous: "a1"))
        // Linked: every id, alone or together, leads to the merged profile, which is what applying finds.
        let target = book.resolve(ProfileKey.user("u1"))
        #expect(target != nil)
        for linked in [event(user: "u1"), event(anonymous: "a1"), event(user: "u1", anonymous: "a1")] {
            #expect(book.settledTarget(of: linked) == target)
        }
        #expect(book.settledTarget(of: event(user: "u1", anonymous: "a2")) == nil)
    }

    @Test mutating func aliasMergesTransitively() {
        let book = ProfileBook()
        book.apply(event(anonymous: "a1"))
        book.apply(event(anonymous: "a2"))
        book.apply(event(.alias, user: "u1", previous: "a1"))
        book.apply(event(.alias, user: "u2", previous: "a2"))
        book.apply(event(.alias, user: "u2", previous: "u1"))
        #expect(book.count == 1)
        let profile = book.profile(id: "a1")
        #expect(profile?.key == "u:u2")
        #expect(Set(profile?.userIds ?? []) == ["u1", "u2"])
        #expect(Set(profile?.anonymousIds ?? []) == ["a1", "a2"])
        #expect(profile?.eventTotal == 5)
    }

    @Test mutating func aSharedDeviceDoesNotMergeTwoKnownCustomers() {
        let book = ProfileBook()
        book.apply(event(user: "u1", anonymous: "device"))
        book.apply(event(user: "u2", anonymous: "device"))
        #expect(book.count == 2)
        #expect(book.profile(id: "u1")?.eventTotal == 1)
        #expect(book.profile(id: "u2")?.eventTotal == 1)
        #expect(book.profile(id: "device")?.key == "u:u1")
    }

    @Test mutating func consentFollowsTheLatestChangeAndSurvivesMerges() {
        let book = ProfileBook()
        book.apply(event(.consent, anonymous: "a1", consent: ["analytics": false]))
        #expect(!book.allows("analytics", userId: nil, anonymousId: "a1"))
        book.apply(event(.identify, user: "u1", anonymous: "a1"))
        #expect(!book.allows("analytics", userId: "u1", anonymousId: nil))
        book.apply(event(.consent, user: "u1", consent: ["analytics": true]))
        #expect(book.allows("analytics", userId: "u1", anonymousId: nil))
        #expect(book.allows("marketing", userId: "nobody", anonymousId: nil))
    }

    @Test mutating func eraseRemovesTheProfileAndAllItsIds() {
        let book = ProfileBook()
        book.apply(event(.identify, user: "u1", anonymous: "a1"))
        book.apply(event(user: "u2"))
        let removed = book.erase(key: "u:u1")
        #expect(removed?.anonymousIds == ["a1"])
        #expect(book.profile(id: "u1") == nil)
        #expect(book.profile(id: "a1") == nil)
        #expect(book.resolve("a:a1") == nil)
        #expect(book.count == 1)
    }

    @Test mutating func recentEventsAreBoundedAndOrderedByEventTime() {
        let book = ProfileBook(configuration: .init(recentEventLimit: 3))
        for _ in 0..<10 { book.apply(event(user: "u1")) }
        let recent = book.profile(id: "u1")?.recentEvents ?? []
        #expect(recent.count == 3)
        #expect(recent.map(\.seq) == [8, 9, 10])
    }

    /// Random streams over a small id space: the merged profiles are exactly the connected
    /// components of the identity links, every event is counted once, every id resolves to the
    /// profile listing it, and replaying the same log gives the same state.
    @Test mutating func randomStreamsMatchABruteForceModel() {
        var generator = SystemRandomNumberGenerator()
        func pick(_ count: Int) -> Int { Int(generator.next(upperBound: UInt64(count))) }
        for _ in 0..<50 {
            let book = ProfileBook()
            var log: [Event] = []
            var model = UnionFind()
            var touched: [String] = []
            for _ in 0..<300 {
                let user = "u\(pick(8))"
                // Anonymous ids are owned by one user each (no shared devices), or by nobody.
                let owned = pick(3) == 0 ? "free\(pick(6))" : "\(user)-device\(pick(2))"
                let e: Event
                switch pick(5) {
                case 0:
                    e = event(anonymous: owned)
                    touched.append("a:" + owned)
                case 1:
                    e = event(user: user)
                    touched.append("u:" + user)
                case 2 where !owned.hasPrefix("free"):
                    e = event(.identify, user: user, anonymous: owned)
                    model.union("u:" + user, "a:" + owned)
                    touched.append("u:" + user)
                case 3:
                    let other = "u\(pick(8))"
                    e = event(.alias, user: user, previous: other)
                    model.union("u:" + user, "u:" + other)
                    model.union("u:" + user, "a:" + other)  // an alias id never seen may be either kind
                    touched.append("u:" + user)
                default:
                    e = event(.page, anonymous: owned)
                    touched.append("a:" + owned)
                }
                book.apply(e)
                log.append(e)
            }
            // Partition matches the model.
            var expectedCounts: [String: Int] = [:]
            for key in touched { expectedCounts[model.find(key), default: 0] += 1 }
            var seenProfiles = 0
            book.forEach { profile in
                seenProfiles += 1
                let roots = Set(profile.idKeys.map { model.find($0) })
                #expect(roots.count == 1)
                #expect(profile.eventTotal == expectedCounts[roots.first!])
                for key in profile.idKeys { #expect(book.resolve(key) == profile.key) }
            }
            #expect(seenProfiles == expectedCounts.count)
            // Replay determinism.
            let replayed = ProfileBook()
            for event in log { replayed.apply(event) }
            var left: [String: Profile] = [:]
            var right: [String: Profile] = [:]
            book.forEach { left[$0.key] = $0 }
            replayed.forEach { right[$0.key] = $0 }
            #expect(left == right)
        }
    }
}

struct UnionFind {
    var parent: [String: String] = [:]

    mutating func find(_ key: String) -> String {
        guard let next = parent[key], next != key else { return key }
        let root = find(next)
        parent[key] = root
        return root
    }

    mutating func union(_ a: String, _ b: String) {
        let (rootA, rootB) = (find(a), find(b))
        if rootA != rootB { parent[rootA] = rootB }
    }
}
