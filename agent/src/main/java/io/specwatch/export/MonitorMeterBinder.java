package io.specwatch.export;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.specwatch.catalogue.BuildInfo;
import io.specwatch.collector.EsdHistogramCollector;
import io.specwatch.collector.SpectralMeterBinder;
import io.specwatch.monitor.MonitorHealth;
import io.specwatch.monitor.SpectralMonitor;

/**
 * Everything a monitor exports, bound to a Micrometer registry in one call:
 * {@code new MonitorMeterBinder(monitor).bindTo(registry)}. That is the per-layer spectral gauges
 * ({@link SpectralMeterBinder}), the monitor's health, the build info and, when the registry is a
 * {@link PrometheusMeterRegistry}, the ESD gauge histogram ({@link EsdHistogramCollector}). Every
 * gauge reads its source at scrape time. docs/metrics.md lists the names.
 */
public final class MonitorMeterBinder implements MeterBinder {

    /**
     * The metrics this binder adds beside the catalogue's per-layer gauges, as Prometheus names them,
     * with their Prometheus type (counter, summary, gauge): what docs/metrics.md and the dashboards' checks compare with.
     */
    public static final Map<String, String> OWN_METRICS = ownMetrics();

    private static Map<String, String> ownMetrics() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("spectral_snapshots_total", "counter");
        m.put("spectral_snapshots_dropped_total", "counter");
        m.put("spectral_analysis_errors_total", "counter");
        m.put("spectral_analysis_seconds", "summary");
        m.put("spectral_pending_bytes", "gauge");
        m.put("spectral_last_snapshot_step", "gauge");
        m.put("spectral_last_snapshot_timestamp_seconds", "gauge");
        m.put("spectral_build_info", "gauge");
        m.put(EsdHistogramCollector.NAME, "gauge histogram");
        return java.util.Collections.unmodifiableMap(m);
    }

    private final SpectralMonitor monitor;
    private final Tags extraTags;

    /**
     * @param monitor the monitor to export
     * @param tags    extra tags on every meter (e.g. {@code job}); {@code model} is added from the monitor
     */
    public MonitorMeterBinder(SpectralMonitor monitor, Iterable<Tag> tags) {
        this.monitor = monitor;
        this.extraTags = Tags.of(tags);
    }

    public MonitorMeterBinder(SpectralMonitor monitor) {
        this(monitor, Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        MonitorHealth health = monitor.health();
        Tags tags = extraTags.and("model", monitor.settings().model());
        FunctionCounter.builder("spectral.snapshots", health, MonitorHealth::snapshots)
                .description("Weight snapshots taken and queued for analysis").tags(tags).register(registry);
        FunctionCounter.builder("spectral.snapshots.dropped", health, MonitorHealth::dropped)
                .description("Snapshots dropped because the queue was over its memory budget").tags(tags).register(registry);
        FunctionCounter.builder("spectral.analysis.errors", health, MonitorHealth::errors)
                .description("Failures inside the monitor (copying, analysis, export)").tags(tags).register(registry);
        FunctionTimer.builder("spectral.analysis", health, MonitorHealth::analyses, MonitorHealth::analysisSeconds, TimeUnit.SECONDS)
                .description("Time to analyse one snapshot (all layers)").tags(tags).register(registry);
        Gauge.builder("spectral.pending", health, MonitorHealth::pendingBytes).baseUnit("bytes")
                .description("Memory held by snapshots waiting for analysis").tags(tags).register(registry);
        Gauge.builder("spectral.last.snapshot.step", health, MonitorHealth::lastStep)
                .description("Training step of the last analysed snapshot").tags(tags).register(registry);
        Gauge.builder("spectral.last.snapshot.timestamp", health, h -> h.lastEpochMillis() / 1000.0).baseUnit("seconds")
                .description("Wall-clock time of the last analysed snapshot").tags(tags).register(registry);
        Gauge.builder("spectral.build.info", () -> 1).description("specwatch version")
                .tags(extraTags.and("version", BuildInfo.version())).register(registry);
        new SpectralMeterBinder(monitor.latest(), extraTags).bindTo(registry);
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            Labels labels = Labels.EMPTY;
            for (Tag t : extraTags) {
                labels = labels.add(t.getKey(), t.getValue());
            }
            try {
                prometheus.getPrometheusRegistry().register(new EsdHistogramCollector(monitor.latest(), labels));
            } catch (IllegalArgumentException alreadyRegistered) {
                // bound to this registry before: its ESD collector is already there
            }
        }
    }
}
