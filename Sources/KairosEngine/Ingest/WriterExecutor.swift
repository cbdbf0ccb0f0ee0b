import NIOCore
import NIOPosix

/// The thread the single writer runs on: its own, so that resuming after each store write does
/// not wait behind request handlers on the shared cooperative pool. A task preferring this
/// executor runs its nonisolated async code here.
final class WriterExecutor: TaskExecutor, Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop

    init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Stops the thread once the jobs queued on it have run (called when the writer is done;
    /// does not wait).
    func shutdown() {
        group.shutdownGracefully { _ in }
    }
}
