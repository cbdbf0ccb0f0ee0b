import Hummingbird
import KairosCore
import KairosEngine
import KairosStore
import Logging
import ServiceLifecycle

/// Builds the Kairos HTTP application on the embedded default: a SQLite store in the data
/// directory, the live profiles rebuilt from it, and the ingest pipeline as a service.
public enum KairosApplication {
    /// What the builder created, for callers that want to print or inspect it.
    public struct Parts: Sendable {
        public let pipeline: IngestPipeline
        public let registry: DefinitionRegistry
        public let keys: KeyRing
        /// Keys generated on this first start (shown once), if any.
        public let generatedKeys: (write: String, secret: String)?
    }

    /// Builds the application and its parts.
    public static func build(
        configuration: KairosConfiguration, logger: Logger
    ) async throws -> (application: some ApplicationProtocol, parts: Parts) {
        _ = KairosMetrics.registry  // bootstrap swift-metrics before any metric is created
        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        let store = try SQLiteStore(directory: configuration.dataDirectory)
        let (keys, generated) = try await KeyRing.load(configuration: configuration, store: store)
        let profiles = ProfileBook(
            configuration: .init(
                recentEventLimit: configuration.recentEventLimit, interactions: configuration.interactions,
                sessionCapacity: configuration.sessionCapacity))
        let pipeline = IngestPipeline(
            store: store, profiles: profiles,
            configuration: .init(maxQueuedEvents: configuration.maxQueuedEvents, minimumParallelGroup: configuration.minimumParallelGroup), logger: logger)
        let backfill = FeatureBackfill(store: store, profiles: profiles, logger: logger)
        let registry = DefinitionRegistry(pipeline: pipeline, backfill: backfill, logger: logger)
        let file = try configuration.definitionsFile.map { try DefinitionsFile.load(path: $0) }
        for channel in file?.channels ?? [] { try configuration.delivery.checkAllowed(channel) }
        try await registry.load(
            extraFeatures: file?.features ?? [], extraSegments: file?.segments ?? [],
            extraChannels: file?.channels ?? [], extraTriggers: file?.triggers ?? [],
            extraPlacements: file?.placements ?? [], extraOffers: file?.offers ?? [], extraLevers: file?.levers ?? [],
            extraCampaigns: file?.campaigns ?? [])
        try await ModelRefresher.loadCatalog(store: store, recommender: profiles.recommender)
        try await pipeline.offers.ledger.load(now: Timestamp.now())
        try await pipeline.offers.loadModels()
        let decisions = DecisionLog(store: store, logger: logger)
        let worker = DeliveryWorker(
            store: store, engine: pipeline.triggers, configuration: configuration.delivery, logger: logger)
        let tokens = try await StreamTokens.load(configured: configuration.streamSecret, store: store)
        let router = buildRouter(
            configuration: configuration, keys: keys, pipeline: pipeline, registry: registry, backfill: backfill,
            worker: worker, tokens: tokens, decisions: decisions)

        let scheduler = TriggerScheduler(
            store: store, profiles: profiles, engine: pipeline.triggers, worker: worker,
            configuration: configuration.delivery, offers: pipeline.offers, decisions: decisions, logger: logger)
        var services: [any Service] = [
            pipeline, backfill, scheduler, worker, decisions, pipeline.offers.ledger,
            OfferLearner(offers: pipeline.offers, logger: logger),
            ModelRefresher(recommender: profiles.recommender, logger: logger), DataDirectoryHolder(lock: lock),
            RetentionSweeper(
                store: store, configuration: configuration.retention,
                longestContactWindow: { [triggers = pipeline.triggers, delivery = configuration.delivery] in
                    delivery.longestCapWindow(among: triggers.triggers.channels.values)
                }, logger: logger),
        ]
        if configuration.exampleData { services.append(ExampleDataLoader(pipeline: pipeline, logger: logger)) }
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Kairos"),
            services: services,
            onServerRunning: { channel in
                let address = channel.localAddress.map { "\($0)" } ?? "\(configuration.host):\(configuration.port)"
                logger.info("listening", metadata: ["address": "\(address)"])
            },
            logger: logger
        )
        return (application, Parts(pipeline: pipeline, registry: registry, keys: keys, generatedKeys: generated))
    }

    /// The routes and middleware of the v1 API.
    static func buildRouter(
        configuration: KairosConfiguration, keys: KeyRing, pipeline: IngestPipeline, registry: DefinitionRegistry,
        backfill: FeatureBackfill, worker: DeliveryWorker, tokens: StreamTokens, decisions: DecisionLog
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        // Metrics outside the error mapping, so they see the final status of every response.
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        let authenticator = Authenticator(keys: keys)
        let bodyReader = JSONBodyReader(maxBytes: configuration.limits.maxRequestBytes)

        OperationsController(pipeline: pipeline, registry: KairosMetrics.registry).addRoutes(to: router)
        TrackingController(
            pipeline: pipeline, parser: EventParser(limits: configuration.limits), authenticator: authenticator,
            bodyReader: bodyReader
        ).addRoutes(to: router)
        ProfilesController(pipeline: pipeline, decisions: decisions, bodyReader: bodyReader).addRoutes(
            to: router.group("v1/profiles").add(middleware: RequireKeyMiddleware(authenticator, scope: .secret))
                .add(middleware: RequireReadyMiddleware(pipeline: pipeline)))
        ItemsController(store: pipeline.store, catalog: pipeline.profiles.recommender.catalog, bodyReader: bodyReader).addRoutes(
            to: router.group("v1/items").add(middleware: RequireKeyMiddleware(authenticator, scope: .secret)))
        DecideController(
            pipeline: pipeline, log: decisions, parser: EventParser(limits: configuration.limits), bodyReader: bodyReader,
            contactPolicy: ContactPolicy(store: pipeline.store, configuration: configuration.delivery)
        ).addRoutes(
            to: router.group("v1").add(middleware: RequireKeyMiddleware(authenticator, scope: .write))
                .add(middleware: RequireReadyMiddleware(pipeline: pipeline)))
        let admin = router.group("v1/admin").add(middleware: RequireKeyMiddleware(authenticator, scope: .secret))
            .add(middleware: RequireReadyMiddleware(pipeline: pipeline))
        addAdminRoutes(
            to: admin, configuration: configuration, pipeline: pipeline, registry: registry, backfill: backfill,
            bodyReader: bodyReader)
        OutcomesController(store: pipeline.store, log: decisions, mapping: pipeline.profiles.recommender.mapping)
            .addRoutes(decisions: admin.group("decisions"), placements: admin.group("placements"))
        StreamController(
            tokens: tokens, worker: worker, authenticator: authenticator, bodyReader: bodyReader,
            heartbeat: .seconds(15)
        ).addRoutes(to: router)
        return router
    }
}

/// Keeps the data directory locked for as long as the application runs.
struct DataDirectoryHolder: Service {
    let lock: DataDirectoryLock

    func run() async throws {
        try await gracefulShutdown()
        withExtendedLifetime(lock) {}
    }
}
