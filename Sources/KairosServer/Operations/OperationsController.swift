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
        let profiles = pipeline.profiles
        gauges.makeGauge(name: "kairos_feature_state_bytes").set(Double(profiles.stateFootprint().bytes))
        let models = profiles.recommender.footprint()
        for (model, bytes) in models.bytes.sorted(by: { $0.key < $1.key }) {
            gauges.makeGauge(name: "kairos_model_bytes", labels: [("model", model)]).set(Double(bytes))
        }
        gauges.makeGauge(name: "kairos_model_items").set(Double(models.items))
        gauges.makeGauge(name: "kairos_model_covisitation_pairs").set(Double(models.coVisitationPairs))
        gauges.makeGauge(name: "kairos_model_sessions").set(Double(models.sessions))
        gauges.makeGauge(name: "kairos_catalog_items").set(Double(profiles.recommender.catalog.count))
        for (segment, size) in profiles.segmentSizes.sorted(by: { $0.key < $1.key }) {
            gauges.makeGauge(name: "kairos_segment_members", labels: [("segment", segment)]).set(Double(size))
        }
        return gauges
    }
}
