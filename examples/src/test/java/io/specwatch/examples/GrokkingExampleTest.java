package io.specwatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import io.specwatch.history.HistoryReader;
import io.specwatch.history.HistoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grokking example through its command line, small enough for CI (p = 23, 300 steps). */
class GrokkingExampleTest {

    @TempDir
    Path dir;

    @Test
    void trainsTheTransformerWithTheMonitorAndExportsAccuracyNextToTheSpectra() throws Exception {
        Path history = dir.resolve("history.jsonl");
        Path csv = dir.resolve("accuracy.csv");
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        MlpExampleTest.Run[] result = new MlpExampleTest.Run[1];
        Thread training = new Thread(() -> result[0] = MlpExampleTest.run("grokking", "--p", "23", "--steps", "300",
                "--eval-every", "50", "--every", "50", "--port", String.valueOf(port), "--history", history.toString(),
                "--accuracy-out", csv.toString(), "--linger", "60"));
        training.start();
        // while it lingers after training, the accuracy gauges sit beside the spectral metrics
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String metrics = "";
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (true) {
            try {
                metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                metrics = ""; // not serving yet
            }
            if (sample(metrics, "training_accuracy", "split=\"train\"") > 0.9 && sample(metrics, "specwatch_last_snapshot_step", "") == 300) {
                break; // memorised (the gauge follows training), and the final snapshot analysed
            }
            assertTrue(System.nanoTime() < deadline, "no training accuracy over 0.9 beside the spectral metrics on /metrics within 3 minutes: " + metrics);
            Thread.sleep(500);
        }
        assertTrue(metrics.contains("spectral_effective_rank_ratio{"), "spectral metrics on the same endpoint");
        double test = sample(metrics, "training_accuracy", "split=\"test\"");
        assertTrue(test >= 0 && test <= 1, "test accuracy " + test);
        Thread.sleep(2_000); // the example prints its summary, then lingers
        training.interrupt();
        training.join(60_000);
        assertEquals(0, result[0].exit(), result[0].out());
        JsonNode summary = result[0].summary();
        assertEquals(300, summary.path("steps").asInt());
        assertTrue(summary.path("train_accuracy").asDouble() > 0.9, "a 23 × 23 table is memorised in 300 steps: " + summary);

        List<String> rows = Files.readAllLines(csv);
        assertEquals("step,loss,train_accuracy,test_accuracy", rows.get(0));
        assertEquals(7, rows.size(), "an evaluation every 50 steps: " + rows);
        Set<String> layers = HistoryReader.read(history).stream().map(r -> r.path("layer").asText()).collect(Collectors.toSet());
        for (String layer : List.of("tokens_embedding", "mlp_in_weight", "mlp_out_weight", "unembed_weight")) {
            assertTrue(layers.stream().anyMatch(l -> l.contains(layer)), layer + " not monitored: " + layers);
        }
        assertTrue(layers.stream().anyMatch(l -> l.contains("attention_") && l.contains("queryProjection_weight")), "attention projections monitored: " + layers);
        // the accuracy also goes into the history, as training records on the same step axis: one per evaluation
        List<JsonNode> accuracy = HistoryReader.read(history, HistoryReader.Limits.DEFAULT).records().stream()
                .filter(HistoryRecords::isTraining).filter(r -> r.path("metric").asText().equals("accuracy")).toList();
        assertEquals(6, accuracy.size(), "steps 50 to 300");
        assertEquals(300, accuracy.get(5).path("step").asLong());
        assertEquals(Double.parseDouble(rows.get(6).split(",")[2]), accuracy.get(5).path("values").path("train").asDouble(), 1e-4);
    }

    @Test
    void badArgumentsFailWithAMessage() {
        assertEquals(2, MlpExampleTest.run("grokking", "--train-fraction", "1.5", "--no-monitor").exit());
        assertEquals(2, MlpExampleTest.run("grokking", "--width", "30", "--heads", "4", "--no-monitor").exit());
        assertEquals(2, MlpExampleTest.run("grokking", "--report", "r.html").exit());
    }

    private static double sample(String metrics, String name, String label) {
        Matcher m = Pattern.compile("^" + name + "(?:\\{([^}]*)\\})? (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        while (m.find()) {
            if ((m.group(1) == null ? "" : m.group(1)).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return -1;
    }
}
