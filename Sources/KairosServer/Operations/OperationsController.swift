import Foundation
import Hummingbird
import KairosCore
import KairosEngine
import Prometheus

/// `/healthz`, `/readyz`, `/metrics` and `/openapi.json`: open, and free of personal data.
struct OperationsController<Context: RequestContext>: Sendable {
    let pipeline: IngestPipeline
    let registry: PrometheusCollectorRegistry

    func addRoutes(to router: Router<Context>) {
        router.get("healthz") { _, _ in
            Response.json(["status": "ok"])
        }
        router.get("readyz") { _, _ in
            guard self.pipeline.isReady else {
                return Response.error(
                    APIError(status: 503, code: "not_ready", message: "profiles are still being loaded"))
            }
            return Response.json(["status": "ready", "profiles": .number(Double(self.pipeline.profiles.count))])
        }
        router.get("metrics") { _, _ in
            var text = self.registry.emitToBuffer()
            self.stateGauges().emit(into: &text)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        // Read once, when the routes are built (not on every request).
        let document = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources")
            .flatMap { try? Data(contentsOf: $0) }.map { ByteBuffer(bytes: $0) }
        router.get("openapi.json") { _, _ in
            guard let document else {
                throw APIError(status: 500, code: "internal_error", message: "the OpenAPI document is missing")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: document))
        }
    }

    /// What this server holds, measured at the scrape: feature state, model sizes, catalog and
    /// segment sizes. Kept in a registry of the scrape's own rather than the process-wide one,
    /// so that two servers in one process (tests) never report each other's values.
    func stateGauges() -> PrometheusCollectorRegistry {
        let gauges = PrometheusCollectorRegistry()
        func gauge(_ name: String, unit: String = "", _ help: String, labels: [(String, String)] = []) -> Gauge {
            gauges.makeGauge(
                descriptor: MetricNameDescriptor(namespace: "kairos", metricName: name, unitName: unit, helpText: help),
                labels: labels)
        }
        let profiles = pipeline.profiles
        gauge("feature_state", unit: "bytes", "Estimated bytes of the profiles' feature state")
            .set(Double(profiles.stateFootprint().bytes))
        let models = profiles.recommender.footprint()
        for (model, bytes) in models.bytes.sorted(by: { $0.key < $1.key }) {
            gauge("model", unit: "bytes", "Estimated bytes of each recommendation model", labels: [("model", model)]).set(Double(bytes))
        }
        gauge("model_items", "Items the recommendation models know").set(Double(models.items))
        gauge("model_covisitation_pairs", "Item pairs held by the co-visitation model").set(Double(models.coVisitationPairs))
        gauge("model_sessions", "Recent sessions held by the session model").set(Double(models.sessions))
        gauge(
            "model_sessions_cut", "Sessions evicted while still open since start (recommendations.sessions is below the people active within 30 minutes)"
        ).set(Double(profiles.recommender.sessions.cutOpen))
        gauge("catalog_items", "Items in the catalog").set(Double(profiles.recommender.catalog.count))
        for (segment, size) in profiles.segmentSizes.sorted(by: { $0.key < $1.key }) {
            gauge("segment_members", "Profiles in each segment", labels: [("segment", segment)]).set(Double(size))
        }
        return gauges
    }
}
