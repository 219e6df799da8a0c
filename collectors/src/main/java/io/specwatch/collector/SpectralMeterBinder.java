package io.specwatch.collector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.Field;
import io.specwatch.catalogue.MetricCatalogue;

/**
 * Micrometer gauges of every exported field of {@link MetricCatalogue}, one row per (model, layer)
 * and label value, over a {@link LatestReports} store. In Prometheus form every name starts with
 * {@code spectral_}; docs/metrics.md lists them. A value that does not apply (a failed fit, the
 * first snapshot's dynamics) has no row rather than a NaN one.
 *
 * <p>The binder keeps no reports of its own: each time the store changes, the rows of every
 * registry it is bound to are replaced by the store's. It can be bound to several registries.
 */
public final class SpectralMeterBinder implements MeterBinder {

    private final LatestReports reports;
    private final Tags extraTags;
    private final SeriesFilter filter;

    /**
     * @param reports the store to export
     * @param tags    extra tags on every row (e.g. {@code job}, {@code rank})
     * @param filter  the series left out for chosen layers
     */
    public SpectralMeterBinder(LatestReports reports, Iterable<Tag> tags, SeriesFilter filter) {
        this.reports = reports;
        this.extraTags = Tags.of(tags);
        this.filter = java.util.Objects.requireNonNull(filter, "filter");
    }

    public SpectralMeterBinder(LatestReports reports, Iterable<Tag> tags) {
        this(reports, tags, SeriesFilter.NONE);
    }

    public SpectralMeterBinder(LatestReports reports) {
        this(reports, Tags.empty());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Map<String, MultiGauge> families = new LinkedHashMap<>();
        for (Field f : MetricCatalogue.exported()) {
            families.computeIfAbsent(f.export().name(), name -> MultiGauge.builder(micrometerName(name))
                    .description(f.export().description()).register(registry));
        }
        reports.onChange(all -> apply(families, all));
    }

    private void apply(Map<String, MultiGauge> families, List<LayerReport> all) {
        Map<String, List<MultiGauge.Row<?>>> rows = new LinkedHashMap<>();
        families.keySet().forEach(name -> rows.put(name, new ArrayList<>()));
        for (LayerReport r : all) {
            Tags base = extraTags.and(MetricCatalogue.MODEL_LABEL, r.model(), MetricCatalogue.LAYER_LABEL, r.layer());
            boolean top = filter.exportsTopSingularValues(r.layer());
            for (Field f : MetricCatalogue.exported()) {
                if (!top && f.key().equals(MetricCatalogue.TOP_SINGULAR_VALUES)) {
                    continue;
                }
                Field.Export e = f.export();
                for (Map.Entry<String, Double> sample : f.samples(r).entrySet()) {
                    Tags tags = e.labelName() == null ? base : base.and(e.labelName(), sample.getKey());
                    rows.get(e.name()).add(MultiGauge.Row.of(tags, sample.getValue()));
                }
            }
        }
        synchronized (families) {
            rows.forEach((name, list) -> families.get(name).register(list, true));
        }
    }

    /** Micrometer's dotted form of a Prometheus name (the Prometheus registry turns it back). */
    static String micrometerName(String prometheusName) {
        return prometheusName.replace('_', '.');
    }
}
