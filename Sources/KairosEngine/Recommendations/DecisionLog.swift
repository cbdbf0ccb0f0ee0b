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
        var wakeUp: CheckedContinuation<Void, Never>?
        var stopping = false
    }

    let store: any DataStore
    let logger: Logger
    private let state = Mutex(State())
    /// Most decisions kept waiting; beyond it the oldest are written first, synchronously.
    static let maxPending = 50_000

    public init(store: any DataStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Queues a decision for the log.
    public func record(_ decision: DecisionRecord) {
        let wakeUp = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.pending.append(decision)
            defer { state.wakeUp = nil }
            return state.pending.count >= 256 ? state.wakeUp : nil
        }
        wakeUp?.resume()
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
        try await withGracefulShutdownHandler {
            while true {
                let stopping = state.withLock { $0.stopping }
                await flush()
                if stopping { break }
                // Wake after 50 ms, or earlier when a batch has gathered.
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { try? await Task.sleep(for: .milliseconds(50)) }
                    group.addTask {
                        await withCheckedContinuation { continuation in
                            let resumeNow = self.state.withLock { state -> Bool in
                                if state.stopping || state.pending.count >= 256 { return true }
                                state.wakeUp = continuation
                                return false
                            }
                            if resumeNow { continuation.resume() }
                        }
                    }
                    await group.next()
                    group.cancelAll()
                    let pending = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                        defer { state.wakeUp = nil }
                        return state.wakeUp
                    }
                    pending?.resume()
                    await group.waitForAll()
                }
            }
        } onGracefulShutdown: {
            let wakeUp = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.stopping = true
                defer { state.wakeUp = nil }
                return state.wakeUp
            }
            wakeUp?.resume()
        }
        await flush()
        logger.info("decision log drained and stopped")
    }
}
