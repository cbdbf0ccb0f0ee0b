import KairosCore
import KairosStore
import Logging
import Metrics
import ServiceLifecycle

/// Loads the catalog at start, then rebuilds the models' read-mostly snapshots (ranked lists,
/// content index) every `interval`, off the hot path; reports model sizes in metrics.
public struct ModelRefresher: Service {
    let recommender: Recommender
    let interval: Duration
    let logger: Logger

    public init(recommender: Recommender, interval: Duration = .seconds(1), logger: Logger) {
        self.recommender = recommender
        self.interval = interval
        self.logger = logger
    }

    /// Loads every stored item into the in-memory catalog and builds the first snapshots.
    public static func loadCatalog(store: any DataStore, recommender: Recommender) async throws {
        let items = try await store.allItems()
        recommender.catalog.put(items)
        recommender.refresh()
    }

    public func run() async throws {
        // Model sizes and memory are measured at each /metrics scrape.
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { break }
                recommender.refresh()
            }
        }
        logger.info("model refresher stopped")
    }
}
