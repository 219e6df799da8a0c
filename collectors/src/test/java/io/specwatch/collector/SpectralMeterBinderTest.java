package io.specwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TestReports;
import org.junit.jupiter.api.Test;

class SpectralMeterBinderTest {

    static Gauge gauge(MeterRegistry registry, String name, String... tags) {
        return registry.find(name).tags(tags).gauge();
    }

    @Test
    void oneBinderServesTwoRegistriesFromTheStoreAlone() {
        LatestReports store = new LatestReports();
        SpectralMeterBinder binder = new SpectralMeterBinder(store, Tags.of("job", "train"));
        SimpleMeterRegistry simple = new SimpleMeterRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        binder.bindTo(simple);
        binder.bindTo(prometheus);
        assertNull(gauge(simple, "spectral.powerlaw.alpha.hill", "layer", "fc1"), "nothing before the first report");
        List<LayerReport> reports = TestReports.twoSnapshots("m");
        store.accept(reports);
        LayerReport fc1 = reports.get(0);
        for (MeterRegistry r : List.of(simple, prometheus)) {
            Gauge alphaHill = gauge(r, "spectral.powerlaw.alpha.hill", "model", "m", "layer", "fc1", "job", "train");
            assertEquals(fc1.report().alphaHill(), alphaHill.value(), 0);
            assertEquals(fc1.dynamics().previous().agreement(),
                    gauge(r, "spectral.singular.vector.agreement", "layer", "fc1", "reference", "previous").value(), 0);
            assertEquals(fc1.topSingularValues()[1], gauge(r, "spectral.top.singular.value", "layer", "fc1", "index", "2").value(), 0);
            assertEquals(1.0, gauge(r, "spectral.phase", "layer", "fc1", "phase", fc1.report().phase().label()).value(), 0);
            // does not apply: no row, rather than NaN
            assertNull(gauge(r, "spectral.powerlaw.alpha", "layer", "tiny"), "a 8 x 4 matrix has no fit");
            assertNull(gauge(r, "spectral.layer.alignment", "layer", "fc2"));
        }
        String text = prometheus.scrape();
        assertTrue(text.contains("spectral_powerlaw_alpha_hill{job=\"train\",layer=\"fc1\",model=\"m\"}"), text);
        String nan = java.util.Arrays.stream(text.split("\n")).filter(l -> l.endsWith(" NaN")).findFirst().orElse(null);
        assertNull(nan, "no NaN rows");
    }

    @Test
    void aLayerKeepsItsLastValuesWhenALaterSnapshotLeavesItOut() {
        LatestReports store = new LatestReports();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new SpectralMeterBinder(store).bindTo(registry);
        List<LayerReport> reports = TestReports.twoSnapshots("m");
        store.accept(reports);
        store.accept(List.of(reports.get(1)));
        assertEquals(3, store.size());
        assertEquals(reports.get(0).report().rank().stableRank(), gauge(registry, "spectral.stable.rank", "layer", "fc1").value(), 0);
    }

    @Test
    void theTopSingularValuesOfChosenLayersAreLeftOutAndNothingElse() {
        LatestReports store = new LatestReports();
        PrometheusMeterRegistry all = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrometheusMeterRegistry filtered = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new SpectralMeterBinder(store, Tags.of("rank", "3")).bindTo(all);
        new SpectralMeterBinder(store, Tags.of("rank", "3"), SeriesFilter.of(null, "^fc1$")).bindTo(filtered);
        store.accept(TestReports.twoSnapshots("m"));
        assertEquals(5, all.find("spectral.top.singular.value").tags("layer", "fc1", "rank", "3").gauges().size());
        assertEquals(0, filtered.find("spectral.top.singular.value").tags("layer", "fc1").gauges().size());
        assertEquals(5, filtered.find("spectral.top.singular.value").tags("layer", "fc2").gauges().size(), "fc2 keeps them");
        // exactly the five series go: every other line of the scrape is the same
        List<String> allLines = series(all.scrape());
        List<String> filteredLines = series(filtered.scrape());
        List<String> gone = allLines.stream().filter(l -> !filteredLines.contains(l)).toList();
        assertEquals(5, gone.size(), gone.toString());
        assertTrue(gone.stream().allMatch(l -> l.startsWith("spectral_top_singular_value{") && l.contains("layer=\"fc1\"")), gone.toString());
        assertTrue(allLines.stream().filter(l -> !l.startsWith("#")).allMatch(l -> l.contains("rank=\"3\"")), "the rank tag on every row");
    }

    private static List<String> series(String scrape) {
        return scrape.lines().filter(l -> !l.startsWith("#")).toList();
    }
}
