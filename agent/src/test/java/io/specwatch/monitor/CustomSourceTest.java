package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.analysis.WeightTensor;
import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.CountingEngine;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.history.HistoryReader;
import io.specwatch.history.HistoryWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new source is one interface: a source of synthetic matrices (no training framework) goes through
 * the real monitor, its HTTP exporter and the history; a custom engine passed to the builder
 * computes every spectrum and every update.
 */
class CustomSourceTest {

    @TempDir
    Path dir;

    /** A "model" of two weight matrices and a bias, whose weights drift by a known seed each step. */
    static final class SyntheticSource implements WeightSource {
        long step;
        final List<String> copied = new ArrayList<>();

        @Override
        public List<TensorInfo> tensors() {
            return List.of(new TensorInfo("enc", new long[] {48, 24}), new TensorInfo("enc.bias", new long[] {48}),
                    new TensorInfo("dec", new long[] {24, 48}));
        }

        @Override
        public WeightTensor copy(TensorInfo tensor) {
            copied.add(tensor.name());
            long[] s = tensor.shape();
            var m = SyntheticMatrices.gaussian((int) s[0], (int) s[1], 31 * step + tensor.name().length());
            return new WeightSnapshot.Weight(tensor.name(), s, m.values());
        }
    }

    @Test
    void syntheticMatricesReachMetricsAndHistoryThroughTheRealMonitor() throws Exception {
        CountingEngine engine = new CountingEngine(AutomaticEngine.withDefaults(0));
        SpectralMonitor monitor = SpectralMonitor.builder().model("synthetic").every(5).denseEarly(false).engine(engine).build();
        Path history = dir.resolve("h.jsonl");
        monitor.addSink(new HistoryWriter(history, 0));
        SyntheticSource source = new SyntheticSource();
        try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0)) {
            for (source.step = 0; source.step <= 10; source.step++) {
                monitor.offer(source.step, source);
            }
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            assertEquals(3, monitor.health().snapshots(), "steps 0, 5, 10");
            assertEquals(0, monitor.health().errors());
            assertEquals(List.of("enc", "dec", "enc", "dec", "enc", "dec"), source.copied, "the bias is never copied");
            String body = MonitorEndToEndTest.get(server.port(), "/metrics", null).body();
            assertTrue(MonitorEndToEndTest.sample(body, "spectral_effective_rank_ratio", "layer=\"dec\"", "model=\"synthetic\"") > 0.5);
            assertEquals(10, MonitorEndToEndTest.sample(body, "specwatch_last_snapshot_step"));
        } finally {
            monitor.close();
        }
        // three snapshots of two layers: six spectra; the two later snapshots of two layers: four updates
        // (the warm-up uses the default engines, not this one)
        assertEquals(6, engine.spectra.get());
        assertEquals(4, engine.topTriplets.get());
        List<JsonNode> records = HistoryReader.read(history);
        assertEquals(6, records.size());
        assertEquals("counting(gram64)", records.get(0).get("engine").asText());
        assertTrue(records.get(5).get("update_norm_ratio").asDouble() > 0);
    }

    @Test
    void aBudgetThatCannotHoldTheAnalysisDropsEverySnapshotAndSaysWhy() throws Exception {
        // a 400 x 300 matrix: 480 kB of weights, about 2.2 MB of working memory to analyse
        SpectralMonitor monitor = SpectralMonitor.builder().every(1).memoryBudgetBytes(1_000_000).build();
        try {
            for (int step = 0; step < 3; step++) {
                monitor.offer(step, List.of(new WeightSnapshot.Weight("big", new long[] {400, 300}, new float[120_000])));
            }
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(30)));
            assertEquals(0, monitor.health().snapshots());
            assertEquals(3, monitor.health().dropped());
            assertEquals(0, monitor.health().errors(), "a setting to change, not a failure");
        } finally {
            monitor.close();
        }
        SpectralMonitor roomy = SpectralMonitor.builder().every(1).memoryBudgetBytes(4_000_000).build();
        try {
            roomy.offer(0, List.of(new WeightSnapshot.Weight("big", new long[] {400, 300}, new float[120_000])));
            assertTrue(roomy.awaitIdle(Duration.ofSeconds(30)));
            assertEquals(1, roomy.health().snapshots());
        } finally {
            roomy.close();
        }
    }

    @Test
    void thePreCopiedPathAppliesTheSameSelection() throws Exception {
        SpectralMonitor monitor = SpectralMonitor.builder().every(1).exclude("skip").build();
        try {
            monitor.offer(0, List.of(new WeightSnapshot.Weight("keep", new long[] {20, 10}, new float[200]),
                    new WeightSnapshot.Weight("skip_me", new long[] {20, 10}, new float[200]),
                    new WeightSnapshot.Weight("vector", new long[] {20}, new float[20])));
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(30)));
            assertEquals(List.of("keep"), monitor.latest().all().stream().map(r -> r.layer()).toList());
        } finally {
            monitor.close();
        }
    }
}
