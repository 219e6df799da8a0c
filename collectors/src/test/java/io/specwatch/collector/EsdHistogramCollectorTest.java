package io.specwatch.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TestReports;
import org.junit.jupiter.api.Test;

class EsdHistogramCollectorTest {

    @Test
    void bucketsCountEigenvaluesOverTheirMeanWithTheExtraLabels() {
        LatestReports store = new LatestReports();
        List<LayerReport> reports = TestReports.twoSnapshots("m");
        store.accept(reports);
        // bounds 0.1, 1, 10 (three log-spaced buckets) and +Inf
        EsdHistogramCollector esd = new EsdHistogramCollector(store, Labels.of("job", "train"), 0.1, 10, 3, SeriesFilter.NONE);
        assertEquals(List.of(0.1, 1.0, 10.0), java.util.Arrays.stream(esd.bounds()).boxed().toList());
        HistogramSnapshot snapshot = (HistogramSnapshot) esd.collect();
        assertEquals("spectral_esd", snapshot.getMetadata().getName());
        assertEquals(3, snapshot.getDataPoints().size());
        HistogramSnapshot.HistogramDataPointSnapshot fc1 = snapshot.getDataPoints().get(0);
        assertEquals(Labels.of("job", "train", "layer", "fc1", "model", "m"), fc1.getLabels());
        // the expected counts, from the eigenvalues directly
        double[] lambda = reports.get(0).report().eigenvalues();
        double mean = java.util.Arrays.stream(lambda).average().orElseThrow();
        long[] expected = new long[4];
        for (double l : lambda) {
            double x = l / mean;
            expected[x <= 0.1 ? 0 : x <= 1 ? 1 : x <= 10 ? 2 : 3]++;
        }
        ClassicHistogramBuckets buckets = fc1.getClassicBuckets();
        long cumulative = 0;
        for (int i = 0; i < 4; i++) {
            cumulative += expected[i];
            // the model's counts are per bucket, not cumulative
            assertEquals(expected[i], buckets.getCount(i), "bucket " + i);
        }
        assertEquals(lambda.length, cumulative);
        assertEquals(lambda.length, fc1.getSum(), 1e-9, "eigenvalues over their mean sum to their count");
    }

    @Test
    void theEsdOfChosenLayersIsLeftOut() {
        LatestReports store = new LatestReports();
        store.accept(TestReports.twoSnapshots("m"));
        HistogramSnapshot snapshot = (HistogramSnapshot) new EsdHistogramCollector(store, Labels.EMPTY, SeriesFilter.of("^fc", null)).collect();
        assertEquals(List.of("tiny"), snapshot.getDataPoints().stream().map(p -> p.getLabels().get("layer")).toList());
    }
}
