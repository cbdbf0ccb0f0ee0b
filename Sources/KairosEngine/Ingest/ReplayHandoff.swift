import Dispatch
import KairosCore
import Synchronization

/// Hands replayed events from the thread reading the log (which also parses their bodies) to the
/// task applying them, in batches and in order, so that reading and applying run on two cores.
/// At most `capacity` batches wait: the reader blocks when the applier falls behind (it is a
/// storage thread, never an event loop).
final class ReplayHandoff: Sendable {
    private let batches: AsyncStream<[Event]>
    private let continuation: AsyncStream<[Event]>.Continuation
    private let room: DispatchSemaphore
    private let pending = Mutex<[Event]>([])
    private let batchSize: Int
    /// Set when the applier stopped early (its task was cancelled): the reader then no longer
    /// waits for room, so that it reaches the end of the log instead of blocking for ever.
    private let abandoned = Atomic<Bool>(false)

    init(batchSize: Int = 2_000, capacity: Int = 4) {
        (batches, continuation) = AsyncStream.makeStream(of: [Event].self)
        // Created at 0 and raised to `capacity`: libdispatch traps when a semaphore is freed below
        // its initial value, which an applier that stops early would leave behind.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<capacity { room.signal() }
        self.batchSize = batchSize
        pending.withLock { $0.reserveCapacity(batchSize) }
    }

    /// Called by the reader for each event, in log order.
    func send(_ event: Event) {
        let full = pending.withLock { pending -> [Event]? in
            pending.append(event)
            guard pending.count >= batchSize else { return nil }
            defer { pending = []; pending.reserveCapacity(batchSize) }
            return pending
        }
        guard let full, !abandoned.load(ordering: .acquiring) else { return }
        room.wait()
        guard !abandoned.load(ordering: .acquiring) else {
            room.signal()  // passed on to any other waiter
            return
        }
        continuation.yield(full)
    }

    /// Called by the reader once the log is read (or failed): the rest goes out, then the end.
    func finish() {
        let rest = pending.withLock { pending -> [Event] in
            defer { pending = [] }
            return pending
        }
        if !rest.isEmpty { continuation.yield(rest) }
        continuation.finish()
    }

    /// Runs `apply` on every event, in order, until the reader finishes or the task is cancelled.
    func drain(_ apply: (Event) -> Void) async {
        for await batch in batches {
            for event in batch { apply(event) }
            room.signal()
        }
        abandoned.store(true, ordering: .releasing)
        room.signal()
    }
}
