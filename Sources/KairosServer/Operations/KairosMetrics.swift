import Metrics
import Prometheus

/// The process-wide Prometheus registry behind swift-metrics, bootstrapped once.
public enum KairosMetrics {
    /// The registry `/metrics` renders.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultValueHistogramBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
