package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The monitor must not change how the training job runs. ND4J's native library sets the OpenMP
 * thread count of the thread that first initialises it, and PyTorch reads its intra-op thread
 * count from the same OpenMP setting: a monitor that initialised ND4J on the training thread
 * turned a job configured for one PyTorch thread into a two-thread job (measured: the mlp
 * example's training threads burned 2.4× the CPU). Each case runs in a fresh JVM, because ND4J
 * initialises once per process.
 */
class TrainingThreadsTest {

    @Test
    void buildingAndRunningTheMonitorLeavesTheTrainingThreadsPyTorchThreadCountAlone() throws Exception {
        List<String> out = probe("monitor");
        assertEquals(List.of("before=1", "after=1"), out);
    }

    /** The control: initialising ND4J on the training thread does change it, so the test above can fail. */
    @Test
    void initialisingNd4jOnTheTrainingThreadWouldChangeIt() throws Exception {
        assertTrue(Runtime.getRuntime().availableProcessors() >= 2, "the control needs at least 2 CPUs to see a change");
        List<String> out = probe("nd4j-here");
        assertEquals("before=1", out.get(0));
        assertTrue(!out.get(1).equals("after=1"), "ND4J on the training thread no longer changes PyTorch's threads: " + out);
    }

    private static List<String> probe(String mode) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-Dai.djl.offline=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                TorchThreadsProbe.class.getName(), mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "probe timed out");
        assertEquals(0, process.exitValue(), "probe failed; stdout: " + stdout);
        return stdout.lines().filter(l -> l.startsWith("before=") || l.startsWith("after=")).toList();
    }
}
