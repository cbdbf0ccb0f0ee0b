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
        let items = Gauge(label: "kairos_model_items")
        let pairs = Gauge(label: "kairos_model_covisitation_pairs")
        let sessions = Gauge(label: "kairos_model_sessions")
        let catalog = Gauge(label: "kairos_catalog_items")
        await cancelWhenGracefulShutdown {
            var ticks = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled else { break }
                recommender.refresh()
            ticks += 1
            if ticks % 10 == 1 {
                let size = recommender.coVisitation.size
                items.record(recommender.index.count)
                pairs.record(size.pairs)
                sessions.record(recommender.sessions.sessionCount)
                catalog.record(recommender.catalog.count)
            }
            }
        }
        logger.info("model refresher stopped")
    }
}
