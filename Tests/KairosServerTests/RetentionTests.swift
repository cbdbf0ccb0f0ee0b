import Foundation
import GRDB
import KairosCore
@testable import KairosEngine
@testable import KairosStore
import Logging
import ServiceLifecycle
import Testing

/// Decisions, finished messages, resolved waits and old offer touches are removed once past their
/// retention, in batches; what is still needed (pending work, what contact caps count) stays.
@Suite struct RetentionTests {
    static let day: Millis = 86_400_000
    static let now: Millis = 1_800_000_000_000

    static func sweeper(
        _ store: SQLiteStore, _ configuration: RetentionSweeper.Configuration, contactWindow: Millis = 0
    ) -> RetentionSweeper {
        var logger = Logger(label: "retention-test")
        logger.logLevel = .critical
        return RetentionSweeper(
            store: store, configuration: configuration, longestContactWindow: { contactWindow }, clock: { now }, logger: logger)
    }

    static func count(_ store: SQLiteStore, _ sql: String) async throws -> Int {
        try await store.pool.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    @Test func oldDecisionsGoWithTheirOutcomesInBatches() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        // Five decisions 40 days old, two 10 days old (30-day retention).
        let ages = [40, 40, 40, 40, 40, 10, 10].enumerated().map { ($0.offset, Self.now - Millis($0.element) * Self.day + Millis($0.offset)) }
        let records = ages.map { offset, time in
            DecisionRecord(
                id: DecisionId.make(at: time), profileKey: "u:u\(offset)", userId: "u\(offset)", anonymousId: nil, placement: "home",
                createdAt: time, body: ["items": []])
        }
        try await store.appendDecisions(records)
        // Two outcomes of an old decision (one that came a month after it, past the cutoff) and
        // one of a recent decision.
        for (number, (record, time)) in [
            (records[0], records[0].createdAt + 1), (records[0], Self.now - Self.day), (records[6], records[6].createdAt + 1),
        ].enumerated() {
            var event = Event(
                messageId: "o\(number)", type: .track, name: "Product Clicked", userId: record.userId, timestamp: time,
                receivedAt: time, body: Array(#"{"properties":{"decisionId":"\#(record.id)"}}"#.utf8))
            event.decisionId = record.id
            _ = try await store.append([event])
        }
        #expect(try await Self.count(store, "SELECT count(*) FROM outcomes") == 3)

        let removed = try await Self.sweeper(store, .init(batchSize: 2, pause: .zero)).sweep()
        #expect(removed[.decisions] == 5)
        #expect(removed[.outcomes] == 2)
        for record in records[..<5] { #expect(try await store.decision(id: record.id) == nil) }
        let kept = try #require(try await store.decision(id: records[6].id))
        #expect(kept.1.count == 1)  // its outcome stays
        #expect(try await store.decision(id: records[5].id) != nil)
        #expect(try await Self.count(store, "SELECT count(*) FROM outcomes") == 1)
        // The events themselves (the log) are never removed.
        #expect(try await store.eventCount() == 3)
        // Nothing left to remove; and "forever" keeps everything.
        #expect(try await Self.sweeper(store, .init()).sweep()[.decisions] == 0)
        // Below the attribution week, the retention is raised to 8 days: the 10-day-old ones go.
        #expect(try await Self.sweeper(store, .init(decisions: 1)).sweep()[.decisions] == 2)
        // An outcome whose decision was never logged goes once it is as old.
        var orphan = Event(
            messageId: "orphan", type: .track, name: "Product Clicked", userId: "u9", timestamp: Self.now - 40 * Self.day,
            receivedAt: Self.now - 40 * Self.day, body: [])
        orphan.decisionId = DecisionId.make(at: Self.now - 40 * Self.day)
        _ = try await store.append([orphan])
        #expect(try await Self.count(store, "SELECT count(*) FROM outcomes") == 1)
        #expect(try await Self.sweeper(store, .init()).sweep()[.outcomes] == 1)
        #expect(try await Self.count(store, "SELECT count(*) FROM outcomes") == 0)
        try await store.appendDecisions([records[0]])
        #expect(try await Self.sweeper(store, .init(decisions: nil)).sweep()[.decisions] == nil)
        #expect(try await store.decision(id: records[0].id) != nil)
    }

    @Test func oneTransactionRemovesAtMostItsLimit() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let old = Self.now - 100 * Self.day
        try await store.appendDecisions(
            (0..<3).map {
                DecisionRecord(
                    id: DecisionId.make(at: old + Millis($0)), profileKey: nil, userId: "u", anonymousId: nil, placement: "p",
                    createdAt: old + Millis($0), body: [:])
            })
        try await store.insertMessages(
            (0..<3).map {
                Message(
                    id: "m\($0)", channel: "c", trigger: "t", userId: "u", anonymousId: nil, createdAt: old, state: .delivered,
                    nextAttemptAt: old, payload: [:])
            })
        let waits = (0..<3).map { PendingWait(id: "w\($0)", trigger: "t", userId: "u", anonymousId: nil, causeSeq: 1, dueAt: old, event: [:]) }
        try await store.insertWaits(waits)
        for wait in waits { try await store.resolveWait(id: wait.id, state: .fired, message: nil) }
        try await store.recordOfferActivity(
            usage: [], touches: (0..<3).map { _ in PersonTouch(person: "u:u", touch: ActionTouch(offer: "o", kind: .impression, time: old)) })
        for kind in [RetainedRecord.decisions, .messages, .waits, .offerTouches] {
            #expect(try await store.prune(kind, before: Self.now, limit: 2) == 2, "\(kind)")
            #expect(try await store.prune(kind, before: Self.now, limit: 2) == 1, "\(kind)")
            #expect(try await store.prune(kind, before: Self.now, limit: 0) == 0, "\(kind)")
        }
    }

    @Test func theLowerBoundOfAMillisecondSortsBetweenItsIdsAndTheEarlierOnes() {
        for time: Millis in [0, 1, Self.now, Self.now + 1, 0xFFFF_FFFF_FFFF] {
            let bound = DecisionId.lowerBound(at: time)
            for _ in 0..<50 {
                if time > 0 { #expect(DecisionId.make(at: time - 1) < bound) }
                #expect(bound <= DecisionId.make(at: time))
            }
        }
    }

    @Test func finishedMessagesGoButPendingOnesAndWhatCapsCountStay() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        func message(_ id: String, age days: Millis, _ state: Message.State) -> Message {
            Message(
                id: id, channel: "push", trigger: "t", userId: "u1", anonymousId: nil, createdAt: Self.now - days * Self.day, state: state,
                nextAttemptAt: Self.now, payload: ["title": "hi"])
        }
        try await store.insertMessages([
            message("pending-old", age: 60, .pending), message("delivered-old", age: 60, .delivered),
            message("dead-old", age: 45, .dead), message("suppressed-old", age: 45, .suppressed),
            message("delivered-40", age: 40, .delivered), message("delivered-new", age: 5, .delivered),
        ])
        func ids() async throws -> Set<String> {
            Set(try await store.messages(state: nil, channel: nil, userId: nil, limit: 100).map(\.id))
        }
        // A contact cap looks back 50 days: nothing younger than that may go, whatever the retention.
        let capped = try await Self.sweeper(store, .init(messages: 30 * Self.day), contactWindow: 50 * Self.day).sweep()
        #expect(capped[.messages] == 1)
        #expect(try await ids() == ["pending-old", "dead-old", "suppressed-old", "delivered-40", "delivered-new"])
        let removed = try await Self.sweeper(store, .init(messages: 30 * Self.day)).sweep()
        #expect(removed[.messages] == 3)
        #expect(try await ids() == ["pending-old", "delivered-new"])
    }

    @Test func theServiceSweepsAtStartAndEveryIntervalAndStopsOnShutdown() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        func decision(_ id: String) -> DecisionRecord {
            let old = Self.now - 100 * Self.day
            return DecisionRecord(id: DecisionId.make(at: old), profileKey: nil, userId: id, anonymousId: nil, placement: "p", createdAt: old, body: [:])
        }
        try await store.appendDecisions([decision("first")])
        let sweeper = Self.sweeper(store, .init(interval: .milliseconds(20)))
        var logger = Logger(label: "retention-test")
        logger.logLevel = .critical
        let group = ServiceGroup(services: [sweeper], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            func decisionsLeft() async throws -> Int { try await Self.count(store, "SELECT count(*) FROM decisions") }
            func waitUntilEmpty() async throws {
                let deadline = ContinuousClock.now + .seconds(10)
                while try await decisionsLeft() > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await waitUntilEmpty()
            #expect(try await decisionsLeft() == 0)  // the sweep at start
            try await store.appendDecisions([decision("second")])
            try await waitUntilEmpty()
            #expect(try await decisionsLeft() == 0)  // a later sweep
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()  // returns: the service stopped
        }
    }

    @Test func theMessagesFloorIsTheLongestContactCap() {
        var push = ChannelDefinition(id: "push", kind: .webhook)
        push.caps = [.init(count: 1, window: Self.day), .init(count: 3, window: 7 * Self.day)]
        let app = ChannelDefinition(id: "app", kind: .inapp)
        #expect(DeliveryConfiguration().longestCapWindow(among: [app]) == 0)
        #expect(DeliveryConfiguration().longestCapWindow(among: [push, app]) == 7 * Self.day)
        let crossChannel = DeliveryConfiguration(crossChannelCap: .init(count: 5, window: 30 * Self.day))
        #expect(crossChannel.longestCapWindow(among: [push, app]) == 30 * Self.day)
        #expect(crossChannel.longestCapWindow(among: []) == 30 * Self.day)
    }

    @Test func resolvedWaitsAndOldOfferTouchesGo() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        func wait(_ id: String, due days: Millis) -> PendingWait {
            PendingWait(id: id, trigger: "t", userId: "u1", anonymousId: nil, causeSeq: 1, dueAt: Self.now - days * Self.day, event: [:])
        }
        try await store.insertWaits([wait("fired-old", due: 10), wait("cancelled-old", due: 8), wait("pending-old", due: 10), wait("fired-new", due: 1)])
        try await store.resolveWait(id: "fired-old", state: .fired, message: nil)
        try await store.resolveWait(id: "cancelled-old", state: .cancelled, message: nil)
        try await store.resolveWait(id: "fired-new", state: .fired, message: nil)
        let touches = [100, 95, 30].map { days in
            PersonTouch(person: "u:u1", touch: ActionTouch(offer: "o\(days)", kind: .impression, time: Self.now - Millis(days) * Self.day))
        }
        try await store.recordOfferActivity(usage: [], touches: touches)

        let removed = try await Self.sweeper(store, .init()).sweep()
        #expect(removed[.waits] == 2)
        #expect(removed[.offerTouches] == 2)
        let left = Set(try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT id FROM waits") })
        #expect(left == ["pending-old", "fired-new"])
        // The pending wait is still due.
        #expect(try await store.dueWaits(now: Self.now, limit: 10).map(\.id) == ["pending-old"])
        #expect(try await store.personTouches(since: 0).map(\.touch.offer) == ["o30"])
    }
}
