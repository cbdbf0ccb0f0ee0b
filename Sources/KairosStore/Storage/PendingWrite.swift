import Synchronization

/// The result of a write started without waiting for it: the write is queued at once, in order
/// with every later write, and ``result`` is awaited when it is needed.
public final class PendingWrite<Value: Sendable>: Sendable {
    private struct State {
        var result: Result<Value, any Error>?
        var waiter: CheckedContinuation<Result<Value, any Error>, Never>?
    }

    private let state = Mutex(State())

    public init() {}

    /// Called once, by the store, when the write is done.
    public func complete(_ result: Result<Value, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Result<Value, any Error>, Never>? in
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    /// The write's result, once done (awaited by one task).
    public var result: Result<Value, any Error> {
        get async {
            if let done = state.withLock({ $0.result }) { return done }
            return await withCheckedContinuation { continuation in
                let done = state.withLock { state -> Result<Value, any Error>? in
                    precondition(state.waiter == nil, "a pending write has one waiter")
                    if state.result == nil { state.waiter = continuation }
                    return state.result
                }
                if let done { continuation.resume(returning: done) }
            }
        }
    }
}
