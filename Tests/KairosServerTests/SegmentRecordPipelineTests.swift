import Dispatch
import Foundation
import KairosCore
@testable import KairosEngine
import KairosStore
import Logging
import Synchronization
import Testing

/// How the writer stores segment records: a group's records go out with the next group (written
/// while that group is applied), and before any erasure or definition change.
@Suite struct SegmentRecordPipelineTests {
    /// A pipeline on `directory` whose profiles count views and keep a `seen` segment, run on
    /// `jobs`, all queued in order before the writer starts.
    func run(
        _ directory: String, maxBatchEvents: Int = 10_000, jobs: [@Sendable (IngestPipeline) async throws -> Void]
    ) async throws -> IngestPipeline {
        let store = try SQLiteStore(directory: directory)
        var logger = Logger(label: "segment-record-test")
        logger.logLevel = .critical
        let profiles = ProfileBook()
        profiles.install(try FeatureSet.compile([.init(id: "views", aggregation: .count, filter: #"event.name == "Viewed""#)]))
        profiles.install(try SegmentSet.compile([.init(id: "seen", condition: "features.views >= 1")], features: profiles.features), now: 0)
        let pipeline = IngestPipeline(
            store: store, profiles: profiles, configuration: .init(maxBatchEvents: maxBatchEvents), logger: logger)
        try await pipeline.runQueued(jobs, logger: logger)
        return pipeline
    }

    static func viewed(_ user: String, _ number: Int) -> Event {
        Event(
            messageId: "m-\(user)-\(number)", type: .track, name: "Viewed", userId: user, timestamp: 1_000 + Int64(number),
            receivedAt: 2_000, body: Array(#"{"type":"track","event":"Viewed","userId":"\#(user)"}"#.utf8))
    }

    static func names(_ store: SQLiteStore, _ user: String) async throws -> [(seq: Int64, name: String)] {
        try await store.events(of: PersonIds(userIds: [user], anonymousIds: []), beforeSeq: nil, limit: 100).reversed()
            .map { ($0.seq, $0.body["event"]?.stringValue ?? "?") }
    }

    @Test func aGroupsRecordsFollowTheNextGroupAndAreApplied() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // One event per group: the first group's record is written with the second group.
        let pipeline = try await run(
            directory, maxBatchEvents: 1,
            jobs: [
                { _ = try await $0.submit([Self.viewed("a", 1)]) },
                { _ = try await $0.submit([Self.viewed("b", 1)]) },
            ])
        let store = try SQLiteStore(directory: directory)
        let a = try await Self.names(store, "a")
        let b = try await Self.names(store, "b")
        #expect(a.map(\.name) == ["Viewed", "Segment Entered"])
        #expect(b.map(\.name) == ["Viewed", "Segment Entered"])
        // a's record comes after b's event in the log; b's record, flushed when the writer ran out of work, last.
        #expect(a[0].seq < b[0].seq && b[0].seq < a[1].seq && a[1].seq < b[1].seq)
        #expect(try await store.eventCount() == 4)
        // Records are stored without a body and read back whole, by the API and on replay.
        let listed = try await store.events(of: PersonIds(userIds: ["a"], anonymousIds: []), beforeSeq: nil, limit: 1)
        #expect(listed.first?.body["properties"]?["segment"] == "seen" && listed.first?.body["userId"] == "a")
        let replayed = Answers()
        _ = try await store.replay(upTo: nil, withBodies: true, bodiesFor: []) { event in
            if event.isSegmentRecord { replayed.value.withLock { $0.append(event.json ?? .null) } }
        }
        #expect(replayed.value.withLock { $0.map { $0["properties"]?["segment"] } } == ["seen", "seen"])
        // Every record is applied to its profile, in log order.
        #expect(pipeline.lastApplied.load(ordering: .relaxed) == b[1].seq)
        #expect(pipeline.profiles.profile(id: "a")?.eventCounts["Segment Entered"] == 1)
        #expect(pipeline.profiles.segmentSizes["seen"] == 2)
    }

    @Test func aPendingWriteHandsItsResultToItsWaiterWhicheverComesFirst() async throws {
        let early = PendingWrite<Int>()
        early.complete(.success(1))
        #expect(try await early.result.get() == 1)
        let late = PendingWrite<Int>()
        async let waited = late.result
        try await Task.sleep(for: .milliseconds(20))
        late.complete(.failure(CancellationError()))
        let result = await waited
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test func theReplayHandoffKeepsTheLogOrderAndHoldsTheReaderBack() async throws {
        let handoff = ReplayHandoff(batchSize: 100, capacity: 2)
        // The reader is a plain thread, as the store's is; it blocks while two batches wait.
        DispatchQueue.global().async {
            for seq in Int64(1)...10_005 { handoff.send(Event(seq: seq, messageId: "m\(seq)", type: .track, timestamp: seq, receivedAt: seq)) }
            handoff.finish()
        }
        var seen: [Int64] = []
        await handoff.drain { seen.append($0.seq) }
        #expect(seen == Array(1...10_005))
    }

    @Test func aReaderIsHeldBackAndNeverBlockedOnceTheApplierStops() async throws {
        let handoff = ReplayHandoff(batchSize: 100, capacity: 2)
        let sent = Atomic<Int>(0)
        let reader = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            for seq in Int64(1)...10_000 {
                handoff.send(Event(seq: seq, messageId: "m\(seq)", type: .track, timestamp: seq, receivedAt: seq))
                sent.add(1, ordering: .relaxed)
            }
            handoff.finish()
            reader.signal()
        }
        // Nothing drains: the reader stops once two batches wait and it holds a third.
        try await Task.sleep(for: .milliseconds(100))
        #expect(sent.load(ordering: .relaxed) <= 300)
        // An applier that is cancelled lets the reader run to the end of the log.
        let applier = Task { await handoff.drain { _ in } }
        applier.cancel()
        await applier.value
        let finished = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: reader.wait(timeout: .now() + 10) == .success) }
        }
        #expect(finished)
        #expect(sent.load(ordering: .relaxed) == 10_000)
    }

    @Test func recordsAreWrittenBeforeALaterErasure() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The event, a second person's event and the erasure are all taken in one drain: the
        // erasure must not be followed by the erased person's record.
        let pipeline = try await run(
            directory,
            jobs: [
                { _ = try await $0.submit([Self.viewed("gone", 1)]) },
                { _ = try await $0.submit([Self.viewed("kept", 1)]) },
                {
                    let erased = try await $0.erase(id: "gone")
                    #expect(erased?.events == 2)
                },
            ])
        let store = try SQLiteStore(directory: directory)
        #expect(try await Self.names(store, "gone").isEmpty)
        #expect(try await Self.names(store, "kept").map(\.name) == ["Viewed", "Segment Entered"])
        #expect(pipeline.profiles.profile(id: "gone") == nil)
        #expect(pipeline.profiles.segmentSizes["seen"] == 1)
    }
}

/// Values gathered by a `@Sendable` callback.
final class Answers: Sendable {
    let value = Mutex<[JSONValue]>([])
}
