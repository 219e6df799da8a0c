package io.specwatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The synthetic example and the monitor flags of several ranks, through the command line. */
class SyntheticExampleTest {

    private static final Pattern LAYER = Pattern.compile("layer=\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void twoRanksSplitTheMatricesAndWriteAHistoryEach() throws Exception {
        List<String> union = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            MlpExampleTest.Run run = MlpExampleTest.run("synthetic", "--blocks", "2", "--width", "32", "--steps", "20", "--every", "10",
                    "--port", "0", "--rank", String.valueOf(r), "--world-size", "2", "--history", dir.resolve("h.jsonl").toString());
            assertEquals(0, run.exit());
            JsonNode summary = run.summary();
            assertEquals(r, summary.get("rank").asInt());
            assertEquals(8, summary.get("matrices").asInt());
            summary.get("layers").forEach(l -> union.add(l.asText()));
            Path history = dir.resolve("h.rank" + r + ".jsonl");
            assertTrue(Files.exists(history), "one history per rank");
            JsonNode header = new ObjectMapper().readTree(Files.readAllLines(history).get(0));
            assertEquals(r, header.get("rank").asInt());
        }
        Collections.sort(union);
        assertEquals(List.of("blocks.0.attn.o.weight", "blocks.0.attn.q.weight", "blocks.0.mlp.down.weight", "blocks.0.mlp.up.weight",
                "blocks.1.attn.o.weight", "blocks.1.attn.q.weight", "blocks.1.mlp.down.weight", "blocks.1.mlp.up.weight"), union);
        assertTrue(!Files.exists(dir.resolve("h.jsonl")), "no shared file");
    }

    @Test
    void theCardinalityFlagsLeaveTheChosenSeriesOut() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Thread run = new Thread(() -> MlpExampleTest.run("synthetic", "--blocks", "2", "--width", "32", "--steps", "10", "--every", "5",
                "--port", String.valueOf(port), "--no-esd-for", "mlp", "--no-top-sv-for", "attn\\.q", "--linger", "60"), "synthetic");
        run.setDaemon(true);
        run.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String body = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && !body.contains("specwatch_last_snapshot_step{model=\"synthetic\",rank=\"0\"} 10")) {
                Thread.sleep(200);
                try {
                    body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
                } catch (java.io.IOException notYet) {
                    // the example is still starting
                }
            }
            Set<String> esd = layers(body, "spectral_esd_bucket{");
            Set<String> top = layers(body, "spectral_top_singular_value{");
            Set<String> all = layers(body, "spectral_phase{");
            assertEquals(8, all.size(), body);
            assertEquals(Set.of("blocks.0.attn.o.weight", "blocks.0.attn.q.weight", "blocks.1.attn.o.weight", "blocks.1.attn.q.weight"), esd);
            assertEquals(Set.of("blocks.0.attn.o.weight", "blocks.0.mlp.down.weight", "blocks.0.mlp.up.weight",
                    "blocks.1.attn.o.weight", "blocks.1.mlp.down.weight", "blocks.1.mlp.up.weight"), top);
        } finally {
            run.interrupt();
            run.join(20_000);
        }
    }

    private static Set<String> layers(String metrics, String prefix) {
        Set<String> out = new TreeSet<>();
        for (String line : metrics.split("\n")) {
            Matcher m = LAYER.matcher(line);
            if (line.startsWith(prefix) && m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    @Test
    void badRankFlagsFailClearly() {
        assertEquals(2, MlpExampleTest.run("synthetic", "--rank", "2", "--world-size", "2").exit());
        assertEquals(2, MlpExampleTest.run("synthetic", "--rank", "1").exit());
        assertEquals(2, MlpExampleTest.run("synthetic", "--work-sharing", "half").exit());
        assertEquals(2, MlpExampleTest.run("mlp", "--push-every", "0").exit());
    }

    @Test
    void aBadLauncherVariableIsOneLineAndExitCode2() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Examples.class.getName(), "synthetic", "--steps", "1", "--port", "0");
        builder.environment().put("RANK", "two");
        builder.environment().put("WORLD_SIZE", "4");
        Process p = builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), err);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), err);
        assertTrue(lines.get(0).startsWith("synthetic: RANK=two is not a whole number"), err);
    }
}
