import KairosCore
import KairosStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Writes decisions to the store in batches (one transaction per batch), off the request path.
/// Decisions queued when the service stops are written before it returns.
public final class DecisionLog: Service, Sendable {
    struct State {
        var pending: [DecisionRecord] = []
    }

    let store: any DataStore
    let logger: Logger
    private let state = Mutex(State())
    /// Most decisions kept waiting (if the store stalls); beyond it the oldest are dropped.
    static let maxPending = 50_000

    public init(store: any DataStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Queues a decision for the log.
    public func record(_ decision: DecisionRecord) {
        state.withLock { state in
            if state.pending.count >= Self.maxPending { state.pending.removeFirst() }  // never unbounded
            state.pending.append(decision)
        }
    }

    /// Writes everything queued now (tests, shutdown).
    public func flush() async {
        let batch = state.withLock { state -> [DecisionRecord] in
            defer { state.pending = [] }
            return state.pending
        }
        guard !batch.isEmpty else { return }
        do {
            try await store.appendDecisions(batch)
            Counter(label: "kairos_decisions_logged_total").increment(by: batch.count)
        } catch {
            logger.error("decision log write failed", metadata: ["decisions": "\(batch.count)", "error.type": "\(type(of: error))"])
            state.withLock { state in
                if state.pending.count < Self.maxPending { state.pending.insert(contentsOf: batch, at: 0) }
            }
        }
    }

    public func run() async throws {
        // Writes what gathered every 20 ms (one transaction each); drains on shutdown.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(20))
                await self.flush()
            }
        }
        await flush()
        logger.info("decision log drained and stopped")
    }
}
