import KairosCore
import ServiceLifecycle
import Synchronization

/// Wakes a background loop early: `ring()` from anywhere, `wait(upTo:)` in the loop.
/// A ring with nobody waiting is remembered once.
final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func ring() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.rung = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns when rung, or after `duration`.
    func wait(upTo duration: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: duration)
                if !Task.isCancelled { self.ring() }
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
            group.cancelAll()
        }
    }
}

extension Doorbell {
    /// Runs `work` until graceful shutdown or cancellation: after each round, sleeps until the time
    /// `work` returns (at most one second), or until rung. `work` errors are handed to `failed` and
    /// retried.
    func loop(
        _ work: () async throws -> Millis?, failed: (any Error) -> Void
    ) async {
        await withTaskCancellationOrGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                var nextDue: Millis?
                do {
                    nextDue = try await work()
                } catch {
                    failed(error)
                }
                let delay = max(0, min((nextDue ?? Int64.max) - Timestamp.now(), 1000))
                await wait(upTo: .milliseconds(delay))
            }
        } onCancelOrGracefulShutdown: {
            self.ring()
        }
    }
}
