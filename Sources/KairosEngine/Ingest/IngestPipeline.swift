import KairosCore
import KairosStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The single writer of Kairos: group-commits events to the store and applies them to the live
/// profiles, in log order.
///
/// Requests hand their validated events to ``submit(_:)`` and are resumed once the events are
/// durable. Everything queued while one transaction runs goes into the next one: one transaction,
/// one fsync, many requests. Erasures go through the same queue, so they never interleave with
/// half-applied events. On start it rebuilds the profiles by replaying the log; it becomes
/// ``isReady`` when that is done. On graceful shutdown it stops taking work, drains the queue and
/// returns.
public final class IngestPipeline: Service, Sendable {
    /// Tuning of the group commit.
    public struct Configuration: Sendable {
        /// Most events written in one transaction (default 10,000).
        public var maxBatchEvents: Int
        /// Most events waiting for a transaction before submitters get 429 (default 200,000).
        public var maxQueuedEvents: Int
        /// Smallest group whose events are applied to the profiles on two threads, split by
        /// person (default 256; `Int.max` applies every group on the writer's thread alone).
        public var minimumParallelGroup: Int

        public init(maxBatchEvents: Int = 10_000, maxQueuedEvents: Int = 200_000, minimumParallelGroup: Int = 256) {
            self.maxBatchEvents = maxBatchEvents
            self.maxQueuedEvents = maxQueuedEvents
            self.minimumParallelGroup = minimumParallelGroup
        }
    }

    /// What happened to one submitted event.
    public enum Outcome: Sendable, Equatable {
        /// Stored at this log position.
        case stored(Int64)
        /// Already stored earlier (same `messageId`): acknowledged, not stored again.
        case duplicate
        /// Acknowledged but not stored: the person withdrew `analytics` consent.
        case withheld
    }

    /// What an erasure removed.
    public struct Erasure: Sendable, Equatable {
        public var profile: Profile
        public var events: Int
    }

    enum Job: Sendable {
        case events([Event], CheckedContinuation<[Outcome], any Error>)
        case erase(String, CheckedContinuation<Erasure?, any Error>)
        case install(FeatureSet, SegmentSet, CheckedContinuation<Int64, any Error>)
    }

    struct State: Sendable {
        var jobs: [Job] = []
        var queuedEvents = 0
        var accepting = true
        var wakeUp: CheckedContinuation<Void, Never>?
    }

    public let store: any DataStore
    public let profiles: ProfileBook
    /// The triggers matched against every stored event.
    public let triggers: TriggerEngine
    let configuration: Configuration
    let logger: Logger
    let state = Mutex(State())
    let ready = Atomic<Bool>(false)
    /// Sequence number of the latest event applied to the profiles.
    let lastApplied = Atomic<Int64>(0)
    let metrics = IngestMetrics()
    /// Next-best-action decisions, fed with the outcome events stored here.
    public let offers: OfferEngine

    public init(
        store: any DataStore, profiles: ProfileBook, triggers: TriggerEngine = TriggerEngine(),
        configuration: Configuration = Configuration(), learning: PropensityModel.Parameters = .init(), logger: Logger
    ) {
        self.store = store
        self.profiles = profiles
        self.triggers = triggers
        let history = ActionHistory()
        self.offers = OfferEngine(
            store: store, history: history, ledger: BudgetLedger(store: store, history: history, logger: logger),
            parameters: learning)
        self.configuration = configuration
        self.logger = logger
    }

    /// True once the log has been replayed into the profiles.
    public var isReady: Bool { ready.load(ordering: .acquiring) }

    // MARK: - Submitting work

    /// Stores events durably and applies them to the profiles; returns one outcome per event,
    /// in order, once the transaction holding them has committed.
    public func submit(_ events: [Event]) async throws -> [Outcome] {
        guard !events.isEmpty else { return [] }
        let outcomes = try await withCheckedThrowingContinuation { continuation in
            enqueue(.events(events, continuation), eventCount: events.count) { error in
                continuation.resume(throwing: error)
            }
        }
        // Held until answered: the writer drops its references first, so the events are freed
        // here, on the submitter's thread, not on the writer's.
        withExtendedLifetime(events) {}
        return outcomes
    }

    /// Erases the person behind `id` (userId or anonymousId): events, profile and all ids.
    /// Returns `nil` when there is no such profile.
    public func erase(id: String) async throws -> Erasure? {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.erase(id, continuation), eventCount: 0) { error in continuation.resume(throwing: error) }
        }
    }

    /// Puts a feature set in force between two events; returns the sequence number of the last
    /// event applied under the previous set (what a backfill of new features must cover).
    public func install(_ features: FeatureSet, _ segments: SegmentSet) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(.install(features, segments, continuation), eventCount: 0) { error in continuation.resume(throwing: error) }
        }
    }

    private func enqueue(_ job: Job, eventCount: Int, reject: (APIError) -> Void) {
        let outcome = state.withLock { state -> Result<CheckedContinuation<Void, Never>?, APIError> in
            guard state.accepting else {
                return .failure(APIError(status: 503, code: "shutting_down", message: "Kairos is shutting down"))
            }
            if eventCount > 0 && state.queuedEvents + eventCount > configuration.maxQueuedEvents {
                return .failure(
                    APIError(status: 429, code: "overloaded", message: "the ingest queue is full; retry shortly"))
            }
            state.jobs.append(job)
            state.queuedEvents += eventCount
            defer { state.wakeUp = nil }
            return .success(state.wakeUp)
        }
        switch outcome {
        case .success(let wakeUp): wakeUp?.resume()
        case .failure(let error): reject(error)
        }
    }

    // MARK: - Running

    public func run() async throws {
        let started = ContinuousClock.now
        // The log is read (and bodies parsed) on the store's thread while this task applies it.
        let handoff = ReplayHandoff()
        async let applied: Void = handoff.drain { [self] event in
            profiles.apply(event)
            lastApplied.store(event.seq, ordering: .relaxed)
        }
        let replayed: Int
        do {
            replayed = try await store.replay(
                upTo: nil, withBodies: profiles.features.needsEventBody || profiles.segments.needsEventBody,
                bodiesFor: Set(profiles.recommender.mapping.rules.keys)
            ) { event in handoff.send(event) }
            handoff.finish()
        } catch {
            handoff.finish()
            await applied
            throw error
        }
        await applied
        // Cancelled while replaying: the profiles are incomplete, so never become ready.
        try Task.checkCancellation()
        Self.releaseFreedMemory()
        ready.store(true, ordering: .releasing)
        metrics.profiles.record(profiles.count)
        logger.info(
            "profiles rebuilt from the event log",
            metadata: [
                "events": "\(replayed)", "profiles": "\(profiles.count)",
                "duration": "\(ContinuousClock.now - started)",
            ])
        // Stops taking jobs and drains on graceful shutdown, and also when the task is cancelled
        // (a service group torn down after an error), so that it never waits forever.
        let executor = WriterExecutor()
        let lane = WriterExecutor()
        defer {
            executor.shutdown()
            lane.shutdown()
        }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withTaskExecutorPreference(executor) { try await processJobs(lane: lane) }
        } onCancelOrGracefulShutdown: {
            let wakeUp = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.accepting = false
                defer { state.wakeUp = nil }
                return state.wakeUp
            }
            wakeUp?.resume()
        }
        logger.info("ingest pipeline drained and stopped")
    }

    /// Hands the heap the replay freed (parsed bodies) back to the system, so that resident memory
    /// reflects the live state rather than the peak of the load. Called once, after the replay
    /// and before traffic: it walks and locks every heap arena.
    static func releaseFreedMemory() {
        #if canImport(Glibc)
        _ = mallocTrim?(0)
        #endif
    }

    #if canImport(Glibc)
    /// glibc's `malloc_trim`, looked up once (its header is not part of the Glibc module).
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim")
        .map { unsafeBitCast($0, to: (@convention(c) (Int) -> Int32).self) }
    #endif

    /// A group of submissions committed together.
    typealias Batch = [(events: [Event], continuation: CheckedContinuation<[Outcome], any Error>)]

    /// Runs the jobs; `lane` is the second thread large groups are applied on.
    private func processJobs(lane: WriterExecutor) async throws {
        // Segment records of the last group, written with the next group or before the writer waits.
        var records: [Event] = []
        while true {
            var jobs = await nextJobs(flushing: &records)
            if jobs.isEmpty { return }  // shut down and drained
            jobs.reverse()  // taken from the end, so that the list holds no job the writer is done with
            var batch: Batch = []
            var batchSize = 0
            // Commits what is gathered: before a larger group, and before any job that must see it
            // applied (with its segment records: an erasure must not be followed by a record of the
            // person it erased).
            func flush(records written: Bool = false) async {
                if !batch.isEmpty {
                    var group: Batch = []
                    swap(&group, &batch)
                    records = await commit(consume group, after: records, lane: lane)
                    batchSize = 0
                }
                if written && !records.isEmpty {
                    await commitDerived(records)
                    records = []
                }
            }
            while let job = jobs.popLast() {
                switch job {
                case .events(let events, let continuation):
                    if batchSize + events.count > configuration.maxBatchEvents { await flush() }
                    batch.append((events, continuation))
                    batchSize += events.count
                case .erase(let id, let continuation):
                    await flush(records: true)
                    await performErasure(id: id, continuation: continuation)
                case .install(let features, let segments, let continuation):
                    await flush(records: true)
                    profiles.install(features)
                    profiles.install(segments, now: Timestamp.now())
                    continuation.resume(returning: lastApplied.load(ordering: .relaxed))
                }
            }
            await flush()
        }
    }

    /// Waits for queued jobs; returns an empty list only when shut down with nothing left. Writes
    /// `records` first when there is nothing to carry them.
    private func nextJobs(flushing records: inout [Event]) async -> [Job] {
        while true {
            let taken = state.withLock { state -> [Job]? in
                if state.jobs.isEmpty { return state.accepting ? nil : [] }
                defer {
                    state.jobs.removeAll(keepingCapacity: true)
                    state.queuedEvents = 0
                }
                return state.jobs
            }
            if let taken, !taken.isEmpty { return taken }
            if !records.isEmpty {
                await commitDerived(records)
                records = []
                continue
            }
            if let taken { return taken }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.jobs.isEmpty || !state.accepting { return true }
                    state.wakeUp = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }
}
