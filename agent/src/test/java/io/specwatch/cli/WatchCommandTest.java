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

    static float[] floats(int n) {
        float[] f = new float[n];
        java.util.SplittableRandom random = new java.util.SplittableRandom(n);
        for (int i = 0; i < n; i++) {
            f[i] = (float) random.nextGaussian();
        }
        return f;
    }
}
