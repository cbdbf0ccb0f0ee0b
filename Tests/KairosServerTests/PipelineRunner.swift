@testable import KairosEngine
import Logging
import ServiceLifecycle
import Testing

extension IngestPipeline {
    /// Queues `jobs` (submissions, erasures, ...) one after the other, each waiting in the queue
    /// before the next starts, so that their order is fixed; then starts the writer, waits until
    /// every job is answered and shuts it down. Everything queued is there before the writer takes
    /// its first group.
    func runQueued(_ jobs: [@Sendable (IngestPipeline) async throws -> Void], logger: Logger) async throws {
        var tasks: [Task<Void, any Error>] = []
        // Generous: on a loaded machine queuing can take seconds; the deadline only keeps a broken
        // pipeline from hanging the run.
        let deadline = ContinuousClock.now + .seconds(60)
        for job in jobs {
            tasks.append(Task { try await job(self) })
            while state.withLock({ $0.jobs.count }) < tasks.count {
                guard ContinuousClock.now < deadline else {
                    Issue.record("the jobs were never all queued")
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
        }
        let group = ServiceGroup(services: [self], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { running in
            running.addTask { try await group.run() }
            for task in tasks { try await task.value }
            await group.triggerGracefulShutdown()
            try await running.waitForAll()
        }
    }
}
