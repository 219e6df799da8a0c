package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.specwatch.tensorfile.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code specwatch watch} through its command line: bad usage and bad files, one line each. */
class WatchCommandTest {

    @TempDir
    Path dir;

    @Test
    void badUsageExitsTwoWithOneLine() {
        for (String[] args : new String[][] {
            {"watch", dir.resolve("missing").toString(), "--once"},
            {"watch", dir.toString(), "--poll", "0"},
            {"watch", dir.toString(), "--step-pattern", "step\\d+"},
            {"watch", dir.toString(), "--step-pattern", "("},
            {"watch", dir.toString(), "--report", "r.html"},
            {"watch", dir.toString(), "--conv", "diagonal"},
            {"watch", dir.toString(), "--device", "tpu"},
            {"watch", dir.toString(), "--shard", "2/2"},
            {"watch", dir.toString(), "--shard", "one"},
            {"watch", dir.toString(), "--threads", "-1"},
            {"watch", dir.toString(), "--http-cpu", "0"},
            {"watch", dir.toString(), "--http-cpu", "a tenth"},
            {"watch", dir.toString(), "--engine", "gram32"}, // eigenvalues only, and --vectors defaults to 10
        }) {
            AnalyzeCommandTest.Run r = AnalyzeCommandTest.run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), String.join(" ", args) + ": " + r.err());
        }
    }

    @Test
    void aCorruptCheckpointIsOneLineAndTheOthersAreAnalysed() throws Exception {
        Files.write(dir.resolve("good_step_1.safetensors"), TensorFiles.safetensors(Map.of("w",
                TensorFiles.f32(new long[] {30, 20}, floats(600)))));
        Files.write(dir.resolve("broken_step_2.safetensors"), "{\"this is\": not a checkpoint, but complete}".getBytes());
        Files.write(dir.resolve("good_step_3.safetensors"), TensorFiles.safetensors(Map.of("w",
                TensorFiles.f32(new long[] {30, 20}, floats(600)))));
        Path history = dir.resolve("h.jsonl");
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("watch", dir.toString(), "--once", "--history", history.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.out().contains("\"analysed\": 2") && r.out().contains("\"failed\": 1"), r.out());
        assertEquals(2, Files.readAllLines(history).stream().filter(l -> l.contains("\"layer\":\"w\"")).count());
    }

    @Test
    void watchersWithShardsAnalyseDisjointSharesThatCoverEveryLayer() throws Exception {
        Path ckpts = Files.createDirectories(dir.resolve("ckpts"));
        Map<String, TensorFiles.Tensor> tensors = new java.util.LinkedHashMap<>();
        int[][] shapes = {{64, 32}, {32, 32}, {96, 32}, {32, 16}, {48, 48}, {20, 10}, {80, 40}};
        for (int i = 0; i < shapes.length; i++) {
            int n = shapes[i][0] * shapes[i][1];
            tensors.put("layer" + i + ".weight", TensorFiles.f32(new long[] {shapes[i][0], shapes[i][1]}, floats(n)));
        }
        Files.write(ckpts.resolve("model_step_5.safetensors"), TensorFiles.safetensors(tensors));
        java.util.List<java.util.Set<String>> shares = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path history = dir.resolve("h" + i + ".jsonl");
            AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("watch", ckpts.toString(), "--once", "--shard", i + "/3",
                    "--history", history.toString());
            assertEquals(0, r.exit(), r.err());
            java.util.Set<String> layers = new java.util.TreeSet<>();
            for (String line : Files.readAllLines(history)) {
                com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                if (n.has("layer")) {
                    layers.add(n.get("layer").asText());
                }
            }
            assertTrue(!layers.isEmpty(), "shard " + i + " of 3 has layers to analyse");
            shares.add(layers);
        }
        java.util.Set<String> union = new java.util.TreeSet<>();
        for (java.util.Set<String> share : shares) {
            for (String layer : share) {
                assertTrue(union.add(layer), layer + " analysed by two watchers");
            }
        }
        assertEquals(new java.util.TreeSet<>(tensors.keySet()), union);
        // the same shares as the monitor's split of the job's tensors
        java.util.List<io.specwatch.analysis.TensorInfo> infos = new java.util.ArrayList<>();
        for (int i = 0; i < shapes.length; i++) {
            infos.add(new io.specwatch.analysis.TensorInfo("layer" + i + ".weight", new long[] {shapes[i][0], shapes[i][1]}));
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(new java.util.TreeSet<>(io.specwatch.monitor.Shard.names(infos, i, 3)), shares.get(i));
        }
    }

    static float[] floats(int n) {
        float[] f = new float[n];
        java.util.SplittableRandom random = new java.util.SplittableRandom(n);
        for (int i = 0; i < n; i++) {
            f[i] = (float) random.nextGaussian();
        }
        return f;
    }
}
