import KairosCore
import KairosStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Writes decisions to the store in batches (one transaction every 20 ms), off the request path.
/// Decisions queued when the service stops are written before it returns.
public final class DecisionLog: Service, Sendable {
    let store: any DataStore
    let logger: Logger
    private let pending = Mutex<[DecisionRecord]>([])
    /// Most decisions kept waiting while the store cannot take them; beyond it new ones are
    /// dropped and counted (`kairos_decisions_dropped_total`).
    static let maxPending = 50_000

    public init(store: any DataStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Queues a decision for the log.
    public func record(_ decision: DecisionRecord) {
        let kept = pending.withLock { pending -> Bool in
            guard pending.count < Self.maxPending else { return false }
            pending.append(decision)
            return true
        }
        if !kept { Counter(label: "kairos_decisions_dropped_total").increment() }
    }

    /// Writes everything queued now (before an erasure, and at shutdown). A batch the store
    /// refuses goes back to the front of the queue, as far as there is room.
    public func flush() async {
        let batch = pending.withLock { pending -> [DecisionRecord] in
            defer { pending = [] }
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.appendDecisions(batch)
            Counter(label: "kairos_decisions_logged_total").increment(by: batch.count)
        } catch {
            logger.error("decision log write failed", metadata: ["decisions": "\(batch.count)", "error.type": "\(type(of: error))"])
            let dropped = pending.withLock { pending -> Int in
                let room = max(0, Self.maxPending - pending.count)
                pending.insert(contentsOf: batch.prefix(room), at: 0)
                return batch.count - min(room, batch.count)
            }
            if dropped > 0 { Counter(label: "kairos_decisions_dropped_total").increment(by: dropped) }
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while true {
                do { try await Task.sleep(for: .milliseconds(20)) } catch { break }
                await self.flush()
            }
        }
        // The last write runs outside the cancelled task, so that the store does not refuse it.
        await Task { await self.flush() }.value
        logger.info("decision log drained and stopped")
    }
}
