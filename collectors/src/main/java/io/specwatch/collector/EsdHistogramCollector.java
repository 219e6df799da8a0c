package io.specwatch.collector;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.MetricCatalogue;

/**
 * The latest ESD of every layer as a Prometheus gauge histogram {@code spectral_esd}: eigenvalues
 * divided by their mean, counted in log-spaced buckets, computed from the {@link LatestReports}
 * store at each scrape. Micrometer has no gauge histogram, so this collector is registered on the
 * Prometheus registry directly. Query it without {@code rate()}: its buckets are a fresh
 * distribution at every scrape and may go down.
 */
public final class EsdHistogramCollector implements Collector {

    /** Metric name. */
    public static final String NAME = "spectral_esd";

    private final LatestReports reports;
    private final Labels extraLabels;
    private final SeriesFilter filter;
    private final double[] bounds;

    /**
     * @param reports     the store to export
     * @param extraLabels labels on every data point besides {@code model} and {@code layer}
     * @param lowest      upper bound of the first bucket (default 1e-3)
     * @param highest     upper bound of the last finite bucket (default 1e3)
     * @param buckets     number of finite buckets, log-spaced (default 24)
     * @param filter      the layers whose ESD is left out ({@link SeriesFilter#exportsEsd})
     */
    public EsdHistogramCollector(LatestReports reports, Labels extraLabels, double lowest, double highest, int buckets,
                                 SeriesFilter filter) {
        if (!(lowest > 0 && highest > lowest && buckets >= 2)) {
            throw new IllegalArgumentException("ESD buckets need 0 < lowest < highest and at least 2 buckets");
        }
        this.reports = reports;
        this.extraLabels = extraLabels;
        this.filter = java.util.Objects.requireNonNull(filter, "filter");
        bounds = new double[buckets];
        for (int i = 0; i < buckets; i++) {
            bounds[i] = lowest * Math.pow(highest / lowest, (double) i / (buckets - 1));
        }
    }

    public EsdHistogramCollector(LatestReports reports, Labels extraLabels, SeriesFilter filter) {
        this(reports, extraLabels, 1e-3, 1e3, 24, filter);
    }

    public EsdHistogramCollector(LatestReports reports, Labels extraLabels) {
        this(reports, extraLabels, SeriesFilter.NONE);
    }

    public EsdHistogramCollector(LatestReports reports) {
        this(reports, Labels.EMPTY);
    }

    /** The finite upper bounds of the buckets. */
    public double[] bounds() {
        return bounds.clone();
    }

    HistogramSnapshot.HistogramDataPointSnapshot point(LayerReport r, double[] lambda) {
        double mean = 0;
        for (double l : lambda) {
            mean += l;
        }
        mean /= lambda.length;
        long[] counts = new long[bounds.length + 1];
        double sum = 0;
        for (double l : lambda) {
            double x = mean > 0 ? l / mean : 0;
            sum += x;
            int b = 0;
            while (b < bounds.length && x > bounds[b]) {
                b++;
            }
            counts[b]++;
        }
        ClassicHistogramBuckets.Builder buckets = ClassicHistogramBuckets.builder();
        for (int i = 0; i < bounds.length; i++) {
            buckets.bucket(bounds[i], counts[i]);
        }
        buckets.bucket(Double.POSITIVE_INFINITY, counts[bounds.length]);
        return HistogramSnapshot.HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(buckets.build())
                .sum(sum)
                .labels(extraLabels.merge(Labels.of(MetricCatalogue.LAYER_LABEL, r.layer(), MetricCatalogue.MODEL_LABEL, r.model())))
                .build();
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder builder = HistogramSnapshot.builder()
                .name(NAME)
                .help("Eigenvalues of the latest snapshot divided by their mean (gauge histogram; no rate())")
                .gaugeHistogram(true);
        for (LayerReport r : reports.all()) {
            double[] lambda = r.report().eigenvalues();
            if (lambda != null && lambda.length > 0 && filter.exportsEsd(r.layer())) {
                builder.dataPoint(point(r, lambda));
            }
        }
        return builder.build();
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }
}
