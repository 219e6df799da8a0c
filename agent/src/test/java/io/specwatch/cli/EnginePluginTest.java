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
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--format", "json", "--engine", "counting", a.toString(), b.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, CountingEngineProvider.last.spectra.get());
        assertEquals("counting(gram64)", r.records().get(0).get("engine").asText());
    }

    @Test
    void anUnknownEngineNamesTheKnownOnes() throws Exception {
        Path a = TensorFiles.write(dir, "a.npy", TensorFiles.npy("<f4", false, new long[] {20, 10}, AnalyzeCommandTest.gaussian(200, 1), ByteOrder.LITTLE_ENDIAN));
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--engine", "quantum", a.toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown engine 'quantum'") && r.err().contains("gram64") && r.err().contains("counting"), r.err());
    }
}
