package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;

import io.specwatch.tensorfile.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze --engine NAME} uses an engine a plugin on the classpath provides (META-INF/services). */
class EnginePluginTest {

    @TempDir
    Path dir;

    @Test
    void aPluginEngineComputesEverySpectrum() throws Exception {
        Path a = TensorFiles.write(dir, "a.npy", TensorFiles.npy("<f4", false, new long[] {40, 30}, AnalyzeCommandTest.gaussian(1200, 1), ByteOrder.LITTLE_ENDIAN));
        Path b = TensorFiles.write(dir, "b.npy", TensorFiles.npy("<f4", false, new long[] {30, 50}, AnalyzeCommandTest.gaussian(1500, 2), ByteOrder.LITTLE_ENDIAN));
        CountingEngineProvider.MADE.clear();
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--format", "json", "--engine", "counting", a.toString(), b.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, CountingEngineProvider.spectra());
        assertEquals("counting(gram64)", r.records().get(0).get("engine").asText());
    }

    @Test
    void parallelJobsGiveTheSameRecordsAndTheStartUpIsReportedApart() throws Exception {
        java.util.List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            files.add(TensorFiles.write(dir, "m" + i + ".npy", TensorFiles.npy("<f4", false, new long[] {60 + i, 40},
                    AnalyzeCommandTest.gaussian((60 + i) * 40, i), java.nio.ByteOrder.LITTLE_ENDIAN)));
        }
        java.util.List<String> base = new java.util.ArrayList<>(java.util.List.of("analyze", "--format", "json", "--verbose"));
        files.forEach(f -> base.add(f.toString()));
        java.util.List<String> one = new java.util.ArrayList<>(base);
        one.addAll(1, java.util.List.of("--jobs", "1", "--threads", "1"));
        java.util.List<String> three = new java.util.ArrayList<>(base);
        three.addAll(1, java.util.List.of("--jobs", "3"));
        AnalyzeCommandTest.Run a = AnalyzeCommandTest.run(one.toArray(String[]::new));
        AnalyzeCommandTest.Run b = AnalyzeCommandTest.run(three.toArray(String[]::new));
        assertEquals(0, a.exit(), a.err());
        assertEquals(0, b.exit(), b.err());
        var ra = a.records();
        var rb = b.records();
        assertEquals(5, rb.size());
        for (int i = 0; i < 5; i++) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) ra.get(i)).remove("seconds");
            ((com.fasterxml.jackson.databind.node.ObjectNode) rb.get(i)).remove("seconds");
            assertEquals(ra.get(i), rb.get(i), "file order and identical numbers (one BLAS thread in both)");
        }
        assertTrue(b.err().contains("start-up") && b.err().contains("3 worker(s)"), b.err());
    }

    @Test
    void anUnknownEngineNamesTheKnownOnes() throws Exception {
        Path a = TensorFiles.write(dir, "a.npy", TensorFiles.npy("<f4", false, new long[] {20, 10}, AnalyzeCommandTest.gaussian(200, 1), ByteOrder.LITTLE_ENDIAN));
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--engine", "quantum", a.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown engine 'quantum'") && r.err().contains("gram64") && r.err().contains("counting"), r.err());
    }
}
