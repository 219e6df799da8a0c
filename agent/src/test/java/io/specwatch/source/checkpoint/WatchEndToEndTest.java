package io.specwatch.source.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.specwatch.PythonEnv;
import io.specwatch.cli.Specwatch;
import io.specwatch.history.HistoryReader;
import io.specwatch.monitor.MonitorEndToEndTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code specwatch watch} as a separate process (the command line's own main class) next to real
 * training jobs — a plain PyTorch loop and a Hugging Face Trainer — scraped over real HTTP.
 */
class WatchEndToEndTest {

    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    /** A running {@code specwatch watch}. */
    static final class Watcher implements AutoCloseable {
        final Process process;
        final Path stderr;
        final Path stdout;

        Watcher(Path workDir, String... args) throws IOException {
            stderr = Files.createTempFile(workDir, "watch", ".err");
            stdout = Files.createTempFile(workDir, "watch", ".out");
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                    Specwatch.class.getName(), "watch", "--threads", "1"));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectError(stderr.toFile()).redirectOutput(stdout.toFile()).start();
        }

        /** The port from the watcher's "metrics on http://host:PORT/metrics" line. */
        int port() throws Exception {
            Pattern p = Pattern.compile("metrics on http://[^:]+:(\\d+)/metrics");
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                Matcher m = p.matcher(Files.readString(stderr));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the watcher exited " + process.exitValue() + ":\n" + Files.readString(stderr));
                }
                Thread.sleep(100);
            }
            throw new AssertionError("no port line from the watcher:\n" + Files.readString(stderr));
        }

        int waitFor(long seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the watcher did not end within " + seconds + " s:\n" + Files.readString(stderr));
            }
            return process.exitValue();
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy(); // SIGTERM: the watcher closes its monitor and history
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        }
    }

    static String script(String name) throws IOException {
        try (InputStream in = WatchEndToEndTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** layer → step → record, for the layer records of a history. */
    static Map<String, Map<Long, JsonNode>> byLayerAndStep(Path history) throws IOException {
        Map<String, Map<Long, JsonNode>> out = new TreeMap<>();
        for (JsonNode r : HistoryReader.read(history)) {
            JsonNode previous = out.computeIfAbsent(r.get("layer").asText(), k -> new TreeMap<>()).put(r.get("step").asLong(), r);
            assertEquals(null, previous, "a second record of " + r.get("layer") + " at step " + r.get("step"));
        }
        return out;
    }

    /**
     * name → analyze record of one file, through the command line in this JVM; one job on one
     * BLAS thread, as the watchers here run ({@code --threads 1}): other thread counts sum in
     * another order (last-ulp differences, seen on a CI machine with more cores than this JVM's
     * earlier tests left OpenBLAS).
     */
    static Map<String, JsonNode> analyze(Path file) throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        int exit = Specwatch.execute(new String[] {"analyze", "--format", "json", "--jobs", "1", "--threads", "1", file.toString()}, new java.io.PrintWriter(out),
                new java.io.PrintWriter(new java.io.StringWriter()));
        assertEquals(0, exit);
        Map<String, JsonNode> records = new HashMap<>();
        for (String line : out.toString().split("\n")) {
            if (!line.isBlank()) {
                JsonNode r = JSON.readTree(line);
                records.put(r.get("name").asText(), r);
            }
        }
        return records;
    }

    static void assertSameNumbers(JsonNode watched, JsonNode analysed, String what) {
        for (String key : List.of("alpha", "alpha_hill", "xmin", "sv_max", "stable_rank", "effective_rank_ratio", "spikes", "mp_softrank", "phase")) {
            assertEquals(analysed.get(key), watched.get(key), what + " " + key);
        }
    }

    @Test
    void aPlainPyTorchLoopIsWatchedCheckpointByCheckpoint() throws Exception {
        Path ckpts = Files.createDirectories(dir.resolve("run"));
        Path history = dir.resolve("h.jsonl");
        Path marker = dir.resolve("PWNED");
        try (Watcher w = new Watcher(dir, ckpts.toString(), "--port", "0", "--poll", "0.3", "--history", history.toString())) {
            int port = w.port();
            String out = PythonEnv.runOrFail(script("plain_loop.py"), dir, 300, ckpts.toString(), String.valueOf(port), "60", "20", marker.toString());
            JsonNode saved = JSON.readTree(out.strip().substring(out.strip().lastIndexOf('\n') + 1)).get("saved");
            assertEquals(3, saved.size());
            // the hostile file lands after the last step: wait for the watcher to refuse it
            long deadline = System.nanoTime() + 60_000_000_000L;
            String metrics = "";
            while (System.nanoTime() < deadline) {
                metrics = MonitorEndToEndTest.get(port, "/metrics", null).body();
                if (MonitorEndToEndTest.sample(metrics, "specwatch_checkpoints_failed_total") >= 1) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals(1, MonitorEndToEndTest.sample(metrics, "specwatch_checkpoints_failed_total"), "the hostile file");
            assertEquals(3, MonitorEndToEndTest.sample(metrics, "specwatch_checkpoints_analysed_total"));
            assertEquals(0, MonitorEndToEndTest.sample(metrics, "specwatch_checkpoints_skipped_total"));
            assertEquals(60, MonitorEndToEndTest.sample(metrics, "specwatch_checkpoint_last_step"));
            assertTrue(MonitorEndToEndTest.sample(metrics, "specwatch_checkpoint_lag_seconds") >= 0);
            assertEquals(60, MonitorEndToEndTest.sample(metrics, "specwatch_last_snapshot_step", "model=\"run\""));
            assertTrue(MonitorEndToEndTest.sample(metrics, "spectral_powerlaw_alpha_hill", "layer=\"2.weight\"", "model=\"run\"") > 1);
            assertTrue(MonitorEndToEndTest.sample(metrics, "spectral_update_norm_ratio", "layer=\"4.weight\"") > 0, "ΔW against the previous checkpoint");
        }
        assertFalse(Files.exists(marker), "nothing in the hostile pickle ran");
        Map<String, Map<Long, JsonNode>> h = byLayerAndStep(history);
        assertEquals(List.of("0.weight", "2.weight", "4.weight"), List.copyOf(h.keySet()));
        for (long step : List.of(20L, 40L, 60L)) {
            String file = step == 40 ? "ckpt_step_40.safetensors" : "ckpt_step_" + step + ".pt";
            Map<String, JsonNode> analysed = analyze(ckpts.resolve(file));
            for (String layer : h.keySet()) {
                assertSameNumbers(h.get(layer).get(step), analysed.get(layer), file + " " + layer);
            }
        }
    }

    @Test
    void aHuggingFaceTrainerWithRotationAndItsShardedSave() throws Exception {
        Path out = Files.createDirectories(dir.resolve("trainer"));
        Path sharded = Files.createDirectories(dir.resolve("sharded"));
        Path history = dir.resolve("hf.jsonl");
        try (Watcher w = new Watcher(dir, out.toString(), "--port", "0", "--poll", "0.3", "--history", history.toString(), "--model", "gpt2-tiny")) {
            int port = w.port();
            String result = PythonEnv.runOrFail(script("hf_trainer.py"), dir, 600, out.toString(), String.valueOf(port), "30", "10", sharded.toString());
            JsonNode summary = JSON.readTree(result.strip().substring(result.strip().lastIndexOf('\n') + 1));
            assertEquals(List.of("checkpoint-20", "checkpoint-30"), JSON.convertValue(summary.get("kept"), List.class), "rotation kept two");
            assertTrue(summary.get("shards").size() >= 3, "several shards: " + summary);
            String metrics = MonitorEndToEndTest.get(port, "/metrics", null).body();
            assertEquals(3, MonitorEndToEndTest.sample(metrics, "specwatch_checkpoints_analysed_total"));
            assertEquals(0, MonitorEndToEndTest.sample(metrics, "specwatch_checkpoints_failed_total"), "rotation is no failure");
            assertEquals(30, MonitorEndToEndTest.sample(metrics, "specwatch_checkpoint_last_step"));
        }
        Map<String, Map<Long, JsonNode>> h = byLayerAndStep(history);
        assertTrue(h.containsKey("transformer.h.0.attn.c_attn.weight"), h.keySet().toString());
        for (Map<Long, JsonNode> steps : h.values()) {
            assertEquals(List.of(10L, 20L, 30L), List.copyOf(steps.keySet()));
        }
        // the sharded save of the final model gives the numbers of its unsharded save
        Path shardedHistory = dir.resolve("sharded.jsonl");
        try (Watcher once = new Watcher(dir, sharded.toString(), "--once", "--history", shardedHistory.toString(), "--vectors", "0",
                "--step-pattern", "checkpoint-(\\d+)")) {
            assertEquals(0, once.waitFor(300), Files.readString(once.stderr));
        }
        Map<String, JsonNode> unsharded = analyze(sharded.resolve("unsharded"));
        Map<String, Map<Long, JsonNode>> s = byLayerAndStep(shardedHistory);
        for (Map.Entry<String, Map<Long, JsonNode>> e : s.entrySet()) {
            assertSameNumbers(e.getValue().get(30L), unsharded.get(e.getKey()), "sharded " + e.getKey());
        }
        assertEquals(unsharded.keySet(), s.keySet());
    }

    @Test
    void aWatcherKilledAndRestartedWithItsHistoryGoesOnWithoutDuplicates() throws Exception {
        Path ckpts = Files.createDirectories(dir.resolve("ckpts"));
        PythonEnv.runOrFail(script("write_checkpoints.py"), dir, 120, ckpts.toString(), "8");
        Path history = dir.resolve("restart.jsonl");
        try (Watcher first = new Watcher(dir, ckpts.toString(), "--port", "0", "--poll", "0.2", "--history", history.toString())) {
            first.port();
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline && count(history) < 3 * 2) {
                Thread.sleep(50);
            }
            first.process.destroyForcibly(); // SIGKILL, mid-run
            first.process.waitFor(30, TimeUnit.SECONDS);
        }
        int before = count(history);
        assertTrue(before >= 3 * 2 && before < 8 * 2, "killed after " + before / 2 + " checkpoints");
        try (Watcher again = new Watcher(dir, ckpts.toString(), "--once", "--history", history.toString())) {
            assertEquals(0, again.waitFor(300), Files.readString(again.stderr));
            assertTrue(Files.readString(again.stderr).contains("going on after it"));
        }
        Map<String, Map<Long, JsonNode>> h = byLayerAndStep(history); // fails on any duplicate
        for (Map<Long, JsonNode> steps : h.values()) {
            assertEquals(List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L), List.copyOf(steps.keySet()));
        }
    }

    /** Layer records in a history written so far (a line being written is not counted). */
    static int count(Path history) throws IOException {
        if (!Files.exists(history)) {
            return 0;
        }
        int n = 0;
        for (String line : Files.readAllLines(history)) {
            if (line.startsWith("{") && line.endsWith("}") && line.contains("\"layer\"")) {
                n++;
            }
        }
        return n;
    }
}
