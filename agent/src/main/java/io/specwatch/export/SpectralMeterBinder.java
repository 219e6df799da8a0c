package io.specwatch.export;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.specwatch.metrics.SpectralPhase;
import io.specwatch.monitor.LayerReport;
import io.specwatch.monitor.MonitorHealth;
import io.specwatch.monitor.ReportSink;
import io.specwatch.monitor.SpectralMonitor;

/**
 * Micrometer meters for a {@link SpectralMonitor}: one gauge per (model, layer) for every
 * spectral metric of the latest snapshot, and the monitor's own health. In Prometheus form every
 * name starts with {@code spectral_}; docs/metrics.md lists them all. Gauges of a layer whose value
 * does not apply (a failed fit, the first snapshot's dynamics) are absent rather than NaN.
 */
public final class SpectralMeterBinder implements MeterBinder, ReportSink {

    /** One per-layer gauge: Micrometer name, description, value (NaN: no row). */
    private record Metric(String name, String description, ToDoubleFunction<LayerReport> value) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("spectral.powerlaw.alpha", "Power-law exponent of the ESD tail (KS-selected xmin, WeightWatcher's fit)", r -> pl(r, 0)),
            new Metric("spectral.powerlaw.alpha.hill", "Power-law exponent with xmin at the median eigenvalue", r -> num(r.report().alphaHill())),
            new Metric("spectral.powerlaw.ks.distance", "KS distance of the power-law fit (smaller: better fit)", r -> pl(r, 1)),
            new Metric("spectral.powerlaw.xmin", "Lower bound of the fitted tail (eigenvalue units)", r -> pl(r, 2)),
            new Metric("spectral.powerlaw.tail.size", "Eigenvalues at or above xmin", r -> num(r.report().tailSize())),
            new Metric("spectral.alpha.weighted", "alpha times log10 of the largest eigenvalue", r -> num(r.report().alphaWeighted())),
            new Metric("spectral.spikes", "Eigenvalues beyond the Marchenko-Pastur bulk edge plus the Tracy-Widom margin", r -> r.report().mp() == null ? Double.NaN : r.report().mp().spikes()),
            new Metric("spectral.mp.softrank", "Marchenko-Pastur bulk edge over the largest eigenvalue", r -> r.report().mp() == null ? Double.NaN : r.report().mp().softRank()),
            new Metric("spectral.correlation.traps", "Spikes that survive shuffling the entries (latest measurement)", r -> num(r.correlationTraps())),
            new Metric("spectral.stable.rank", "Frobenius norm squared over spectral norm squared", r -> rank(r, 0)),
            new Metric("spectral.effective.rank.ratio", "Roy-Vetterli effective rank over the number of eigenvalues", r -> rank(r, 1)),
            new Metric("spectral.singular.value.max", "Largest singular value", r -> rank(r, 2)),
            new Metric("spectral.log.spectral.norm", "log10 of the largest eigenvalue", r -> rank(r, 3)),
            new Metric("spectral.matrix.rank", "Numerical rank", r -> rank(r, 4)),
            new Metric("spectral.nonfinite.values", "NaN or infinite entries in the weights", r -> r.report().nonFiniteValues()),
            new Metric("spectral.update.norm.ratio", "Frobenius norm of the update since the previous snapshot over that of the weights", LayerReport::updateNormRatio),
            new Metric("spectral.update.stable.rank", "Stable rank of the update since the previous snapshot", LayerReport::updateStableRank),
            new Metric("spectral.update.alignment", "Overlap of the top right singular vectors of the update and of the weights", LayerReport::updateAlignment),
            new Metric("spectral.layer.alignment", "Alignment of this layer's top left singular vectors with the next layer's right ones", LayerReport::layerAlignment),
            new Metric("spectral.powerlaw.alpha.hill.baseline", "alpha_hill at the layer's first snapshot", LayerReport::alphaHillBaseline),
            new Metric("spectral.effective.rank.ratio.baseline", "Effective-rank ratio at the layer's first snapshot", LayerReport::effectiveRankRatioBaseline));

    private final SpectralMonitor monitor;
    private final Tags extraTags;
    private final Map<String, MultiGauge> gauges = new LinkedHashMap<>();
    private MultiGauge agreement;
    private MultiGauge subspace;
    private MultiGauge phase;
    private MultiGauge topSingular;
    private MultiGauge direction;
    private volatile List<LayerReport> pending = List.of();
    /** Values behind the current rows: gauges hold weak references, so they are kept here. */
    @SuppressWarnings({"unused", "FieldCanBeLocal"})
    private volatile List<double[]> held = List.of();

    public SpectralMeterBinder(SpectralMonitor monitor, Iterable<io.micrometer.core.instrument.Tag> tags) {
        this.monitor = monitor;
        this.extraTags = Tags.of(tags);
    }

    public SpectralMeterBinder(SpectralMonitor monitor) {
        this(monitor, Tags.empty());
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        MonitorHealth health = monitor.health();
        String model = monitor.settings().model();
        Tags tags = extraTags.and("model", model);
        FunctionCounter.builder("spectral.snapshots", health, MonitorHealth::snapshots)
                .description("Weight snapshots taken and queued for analysis").tags(tags).register(registry);
        FunctionCounter.builder("spectral.snapshots.dropped", health, MonitorHealth::dropped)
                .description("Snapshots dropped because the queue was over its memory budget").tags(tags).register(registry);
        FunctionCounter.builder("spectral.analysis.errors", health, MonitorHealth::errors)
                .description("Failures inside the monitor (copying, analysis, export)").tags(tags).register(registry);
        FunctionTimer.builder("spectral.analysis", health, MonitorHealth::analyses, MonitorHealth::analysisSeconds, java.util.concurrent.TimeUnit.SECONDS)
                .description("Time to analyse one snapshot (all layers)").tags(tags).register(registry);
        Gauge.builder("spectral.pending", health, MonitorHealth::pendingBytes).baseUnit("bytes")
                .description("Memory held by snapshots waiting for analysis").tags(tags).register(registry);
        Gauge.builder("spectral.last.snapshot.step", health, MonitorHealth::lastStep)
                .description("Training step of the last analysed snapshot").tags(tags).register(registry);
        Gauge.builder("spectral.last.snapshot.timestamp", health, h -> h.lastEpochMillis() / 1000.0).baseUnit("seconds")
                .description("Wall-clock time of the last analysed snapshot").tags(tags).register(registry);
        for (Metric m : METRICS) {
            gauges.put(m.name(), MultiGauge.builder(m.name()).description(m.description()).register(registry));
        }
        agreement = MultiGauge.builder("spectral.singular.vector.agreement")
                .description("Mean |(u.u')(v.v')| of the top singular vectors against a reference snapshot").register(registry);
        subspace = MultiGauge.builder("spectral.subspace.overlap")
                .description("Overlap of the top left singular subspace with a reference snapshot's").register(registry);
        phase = MultiGauge.builder("spectral.phase")
                .description("1 for the layer's current spectral phase, 0 for the others").register(registry);
        topSingular = MultiGauge.builder("spectral.top.singular.value")
                .description("The largest singular values, by rank").register(registry);
        direction = MultiGauge.builder("spectral.direction.overlap")
                .description("|<v1(W), beta>| / |beta| for a tracked direction beta").register(registry);
        apply(pending);
    }

    @Override
    public void accept(List<LayerReport> snapshot) {
        // keep every layer's latest report, also layers a snapshot did not include
        Map<String, LayerReport> merged = new LinkedHashMap<>();
        for (LayerReport r : pending) {
            merged.put(r.layer(), r);
        }
        for (LayerReport r : snapshot) {
            merged.put(r.layer(), r);
        }
        pending = List.copyOf(merged.values());
        synchronized (this) {
            if (agreement != null) {
                apply(pending);
            }
        }
    }

    private void apply(List<LayerReport> reports) {
        List<double[]> keep = new ArrayList<>();
        for (Metric m : METRICS) {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            for (LayerReport r : reports) {
                row(rows, keep, base(r), m.value().applyAsDouble(r));
            }
            gauges.get(m.name()).register(rows, true);
        }
        List<MultiGauge.Row<?>> agreementRows = new ArrayList<>();
        List<MultiGauge.Row<?>> subspaceRows = new ArrayList<>();
        List<MultiGauge.Row<?>> phaseRows = new ArrayList<>();
        List<MultiGauge.Row<?>> topRows = new ArrayList<>();
        List<MultiGauge.Row<?>> directionRows = new ArrayList<>();
        int k = monitor.settings().topSingularValues();
        for (LayerReport r : reports) {
            Tags t = base(r);
            row(agreementRows, keep, t.and("reference", "previous"), r.agreementPrevious());
            row(agreementRows, keep, t.and("reference", "first"), r.agreementFirst());
            row(subspaceRows, keep, t.and("reference", "previous"), r.subspaceOverlapPrevious());
            row(subspaceRows, keep, t.and("reference", "first"), r.subspaceOverlapFirst());
            for (SpectralPhase p : SpectralPhase.values()) {
                row(phaseRows, keep, t.and("phase", p.label()), p == r.report().phase() ? 1 : 0);
            }
            double[] top = r.report().topSingularValues(k);
            for (int i = 0; i < top.length; i++) {
                row(topRows, keep, t.and("rank", Integer.toString(i + 1)), top[i]);
            }
            for (var d : r.directionOverlaps().entrySet()) {
                row(directionRows, keep, t.and("direction", d.getKey()), d.getValue());
            }
        }
        agreement.register(agreementRows, true);
        subspace.register(subspaceRows, true);
        phase.register(phaseRows, true);
        topSingular.register(topRows, true);
        direction.register(directionRows, true);
        held = keep;
    }

    private Tags base(LayerReport r) {
        return extraTags.and("model", r.model(), "layer", r.layer());
    }

    private static void row(List<MultiGauge.Row<?>> rows, List<double[]> keep, Tags tags, double value) {
        if (Double.isFinite(value)) {
            double[] holder = {value};
            keep.add(holder);
            rows.add(MultiGauge.Row.of(tags, holder, h -> h[0]));
        }
    }

    private static double pl(LayerReport r, int field) {
        var fit = r.report().powerLaw();
        if (fit == null || !fit.ok()) {
            return Double.NaN;
        }
        return switch (field) {
            case 0 -> fit.alpha();
            case 1 -> fit.ksDistance();
            default -> fit.xmin();
        };
    }

    private static double rank(LayerReport r, int field) {
        var rank = r.report().rank();
        if (rank == null) {
            return Double.NaN;
        }
        return switch (field) {
            case 0 -> rank.stableRank();
            case 1 -> rank.effectiveRankRatio();
            case 2 -> rank.svMax();
            case 3 -> rank.logSpectralNorm();
            default -> rank.matrixRank();
        };
    }

    private static double num(Number n) {
        return n == null ? Double.NaN : n.doubleValue();
    }
}
