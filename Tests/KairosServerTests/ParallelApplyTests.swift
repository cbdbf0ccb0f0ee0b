import Foundation
@testable import KairosCore
@testable import KairosEngine
import KairosStore
import Logging
import Testing

/// Large groups are applied on two threads, split by profile: the profiles, the segment records,
/// the trigger waits and the recommendation models are the same as when one thread applies the
/// group in log order.
@Suite struct ParallelApplyTests {
    /// A pipeline on `directory` with a view counter, two segments and a trigger, that applies
    /// groups of `minimumParallelGroup` events or more in two lanes; `batches` are all queued
    /// before the writer starts, so that each is one group.
    func run(_ directory: String, minimumParallelGroup: Int, batches: [[Event]], maxBatchEvents: Int = 120) async throws -> IngestPipeline {
        let store = try SQLiteStore(directory: directory)
        var logger = Logger(label: "parallel-apply-test")
        logger.logLevel = .critical
        let profiles = ProfileBook()
        profiles.install(
            try FeatureSet.compile([
                .init(id: "views", aggregation: .count, filter: #"event.name == "Product Viewed""#),
                .init(id: "last_item", aggregation: .last, value: "event.properties.item"),
            ]))
        profiles.install(
            try SegmentSet.compile(
                [.init(id: "seen", condition: "features.views >= 1"), .init(id: "regular", condition: "features.views >= 3")],
                features: profiles.features), now: 0)
        let triggers = TriggerEngine()
        triggers.install(
            try TriggerSet.compile(
                [.init(id: "third", when: #"event.name == "Product Viewed""#, condition: "features.views == 3", wait: 60_000, channel: "app", message: [:])],
                channels: [.init(id: "app", kind: .inapp)], features: profiles.features))
        let pipeline = IngestPipeline(
            store: store, profiles: profiles, triggers: triggers,
            configuration: .init(maxBatchEvents: maxBatchEvents, minimumParallelGroup: minimumParallelGroup), logger: logger)
        // One after the other, so that both runs get the same log order; each batch is one
        // group when batches are of `maxBatchEvents`.
        try await pipeline.runQueued(batches.map { batch in { _ = try await $0.submit(batch) } }, logger: logger)
        return pipeline
    }

    /// A view (an interaction the recommendation models learn from) of one of 7 items.
    static func viewed(_ number: Int, user: String? = nil, anonymous: String? = nil) -> Event {
        var ids: [String] = []
        if let user { ids.append(#""userId":"\#(user)""#) }
        if let anonymous { ids.append(#""anonymousId":"\#(anonymous)""#) }
        var event = Event(
            messageId: "m-\(number)", type: .track, name: "Product Viewed", userId: user, anonymousId: anonymous,
            timestamp: 1_000 + Int64(number), receivedAt: 2_000,
            body: Array(
                #"{"type":"track","event":"Product Viewed",\#(ids.joined(separator: ",")),"properties":{"item":"i-\#(number % 7)","product_id":"p-\#(number % 7)"}}"#
                    .utf8))
        event.json = try? JSONParser.parse(event.body)
        return event
    }

    /// Everything the two runs must agree on: the log in order (events and segment records), the
    /// trigger waits, and each person's features and segments.
    static func outcome(_ directory: String, _ pipeline: IngestPipeline, people: [String]) async throws -> [String] {
        let store = try SQLiteStore(directory: directory)
        let log = Log()
        _ = try await store.replay(upTo: nil, withBodies: false, bodiesFor: []) { event in
            log.append("\(event.seq) \(event.messageId) \(event.name ?? "") \(event.userId ?? event.anonymousId ?? "")")
        }
        var lines = log.lines
        lines += try await store.dueWaits(now: .max, limit: 10_000).map { "\($0.id) \($0.causeSeq) \($0.dueAt)" }.sorted()
        // The recommendation models: item numbers, co-visitation neighbours, popularity, sessions.
        let recommender = pipeline.profiles.recommender
        let masses = recommender.popularity.state.withLock { $0.popular }
        for number in 0..<UInt32(recommender.index.count) {
            let neighbours = recommender.coVisitation.neighbours(of: number, limit: 10, now: 3_000)
                .map { "\(recommender.index.id(of: $0.item) ?? "?")=\($0.similarity)" }
            lines.append("item \(number) \(recommender.index.id(of: number) ?? "?") popularity=\(Int(number) < masses.count ? masses[Int(number)] : 0) \(neighbours)")
        }
        for person in people {
            let key = pipeline.profiles.resolve(ProfileKey.user(person)) ?? pipeline.profiles.resolve(ProfileKey.anonymous(person)) ?? person
            let next = recommender.sessions.recommend(for: [0, 1], owner: key, limit: 5).map { "\($0.item)=\($0.score)" }
            lines.append("\(person) session \(next)")
        }
        for person in people {
            guard let profile = pipeline.profiles.profile(id: person) else {
                lines.append("\(person) missing")
                continue
            }
            let features = pipeline.profiles.featureValues(of: profile, now: 3_000)
            lines.append("\(person) views=\(features["views"].map { "\($0)" } ?? "nil") last=\(features["last_item"].map { "\($0)" } ?? "nil")")
            lines.append("\(person) segments=\(ProfileBook.segmentNames(profile, pipeline.profiles.segments).sorted())")
        }
        return lines
    }

    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var storage: [String] = []
        func append(_ line: String) { lock.withLock { storage.append(line) } }
        var lines: [String] { lock.withLock { storage } }
    }

    /// 40 people (half known, half anonymous), five views each, one group of 40 per round. After
    /// the first round, ten of the anonymous visitors log in (a group that links people: applied
    /// on one thread); from then on their events name them by either id or both, and their
    /// profile is keyed by their user id, often in a shard of the other parity than their
    /// anonymous id's.
    static let people = (0..<40).map { $0 % 2 == 0 ? "user-\($0)" : "anon-\($0)" }
    static let linked = stride(from: 1, to: 20, by: 2).map { "anon-\($0)" }
    static func stream() -> [[Event]] {
        var batches: [[Event]] = []
        var number = 0
        func next() -> Int { number += 1; return number }
        for round in 0..<5 {
            if round == 1 {
                var logins = linked.map { viewed(next(), user: "linked-\($0)", anonymous: $0) }
                logins += people.prefix(30).map { $0.hasPrefix("user") ? viewed(next(), user: $0) : viewed(next(), anonymous: $0) }
                batches.append(logins)
            }
            batches.append(
                people.enumerated().map { index, person in
                    if person.hasPrefix("user") { return viewed(next(), user: person) }
                    guard round > 0, linked.contains(person) else { return viewed(next(), anonymous: person) }
                    switch (index + round) % 3 {
                    case 0: return viewed(next(), anonymous: person)
                    case 1: return viewed(next(), user: "linked-\(person)")
                    default: return viewed(next(), user: "linked-\(person)", anonymous: person)
                    }
                })
        }
        return batches
    }

    @Test func aGroupAppliedInTwoLanesEndsAsInOne() async throws {
        let one = temporaryDataDirectory()
        let two = temporaryDataDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: one)
            try? FileManager.default.removeItem(atPath: two)
        }
        let serial = try await run(one, minimumParallelGroup: .max, batches: Self.stream(), maxBatchEvents: 40)
        let parallel = try await run(two, minimumParallelGroup: 2, batches: Self.stream(), maxBatchEvents: 40)
        let expected = try await Self.outcome(one, serial, people: Self.people)
        let actual = try await Self.outcome(two, parallel, people: Self.people)
        #expect(actual == expected)
        // The stream did what it is meant to: records, waits and models for every person.
        #expect(expected.filter { $0.contains("Segment Entered") }.count >= 60)
        #expect(expected.filter { $0.hasPrefix("third:") }.count >= 30)
        #expect(expected.filter { $0.hasPrefix("item ") && !$0.contains("popularity=0.0") }.count == 7)
        #expect(expected.contains { $0.hasPrefix("user-0 views=6 last=\"i-") })  // five rounds and the login group's
        #expect(expected.contains { $0.hasPrefix("anon-1 views=7 ") })  // and the login itself
    }

    @Test func theLanesSplitByProfile() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pipeline = try await run(directory, minimumParallelGroup: 2, batches: Self.stream(), maxBatchEvents: 40)
        // The last round again, the visitors who logged in named by their anonymous id only.
        let group = Self.people.enumerated().map { index, person in
            person.hasPrefix("user") ? Self.viewed(900 + index, user: person) : Self.viewed(900 + index, anonymous: person)
        }
        let sequence = group.map { _ in Int64?(1) }
        let lanes = try #require(pipeline.lanes(of: group, sequence: sequence))
        #expect(Set(lanes) == [0, 1])
        var otherParity = 0
        for (offset, event) in group.enumerated() {
            let idKey = event.userId.map(ProfileKey.user) ?? ProfileKey.anonymous(event.anonymousId!)
            let key = try #require(pipeline.profiles.resolve(idKey))
            #expect(lanes[offset] == IngestPipeline.lane(of: key))
            if IngestPipeline.lane(of: idKey) != IngestPipeline.lane(of: key) { otherParity += 1 }
        }
        #expect(otherParity > 0)  // some events' profiles are in a lane their id would not pick
        // A group below the minimum, and a group with an event that links two people, are not split.
        #expect(pipeline.lanes(of: [group[0]], sequence: [1]) == nil)
        let linking = Self.viewed(999, user: "user-0", anonymous: "anon-3")
        #expect(pipeline.lanes(of: group + [linking], sequence: sequence + [1]) == nil)
        // An event that is not stored (a duplicate) is not looked at.
        #expect(pipeline.lanes(of: group + [linking], sequence: sequence + [nil]) != nil)
    }

    @Test func aMinimumBelowTwoStillLeavesSingleEventsOnOneThread() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pipeline = try await run(directory, minimumParallelGroup: 0, batches: [[Self.viewed(1, user: "u")]], maxBatchEvents: 40)
        #expect(pipeline.lanes(of: [Self.viewed(2, user: "u")], sequence: [2]) == nil)
        #expect(pipeline.lanes(of: [Self.viewed(2, user: "u"), Self.viewed(3, user: "v")], sequence: [2, 3]) != nil)
    }
}
