import CoreMetrics
package import Prometheus
import ServiceMetrics

/// The Prometheus registry behind swift-metrics' global API, made once per process by `facedrop run`.
package enum MetricsRegistry {
    /// A registry and the swift-metrics factory that records into it, with the buckets facedrop's histograms use.
    ///
    /// Bootstrapping is up to the caller (`MetricsSystem.bootstrap(factory)`): it may happen once per process, so
    /// library code never does it and tests can make their own registry without touching the global.
    package static func make() -> (registry: PrometheusCollectorRegistry, factory: PrometheusMetricsFactory) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets[DaemonMetrics.pollLag] = DaemonMetrics.pollLagBuckets
        return (registry, factory)
    }

    /// Makes a registry and bootstraps swift-metrics with it; the registry then holds everything any module records.
    ///
    /// - Important: Once per process (swift-metrics stops a second bootstrap): `facedrop run` calls it at start.
    package static func bootstrapGlobal() -> PrometheusCollectorRegistry {
        let (registry, factory) = make()
        MetricsSystem.bootstrap(factory)
        return registry
    }
}
