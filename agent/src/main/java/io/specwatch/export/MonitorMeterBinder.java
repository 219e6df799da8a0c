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
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.collector.EsdHistogramCollector;
import io.specwatch.collector.SpectralMeterBinder;
import io.specwatch.engine.cuda.CudaSpectrumEngine;
import io.specwatch.monitor.MonitorHealth;
import io.specwatch.monitor.MonitorSettings;
import io.specwatch.monitor.SpectralMonitor;

/**
 * Everything a monitor exports, bound to a Micrometer registry in one call:
 * {@code new MonitorMeterBinder(monitor).bindTo(registry)}. That is the per-layer spectral gauges
 * ({@link SpectralMeterBinder}), the monitor's health, the build info and, when the registry is a
 * {@link PrometheusMeterRegistry}, the ESD gauge histogram ({@link EsdHistogramCollector}). Every
 * gauge reads its source at scrape time. Every series carries the monitor's {@code rank}; the
 * per-layer ones also its {@code model}. docs/metrics.md lists the names: the spectral metrics
 * start with {@code spectral_}, the monitor's own with {@code specwatch_}.
 */
public final class MonitorMeterBinder implements MeterBinder {

    /**
     * The metrics this binder adds beside the catalogue's per-layer gauges, as Prometheus names them,
     * with their Prometheus type (counter, summary, gauge): what docs/metrics.md and the dashboards' checks compare with.
     */
    public static final Map<String, String> OWN_METRICS = ownMetrics();

    private static Map<String, String> ownMetrics() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("specwatch_snapshots_total", "counter");
        m.put("specwatch_snapshots_dropped_total", "counter");
        m.put("specwatch_analysis_errors_total", "counter");
        m.put("specwatch_analysis_seconds", "summary");
        m.put("specwatch_pending_bytes", "gauge");
        m.put("specwatch_last_snapshot_step", "gauge");
        m.put("specwatch_last_snapshot_timestamp_seconds", "gauge");
        m.put("specwatch_world_size", "gauge");
        m.put("specwatch_build_info", "gauge");
        m.put("specwatch_engine_gpu_decompositions_total", "counter");
        m.put("specwatch_engine_fallbacks_total", "counter");
        m.put(EsdHistogramCollector.NAME, "gauge histogram");
        return java.util.Collections.unmodifiableMap(m);
    }

    private final SpectralMonitor monitor;
    private final Tags extraTags;

    /**
     * @param monitor the monitor to export
     * @param tags    extra tags on every meter (e.g. {@code job}); {@code model} and {@code rank} are added from the monitor
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
        MonitorSettings settings = monitor.settings();
        // the rank is on every series, so the ranks of one job never collide (their layers do not
        // either: each layer is analysed by one rank) and a rank that stops reporting can be named
        Tags process = extraTags.and(MetricCatalogue.RANK_LABEL, Integer.toString(settings.rank().rank()));
        Tags tags = process.and(MetricCatalogue.MODEL_LABEL, settings.model());
        FunctionCounter.builder("specwatch.snapshots", health, MonitorHealth::snapshots)
                .description("Weight snapshots taken and queued for analysis").tags(tags).register(registry);
        FunctionCounter.builder("specwatch.snapshots.dropped", health, MonitorHealth::dropped)
                .description("Snapshots dropped because the queue was over its memory budget").tags(tags).register(registry);
        FunctionCounter.builder("specwatch.analysis.errors", health, MonitorHealth::errors)
                .description("Failures inside the monitor (copying, analysis, export)").tags(tags).register(registry);
        FunctionTimer.builder("specwatch.analysis", health, MonitorHealth::analyses, MonitorHealth::analysisSeconds, TimeUnit.SECONDS)
                .description("Time to analyse one snapshot (all layers)").tags(tags).register(registry);
        Gauge.builder("specwatch.pending", health, MonitorHealth::pendingBytes).baseUnit("bytes")
                .description("Memory held by snapshots waiting for analysis").tags(tags).register(registry);
        Gauge.builder("specwatch.last.snapshot.step", health, MonitorHealth::lastStep)
                .description("Training step of the last analysed snapshot").tags(tags).register(registry);
        Gauge.builder("specwatch.last.snapshot.timestamp", health, h -> h.lastEpochMillis() / 1000.0).baseUnit("seconds")
                .description("Wall-clock time of the last analysed snapshot").tags(tags).register(registry);
        Gauge.builder("specwatch.world.size", settings.rank(), r -> r.worldSize())
                .description("Number of processes in the job (a gauge, never a label)").tags(tags).register(registry);
        Gauge.builder("specwatch.build.info", () -> 1).description("specwatch version")
                .tags(process.and("version", BuildInfo.version())).register(registry);
        if (settings.engine() instanceof CudaSpectrumEngine gpu) {
            FunctionCounter.builder("specwatch.engine.gpu.decompositions", gpu, CudaSpectrumEngine::deviceDecompositions)
                    .description("Matrices the GPU engine decomposed on the device").tags(tags).register(registry);
            FunctionCounter.builder("specwatch.engine.fallbacks", gpu, CudaSpectrumEngine::fallbacks)
                    .description("Matrices the GPU engine handed to its CPU fallback (each cause is logged once)")
                    .tags(tags).register(registry);
        }
        new SpectralMeterBinder(monitor.latest(), process, settings.series()).bindTo(registry);
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            Labels labels = Labels.EMPTY;
            for (Tag t : process) {
                labels = labels.add(t.getKey(), t.getValue());
            }
            try {
                prometheus.getPrometheusRegistry().register(new EsdHistogramCollector(monitor.latest(), labels, settings.series()));
            } catch (IllegalArgumentException alreadyRegistered) {
                // bound to this registry before: its ESD collector is already there
            }
        }
    }
}
