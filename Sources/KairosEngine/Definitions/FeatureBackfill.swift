import KairosCore
import KairosStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Computes new or changed features over stored history, in the background, so existing profiles
/// get their values without a restart. Progress: `kairos_feature_backfill_events_total` and logs.
public final class FeatureBackfill: Service, Sendable {
    struct Job: Sendable {
        var slots: Set<UInt16>
        var upTo: Int64
        var features: [String]
    }

    let store: any DataStore
    let profiles: ProfileBook
    let logger: Logger
    let jobs: AsyncStream<Job>
    let submit: AsyncStream<Job>.Continuation
    let pending = Atomic<Int>(0)
    let processed = Counter(label: "kairos_feature_backfill_events_total")

    public init(store: any DataStore, profiles: ProfileBook, logger: Logger) {
        self.store = store
        self.profiles = profiles
        self.logger = logger
        (jobs, submit) = AsyncStream.makeStream(of: Job.self)
    }

    /// Number of backfills queued or running.
    public var backlog: Int { pending.load(ordering: .relaxed) }

    /// Queues a backfill of `slots` over the events up to `upTo`.
    func enqueue(slots: Set<UInt16>, upTo: Int64, features: [String]) {
        guard !slots.isEmpty, upTo > 0 else { return }
        pending.add(1, ordering: .relaxed)
        submit.yield(Job(slots: slots, upTo: upTo, features: features))
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await job in jobs {
                await perform(job)
                pending.subtract(1, ordering: .relaxed)
            }
        } onGracefulShutdown: {
            self.submit.finish()
        }
    }

    private func perform(_ job: Job) async {
        let started = ContinuousClock.now
        logger.info("feature backfill started", metadata: ["features": "\(job.features)", "upToSeq": "\(job.upTo)"])
        do {
            let counter = processed
            let count = try await store.replay(upTo: job.upTo, withBodies: profiles.features.needsEventBody, bodiesFor: []) {
                [profiles] event in
                profiles.backfill(event, slots: job.slots)
                counter.increment()
            }
            logger.info(
                "feature backfill done",
                metadata: ["features": "\(job.features)", "events": "\(count)", "duration": "\(ContinuousClock.now - started)"])
        } catch {
            logger.error("feature backfill failed", metadata: ["features": "\(job.features)", "error.type": "\(type(of: error))"])
        }
    }
}
