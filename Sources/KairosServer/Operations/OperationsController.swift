import Foundation
import Hummingbird
import KairosCore
import KairosEngine
import Metrics
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
            let footprint = self.pipeline.profiles.stateFootprint()
            Gauge(label: "kairos_feature_state_bytes").record(footprint.bytes)
            let models = self.pipeline.profiles.recommender.footprint()
            for (model, bytes) in models.bytes {
                Gauge(label: "kairos_model_bytes", dimensions: [("model", model)]).record(bytes)
            }
            Gauge(label: "kairos_model_items").record(models.items)
            Gauge(label: "kairos_model_covisitation_pairs").record(models.coVisitationPairs)
            Gauge(label: "kairos_model_sessions").record(models.sessions)
            Gauge(label: "kairos_catalog_items").record(self.pipeline.profiles.recommender.catalog.count)
            for (segment, size) in self.pipeline.profiles.segmentSizes {
                Gauge(label: "kairos_segment_members", dimensions: [("segment", segment)]).record(size)
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            let text = self.registry.emitToBuffer()
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
}
