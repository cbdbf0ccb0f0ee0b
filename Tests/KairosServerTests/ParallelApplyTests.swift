import Foundation
@testable import KairosCore
@testable import KairosEngine
import KairosStore
import Logging
import ServiceLifecycle
import Testing

/// Large groups are applied on two threads, split by the shard of each event's profile: the
/// profiles, the segment records and the trigger waits are the same as when one thread applies
/// the group in log order.
@Suite struct ParallelApplyTests {
    /// A pipeline on `directory` with a view counter, two segments and a trigger, that applies
    /// groups of `minimumParallelGroup` events or more in two lanes; `batches` are all queued
    /// before the writer starts, so that each is one group.
    func run(_ directory: String, minimumParallelGroup: Int, batches: [[Event]]) async throws -> IngestPipeline {
        let store = try SQLiteStore(directory: directory)
        var logger = Logger(label: "parallel-apply-test")
        logger.logLevel = .critical
        let profiles = ProfileBook()
        profiles.install(
            try FeatureSet.compile([
                .init(id: "views", aggregation: .count, filter: #"event.name == "Viewed""#),
                .init(id: "last_item", aggregation: .last, value: "event.properties.item"),
            ]))
        profiles.install(
            try SegmentSet.compile(
                [.init(id: "seen", condition: "features.views >= 1"), .init(id: "regular", condition: "features.views >= 3")],
                features: profiles.features), now: 0)
        let triggers = TriggerEngine()
        triggers.install(
            try TriggerSet.compile(
                [.init(id: "third", when: #"event.name == "Viewed""#, condition: "features.views == 3", wait: 60_000, channel: "app", message: [:])],
                channels: [.init(id: "app", kind: .inapp)], features: profiles.features))
        let pipeline = IngestPipeline(
            store: store, profiles: profiles, triggers: triggers,
            configuration: .init(minimumParallelGroup: minimumParallelGroup), logger: logger)
        let jobs = batches.map { batch in Task { _ = try await pipeline.submit(batch) } }
        let deadline = ContinuousClock.now + .seconds(10)
        while pipeline.state.withLock({ $0.jobs.count }) < jobs.count {
            guard ContinuousClock.now < deadline else {
                Issue.record("the jobs were never all queued")
                break
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        let group = ServiceGroup(services: [pipeline], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for job in jobs { try await job.value }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        return pipeline
    }

    static func viewed(_ number: Int, user: String? = nil, anonymous: String? = nil) -> Event {
        let id = user.map { #""userId":"\#($0)""# } ?? #""anonymousId":"\#(anonymous ?? "")""#
        var event = Event(
            messageId: "m-\(number)", type: .track, name: "Viewed", userId: user, anonymousId: anonymous,
            timestamp: 1_000 + Int64(number), receivedAt: 2_000,
            body: Array(#"{"type":"track","event":"Viewed",\#(id),"properties":{"item":"i-\#(number % 7)"}}"#.utf8))
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

    /// 40 people (half known, half anonymous), five views each, interleaved, in two groups.
    static let people = (0..<40).map { $0 % 2 == 0 ? "user-\($0)" : "anon-\($0)" }
    static func stream() -> [[Event]] {
        var events: [Event] = []
        for round in 0..<5 {
            for (index, person) in people.enumerated() {
                let number = round * 100 + index
                events.append(person.hasPrefix("user") ? viewed(number, user: person) : viewed(number, anonymous: person))
            }
        }
        return [Array(events[..<120]), Array(events[120...])]
    }

    @Test func aGroupAppliedInTwoLanesEndsAsInOne() async throws {
        let one = temporaryDataDirectory()
        let two = temporaryDataDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: one)
            try? FileManager.default.removeItem(atPath: two)
        }
        let serial = try await run(one, minimumParallelGroup: .max, batches: Self.stream())
        let parallel = try await run(two, minimumParallelGroup: 2, batches: Self.stream())
        let expected = try await Self.outcome(one, serial, people: Self.people)
        let actual = try await Self.outcome(two, parallel, people: Self.people)
        #expect(actual == expected)
        // The stream did what it is meant to: records and waits for every person.
        #expect(expected.filter { $0.contains("Segment Entered") }.count == 80)
        #expect(expected.filter { $0.hasPrefix("third:") }.count == 40)
        #expect(expected.contains("user-0 views=5 last=\"i-1\""))
    }

    @Test func theLanesSplitByShardAndAGroupThatLinksIdentitiesStaysOnOne() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The people are known to the book after this run.
        let pipeline = try await run(directory, minimumParallelGroup: 2, batches: Self.stream())
        let group = Self.stream()[0]
        let sequence = group.map { _ in Int64?(1) }
        let lanes = try #require(pipeline.lanes(of: group, sequence: sequence))
        #expect(Set(lanes) == [0, 1])
        for (offset, event) in group.enumerated() {
            let key = pipeline.profiles.resolve(event.userId.map(ProfileKey.user) ?? ProfileKey.anonymous(event.anonymousId!))!
            #expect(Int(lanes[offset]) == pipeline.profiles.shardNumber(of: key) & 1)
        }
        // A group below the minimum, and a group with an event that links two people, are not split.
        #expect(pipeline.lanes(of: [group[0]], sequence: [1]) == nil)
        var linking = Self.viewed(999, user: "user-0")
        linking.anonymousId = "anon-1"
        #expect(pipeline.lanes(of: group + [linking], sequence: sequence + [1]) == nil)
        // An event that is not stored (a duplicate) is not looked at.
        #expect(pipeline.lanes(of: group + [linking], sequence: sequence + [nil]) != nil)
    }

    @Test func aGroupThatMergesPeopleEndsAsInOne() async throws {
        var batches = Self.stream()
        // Mid-stream, a visitor logs in: their anonymous profile merges into the known one.
        var login = Self.viewed(7_000, user: "user-0")
        login.anonymousId = "anon-1"
        batches[1].insert(login, at: 30)
        let one = temporaryDataDirectory()
        let two = temporaryDataDirectory()
        defer {
            try? FileManager.default.removeItem(atPath: one)
            try? FileManager.default.removeItem(atPath: two)
        }
        let serial = try await run(one, minimumParallelGroup: .max, batches: batches)
        let parallel = try await run(two, minimumParallelGroup: 2, batches: batches)
        let expected = try await Self.outcome(one, serial, people: Self.people)
        #expect(try await Self.outcome(two, parallel, people: Self.people) == expected)
        // Both profiles' views, and the login's, are in the merged profile.
        #expect(expected.contains { $0.hasPrefix("anon-1 views=11") } && expected.contains { $0.hasPrefix("user-0 views=11") })
    }
}
