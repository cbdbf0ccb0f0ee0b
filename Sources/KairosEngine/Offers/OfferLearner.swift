import KairosCore
import Logging
import Metrics
import ServiceLifecycle

/// Closes attribution windows (impressions without a positive outcome become negative updates)
/// every second, and checkpoints the propensity models every minute and when stopping.
public final class OfferLearner: Service, Sendable {
    let offers: OfferEngine
    let logger: Logger
    let checkpointEvery: Duration
    /// Time to serialize and store every model.
    let checkpointTimer = Metrics.Timer(label: "kairos_offer_checkpoint_duration_seconds")

    public init(offers: OfferEngine, logger: Logger, checkpointEvery: Duration = .seconds(60)) {
        self.offers = offers
        self.logger = logger
        self.checkpointEvery = checkpointEvery
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var lastCheckpoint = clock.now
            while true {
                do { try await Task.sleep(for: .seconds(1)) } catch { break }
                self.offers.expire(now: Timestamp.now())
                if clock.now - lastCheckpoint >= self.checkpointEvery {
                    lastCheckpoint = clock.now
                    await self.checkpoint()
                }
            }
        }
        // The last checkpoint runs outside the cancelled task, so that the store does not refuse it.
        await Task { await self.checkpoint() }.value
        logger.info("offer models checkpointed and stopped")
    }

    func checkpoint() async {
        let started = ContinuousClock.now
        do {
            let bytes = try await offers.checkpoint(now: Timestamp.now())
            let elapsed = ContinuousClock.now - started
            checkpointTimer.recordNanoseconds(elapsed.nanoseconds)
            if bytes > 0 { logger.info("offer models checkpointed", metadata: ["bytes": "\(bytes)", "duration": "\(elapsed)"]) }
        } catch {
            logger.error("offer models could not be checkpointed", metadata: ["error.type": "\(type(of: error))"])
        }
    }
}
