package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.specwatch.PythonEnv;
import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.cuda.LibrarySearch;
import io.specwatch.monitor.SpectralMonitor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device}, {@code specwatch doctor} and the monitor's {@code device()} on a machine
 * without a usable GPU. CUDA discovery is limited to one empty folder ({@code specwatch.cuda.libs},
 * no system folders), so the result is the same on any machine.
 */
class DeviceAndDoctorTest {

    private static final String NO_DRIVER = "libcuda.so.1 not found: no NVIDIA driver on this machine";

    @TempDir
    static Path dir;
    private static Path matrix;
    private static Path libs;

    @BeforeAll
    static void setUp() throws Exception {
        libs = Files.createDirectories(dir.resolve("cuda-libs"));
        System.setProperty(LibrarySearch.Environment.LIBS_PROPERTY, libs.toString());
        System.setProperty(LibrarySearch.Environment.SYSTEM_PROPERTY, "false");
        matrix = dir.resolve("w.npy");
        PythonEnv.runOrFail("import numpy as np, sys\nnp.save(sys.argv[1], np.random.default_rng(0).standard_normal((120, 80)).astype(np.float32))\n",
                dir, 120, matrix.toString());
    }

    @AfterAll
    static void tearDown() {
        System.clearProperty(LibrarySearch.Environment.LIBS_PROPERTY);
        System.clearProperty(LibrarySearch.Environment.SYSTEM_PROPERTY);
    }

    record Run(int exit, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Specwatch.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void autoFallsBackToTheCpuSilently() {
        Run auto = run("analyze", "--device", "auto", "--format", "json", matrix.toString());
        Run cpu = run("analyze", "--device", "cpu", "--format", "json", matrix.toString());
        assertEquals(0, auto.exit(), auto.err());
        assertEquals("", auto.err());
        // the same numbers as the CPU (only the measured seconds differ)
        assertEquals(cpu.out().replaceAll("\"seconds\":[0-9.eE-]+", ""), auto.out().replaceAll("\"seconds\":[0-9.eE-]+", ""));
        assertTrue(auto.out().contains("\"engine\":\"gram64\""), auto.out());
        Run byDefault = run("analyze", "--format", "json", matrix.toString());
        assertEquals(0, byDefault.exit());
        assertEquals("", byDefault.err(), "auto is the default");
    }

    @Test
    void autoSaysWhyInVerbose() {
        Run r = run("analyze", "--device", "auto", "--verbose", matrix.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.errLines().contains("  driver: " + NO_DRIVER), r.err());
        assertTrue(r.errLines().contains("    " + libs + "  [SPECWATCH_CUDA_LIBS]"), r.err());
        assertTrue(r.errLines().contains("specwatch: spectra on the CPU (engine auto)"), r.err());
    }

    @Test
    void cudaWithoutAGpuExitsTwoWithOneLine() {
        Run r = run("analyze", "--device", "cuda", matrix.toString());
        assertEquals(Specwatch.EXIT_BAD_INPUT, r.exit());
        assertEquals(List.of("specwatch analyze: --device cuda: no usable GPU: " + NO_DRIVER + " (specwatch doctor shows what was found)"),
                r.errLines());
        assertEquals("", r.out());
        Run verbose = run("analyze", "--device", "cuda:1", "--verbose", matrix.toString());
        assertEquals(Specwatch.EXIT_BAD_INPUT, verbose.exit());
        assertTrue(verbose.errLines().get(0).startsWith("specwatch analyze: --device cuda:1: no usable GPU: "), verbose.err());
        assertTrue(verbose.errLines().contains("  driver: " + NO_DRIVER), "verbose prints what discovery found: " + verbose.err());
    }

    @Test
    void badDeviceOptionsExitTwoWithOneLine() {
        for (String[] args : List.of(new String[] {"--device", "gpu"}, new String[] {"--device", "cuda:x"},
                new String[] {"--device-memory", "150%"}, new String[] {"--device-memory", "lots"},
                new String[] {"--device", "cuda", "--engine", "svd32"}, new String[] {"--device", "auto", "--engine", "nonsense"})) {
            String[] full = new String[args.length + 2];
            full[0] = "analyze";
            System.arraycopy(args, 0, full, 1, args.length);
            full[full.length - 1] = matrix.toString();
            Run r = run(full);
            assertEquals(Specwatch.EXIT_BAD_INPUT, r.exit(), String.join(" ", args));
            assertEquals(1, r.errLines().size(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("specwatch analyze: --"), r.err());
        }
        assertTrue(run("analyze", "--device", "cuda", "--engine", "svd32", matrix.toString()).err()
                .contains("the engine svd32 runs on the CPU only; on a GPU use auto, gram32 or gram64"));
        assertTrue(run("analyze", "--device-memory", "150%", matrix.toString()).err().contains("--device-memory: expected a percentage in (0, 100]"));
    }

    @Test
    void doctorPrintsWhatItSearchedAndWhyThereIsNoGpu() throws Exception {
        Run r = run("doctor");
        assertEquals(Specwatch.EXIT_FAILURE, r.exit(), r.out());
        List<String> lines = List.of(r.out().split("\n"));
        assertTrue(lines.contains("  " + libs + "  [SPECWATCH_CUDA_LIBS]"), r.out());
        assertTrue(lines.contains("driver: " + NO_DRIVER), r.out());
        assertTrue(lines.contains("  libcusolver.so.12 / libcusolver.so.11 not found"), r.out());
        assertTrue(lines.contains("usable: no: " + NO_DRIVER), r.out());
        // a file that is not a library: the loader's reason
        Path other = Files.createDirectories(dir.resolve("broken-libs"));
        Files.writeString(other.resolve("libcuda.so.1"), "not a library");
        System.setProperty(LibrarySearch.Environment.LIBS_PROPERTY, other.toString());
        try {
            Run broken = run("doctor");
            assertEquals(Specwatch.EXIT_FAILURE, broken.exit());
            assertTrue(broken.out().contains("usable: no: cannot load " + other.resolve("libcuda.so.1") + ": file too short"), broken.out());
        } finally {
            System.setProperty(LibrarySearch.Environment.LIBS_PROPERTY, libs.toString());
        }
    }

    @Test
    void theMonitorRunsOnTheCpuByDefaultAndUnderAutoAndRefusesCuda() {
        assertTrue(SpectralMonitor.builder().settings().engine() instanceof AutomaticEngine);
        assertTrue(SpectralMonitor.builder().device("auto").settings().engine() instanceof AutomaticEngine);
        assertEquals("gram32", SpectralMonitor.builder().device("auto").engine("gram32").vectors(0).settings().engine().name());
        // gram32 has no singular vectors for the dynamics: refused at once, not at every layer's analysis
        IllegalArgumentException noVectors = assertThrows(IllegalArgumentException.class,
                () -> SpectralMonitor.builder().engine("gram32").settings());
        assertTrue(noVectors.getMessage().startsWith("engine gram32 computes eigenvalues only"), noVectors.getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpectralMonitor.builder().device("cuda").settings());
        assertEquals("no usable GPU: " + NO_DRIVER + " (specwatch doctor shows what was found)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpectralMonitor.builder().device("tpu"));
        IllegalArgumentException instance = assertThrows(IllegalArgumentException.class,
                () -> SpectralMonitor.builder().engine(AutomaticEngine.withDefaults(0)).device("auto").settings());
        assertTrue(instance.getMessage().contains("needs an engine by name"), instance.getMessage());
        assertFalse(SpectralMonitor.builder().device("cpu").settings().engine().name().startsWith("cuda"));
    }
}
