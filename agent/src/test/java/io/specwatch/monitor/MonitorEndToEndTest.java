package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import ai.djl.Model;
import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.analysis.LayerReport;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.history.HistoryReader;
import io.specwatch.history.HistoryWriter;
import io.specwatch.source.djl.SpectralTrainingListener;
import io.specwatch.analysis.WeightSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real DJL training job with the listener, scraped over real HTTP. */
public class MonitorEndToEndTest {

    @TempDir
    Path dir;

    static final HttpClient HTTP = HttpClient.newHttpClient();

    public static HttpResponse<String> get(int port, String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            b.header("Accept", accept);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the first sample line of {@code metric} whose labels contain all {@code labels}. */
    public static double sample(String body, String metric, String... labels) {
        for (String line : body.split("\n")) {
            if (!line.startsWith(metric + "{") && !line.startsWith(metric + " ")) {
                continue;
            }
            boolean all = true;
            for (String l : labels) {
                all &= line.contains(l);
            }
            if (all) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample " + metric + " with " + List.of(labels) + " in\n" + body);
    }

    @Test
    void trainingJobExportsSpectraOverHttpAndKeepsAHistory() throws Exception {
        Path history = dir.resolve("history.jsonl");
        SpectralMonitor monitor = SpectralMonitor.builder().model("tiny").every(8).trapsEvery(2).build();
        monitor.addSink(new HistoryWriter(history, 64));
        try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0); Model model = TinyTraining.model()) {
            SpectralTrainingListener listener = new SpectralTrainingListener(monitor);
            TinyTraining.train(model, 512, 2, 1, listener); // 16 batches per epoch: 32 steps
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            assertEquals(32, listener.step());
            // steps 0, 1, 2, 4, 8, 16, 24 by schedule, and 32 at the end of training
            assertEquals(8, monitor.health().snapshots());
            assertEquals(0, monitor.health().dropped());
            assertEquals(0, monitor.health().errors());

            HttpResponse<String> response = get(server.port(), "/metrics", null);
            assertEquals(200, response.statusCode());
            String body = response.body();
            String layer = "layer=\"03Linear_weight\"";
            String model0 = "model=\"tiny\"";
            // a 48 x 64 layer: M = 48 eigenvalues, all the spectral numbers present and sane
            double alphaHill = sample(body, "spectral_powerlaw_alpha_hill", layer, model0);
            assertTrue(alphaHill > 1 && alphaHill < 20, "alpha_hill " + alphaHill);
            double erank = sample(body, "spectral_effective_rank_ratio", layer);
            assertTrue(erank > 0 && erank <= 1, "erank " + erank);
            assertTrue(sample(body, "spectral_singular_value_max", layer) > 0);
            assertTrue(sample(body, "spectral_stable_rank", layer) >= 1);
            assertEquals(0, sample(body, "spectral_nonfinite_values", layer));
            assertTrue(sample(body, "spectral_spikes", layer) >= 0);
            assertTrue(sample(body, "spectral_correlation_traps", layer) >= 0);
            double agreement = sample(body, "spectral_singular_vector_agreement", layer, "reference=\"previous\"");
            assertTrue(agreement > 0 && agreement <= 1, "agreement " + agreement);
            sample(body, "spectral_singular_vector_agreement", layer, "reference=\"first\"");
            double update = sample(body, "spectral_update_norm_ratio", layer);
            assertTrue(update > 0 && update < 1, "update ratio " + update);
            double alignment = sample(body, "spectral_update_alignment", layer);
            assertTrue(alignment >= 0 && alignment <= 1);
            // DJL numbers the Sequential children with the activations: 01 (64 x 32) feeds 03 (48 x 64)
            double chain = sample(body, "spectral_layer_alignment", "layer=\"01Linear_weight\"");
            assertTrue(chain >= 0 && chain <= 1);
            double s1 = sample(body, "spectral_top_singular_value", layer, "index=\"1\"");
            double s2 = sample(body, "spectral_top_singular_value", layer, "index=\"2\"");
            assertTrue(s1 >= s2 && s2 > 0);
            assertEquals(s1, sample(body, "spectral_singular_value_max", layer), 1e-9 * s1);
            int phases = 0;
            for (String line : body.split("\n")) {
                if (line.startsWith("spectral_phase{") && line.contains(layer) && line.endsWith(" 1.0")) {
                    phases++;
                }
            }
            assertEquals(1, phases, "exactly one current phase per layer");
            assertEquals(32, sample(body, "specwatch_last_snapshot_step", model0));
            assertTrue(sample(body, "specwatch_last_snapshot_timestamp_seconds") > 1.7e9);
            assertEquals(8, sample(body, "specwatch_snapshots_total", model0));
            assertEquals(0, sample(body, "specwatch_snapshots_dropped_total"));
            assertEquals(0, sample(body, "specwatch_analysis_errors_total"));
            assertEquals(8, sample(body, "specwatch_analysis_seconds_count"));
            assertEquals(0, sample(body, "specwatch_pending_bytes"));
            assertTrue(sample(body, "spectral_powerlaw_alpha_hill_baseline", layer) > 1);
            assertEquals(1, sample(body, "specwatch_build_info"));
            // the ESD gauge histogram: 48 eigenvalues of that layer in its buckets
            assertEquals(48, sample(body, "spectral_esd_bucket", layer, "le=\"+Inf\""));
            assertTrue(body.contains("# TYPE spectral_esd histogram"), "gauge histogram in text format 0.0.4");

            String open = get(server.port(), "/metrics", "application/openmetrics-text; version=1.0.0").body();
            assertTrue(open.contains("# TYPE spectral_esd gaugehistogram"), "OpenMetrics names it a gauge histogram");
            assertTrue(open.trim().endsWith("# EOF"));
            assertEquals(200, get(server.port(), "/-/healthy", null).statusCode());

            // the live page's data
            String layers = get(server.port(), "/api/layers", null).body();
            assertTrue(layers.contains("\"layer\":\"03Linear_weight\""));
            assertEquals(200, get(server.port(), "/", null).statusCode());
            assertEquals(404, get(server.port(), "/nope", null).statusCode());
            assertEquals(400, get(server.port(), "/api/series", null).statusCode());
        } finally {
            monitor.close();
        }

        // history: one record per layer per snapshot, values as the monitor reported them
        List<JsonNode> records = HistoryReader.read(history);
        assertEquals(8 * 3, records.size());
        JsonNode last = records.get(records.size() - 2); // 03Linear_weight at step 32
        assertEquals(32, last.get("step").asLong());
        assertEquals("03Linear_weight", last.get("layer").asText());
        assertEquals("tiny", last.get("model").asText());
        LayerReport latest = monitor.latest().all().get(1);
        assertEquals(latest.report().alphaHill(), last.get("alpha_hill").asDouble(), 0);
        assertEquals(latest.dynamics().update().normRatio(), last.get("update_norm_ratio").asDouble(), 0);
        assertEquals(5, last.get("top_singular_values").size());
        assertEquals(48, last.get("eigenvalues").size());
        // a crash mid-write leaves a truncated last line: the reader skips it
        Files.writeString(history, "{\"step\": 40, \"layer\": \"00Lin", StandardOpenOption.APPEND);
        assertEquals(8 * 3, HistoryReader.read(history).size());
    }

    @Test
    void nanWeightsAreReportedWithoutDisturbingTraining() throws Exception {
        SpectralMonitor monitor = SpectralMonitor.builder().model("nan").every(4).denseEarly(false).build();
        try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0); Model model = TinyTraining.model()) {
            SpectralTrainingListener listener = new SpectralTrainingListener(monitor);
            ai.djl.training.listener.TrainingListenerAdapter inject = new ai.djl.training.listener.TrainingListenerAdapter() {
                private int batch;

                @Override
                public void onTrainingBatch(ai.djl.training.Trainer trainer, BatchData data) {
                    if (++batch == 6) {
                        var weight = trainer.getModel().getBlock().getParameters().get("01Linear_weight").getArray();
                        weight.set(new ai.djl.ndarray.index.NDIndex("0, 0"), Float.NaN);
                    }
                }
            };
            TinyTraining.train(model, 256, 1, 2, inject, listener); // 8 steps: snapshots at 0, 4 and the final 8
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            String body = get(server.port(), "/metrics", null).body();
            String layer = "layer=\"01Linear_weight\"";
            assertTrue(sample(body, "spectral_nonfinite_values", layer) > 0);
            assertEquals(1, sample(body, "spectral_phase", layer, "phase=\"nonfinite\""));
            assertEquals(0, sample(body, "specwatch_analysis_errors_total"));
        } finally {
            monitor.close();
        }
    }

    @Test
    void aStuckAnalysisDropsSnapshotsAndNeverHoldsTrainingBack() throws Exception {
        SpectralMonitor monitor = SpectralMonitor.builder().model("slow").every(1).denseEarly(false)
                .memoryBudgetBytes(120_000).build(); // room for one snapshot (about 27 kB) at a time, beside the
                // analysis's working memory for the largest layer (about 55 kB) and the previous weights (27 kB)
        // the analysis cannot finish before training does: were any step to wait for it, training would
        // never end and this test would fail on its timeout, whatever the machine's speed
        java.util.concurrent.CountDownLatch trainingDone = new java.util.concurrent.CountDownLatch(1);
        monitor.addSink(snapshot -> trainingDone.await());
        try (Model model = TinyTraining.model()) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> TinyTraining.train(model, 1024, 1, 3, new SpectralTrainingListener(monitor)));
            MonitorHealth during = monitor.health();
            trainingDone.countDown();
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            MonitorHealth h = monitor.health();
            // 32 due steps plus the final one; at most the one being analysed and one queued got through
            assertEquals(33, h.snapshots() + h.dropped());
            assertTrue(during.dropped() >= 31, "dropped while the analysis was stuck: " + during.dropped());
            assertTrue(h.snapshots() <= 2, "analysed " + h.snapshots());
        } finally {
            monitor.close();
        }
    }

    @Test
    void analysisThreadRunsOnlyOnIdleCpuByDefault() throws Exception {
        SpectralMonitor monitor = SpectralMonitor.builder().build();
        try {
            monitor.offer(0, List.of(new WeightSnapshot.Weight("w", new long[] {20, 12}, new float[240])));
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(30)));
            // Linux names a thread after the first 15 characters of its Java name, and native
            // threads the analysis thread starts inherit that name and its scheduling
            List<String> seen = new java.util.ArrayList<>();
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    if (Files.readString(task.resolve("comm")).strip().equals("specwatch-analy")) {
                        seen.add(ThreadPriorityTest.niceAndPolicy(Files.readString(task.resolve("stat"))));
                    }
                }
            }
            assertFalse(seen.isEmpty());
            assertTrue(seen.stream().allMatch("nice 19 policy 5"::equals), "nice and policy (5 = SCHED_IDLE): " + seen);
            assertEquals(0, monitor.health().errors());
        } finally {
            monitor.close();
        }
    }
}
