package io.specwatch.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.PythonEnv;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GPU check's harness where there is no GPU: its Python side on the CPU (torch in .venv, small
 * sizes), its Java side on a classpath without ND4J, and the whole pipeline (reference files,
 * comparison, metrics, contract, report) with CPU engines in place of the GPU's. The GPU itself is
 * exercised by bench/gpu-check.sh on a GPU machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GpuCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Path script() {
        return PythonEnv.repositoryRoot().resolve("bench/gpu_check.py");
    }

    private static String python(Path workDir, long timeout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PythonEnv.python().toString(), script().toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(workDir, "python", ".log");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(timeout, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("gpu_check.py " + args[0] + " timed out:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), "gpu_check.py " + String.join(" ", args) + ":\n" + output);
        return output;
    }

    private Path prepareSmall() throws IOException, InterruptedException {
        Path work = dir.resolve("work");
        python(dir, 180, "prepare", "--small", "--device", "cpu", "--dir", work.toString(), "--out", dir.resolve("prepare.json").toString());
        return work;
    }

    /** This JVM's classpath cut down to what bench/gpu-check-pack.sh packs: the collectors classes, JNA, Jackson, SLF4J. */
    static String gpuPathClasspath() {
        List<String> kept = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            boolean mainClasses = entry.replace('\\', '/').endsWith("collectors/target/classes");
            if (mainClasses || name.matches("(jna|jackson-core|jackson-databind|jackson-annotations|slf4j-api|slf4j-simple)-\\d.*\\.jar")) {
                kept.add(entry);
            }
        }
        assertTrue(kept.stream().anyMatch(e -> e.endsWith("classes")), "collectors classes on the classpath: " + kept);
        assertFalse(kept.stream().anyMatch(e -> e.contains("nd4j") || e.contains("bytedeco") || e.contains("javacpp")), kept.toString());
        return String.join(File.pathSeparator, kept);
    }

    private record Run(int exit, String output) {
    }

    private Run forkedHarness(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dspecwatch.cuda.systemSearch=false", "-Djna.tmpdir=" + dir, "-cp", gpuPathClasspath(), "io.specwatch.bench.GpuCheck"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("SPECWATCH_CUDA_LIBS", dir.resolve("no-libraries").toString());
        Path log = dir.resolve("harness.log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "harness finished");
        return new Run(p.exitValue(), Files.readString(log));
    }

    @Test
    @Order(1)
    void theHarnessRunsWithoutNd4jAndSaysThereIsNoGpu() throws Exception {
        Path work = prepareSmall();
        Path parity = dir.resolve("parity.json");
        Run run = forkedHarness("parity", "--dir", work.toString(), "--out", parity.toString());
        assertEquals(GpuCheck.EXIT_NO_GPU, run.exit(), run.output());
        JsonNode result = JSON.readTree(parity.toFile());
        assertEquals("no-gpu", result.path("status").asText());
        assertEquals("libcuda.so.1 not found: no NVIDIA driver on this machine", result.path("reason").asText());
        // without a GPU it still read every file and fitted the reference: the runtime and classpath are complete
        assertEquals(4, result.path("reference_only").size());
        assertEquals(5, result.path("contract_matrices_built").asInt());
        assertTrue(run.output().contains("gpu-check parity: no usable GPU: libcuda.so.1 not found"), run.output());

        Path speed = dir.resolve("speed.json");
        Run s = forkedHarness("speed", "--small", "--out", speed.toString());
        assertEquals(GpuCheck.EXIT_NO_GPU, s.exit(), s.output());
        assertEquals("no-gpu", JSON.readTree(speed.toFile()).path("status").asText());
    }

    @Test
    @Order(2)
    void theGpuPathReferencesNoNd4jOrJavaCppClass() {
        // every class reachable, by the class files' own references, from the CUDA engine and the harness
        Path classes = Path.of(gpuPathClasspath().split(File.pathSeparator)[0]);
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int exit = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:class", "-filter:none", classes.toString());
        assertEquals(0, exit, out.toString());
        Map<String, Set<String>> edges = new HashMap<>();
        for (String line : out.toString().split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && parts[1].equals("->")) {
                edges.computeIfAbsent(parts[0], k -> new HashSet<>()).add(parts[2]);
            }
        }
        Set<String> roots = new TreeSet<>();
        for (String c : edges.keySet()) {
            if (c.startsWith("io.specwatch.engine.cuda.") || c.startsWith("io.specwatch.bench.")) {
                roots.add(c);
            }
        }
        assertTrue(roots.contains("io.specwatch.engine.cuda.CudaSpectrumEngine") && roots.contains("io.specwatch.bench.GpuCheck"), roots.toString());
        Set<String> seen = new HashSet<>(roots);
        Deque<String> todo = new ArrayDeque<>(roots);
        Map<String, String> via = new HashMap<>();
        List<String> forbidden = new ArrayList<>();
        while (!todo.isEmpty()) {
            String c = todo.pop();
            for (String d : edges.getOrDefault(c, Set.of())) {
                if (d.startsWith("org.nd4j.") || d.startsWith("org.bytedeco.")) {
                    forbidden.add(c + " -> " + d);
                }
                if (d.startsWith("io.specwatch.") && seen.add(d)) {
                    via.put(d, c);
                    todo.push(d);
                }
            }
        }
        assertEquals(List.of(), forbidden, "reached through " + via);
        // the ND4J engines exist in the same classes folder, and are not reached
        assertTrue(edges.containsKey("io.specwatch.engine.GramEigenEngine"));
        assertFalse(seen.contains("io.specwatch.engine.GramEigenEngine"), "via " + via.get("io.specwatch.engine.GramEigenEngine"));
    }

    @Test
    @Order(3)
    void thePipelineFromReferenceFilesToReportAgreesWithCpuEnginesAndCatchesAWrongEigenvalue() throws Exception {
        Path work = prepareSmall();
        Path parts = Files.createDirectories(dir.resolve("parts"));
        assertEquals(0, GpuCheck.run(new String[] {"parity", "--dir", work.toString(), "--out", parts.resolve("parity.json").toString(),
            "--cpu-engine", "svd32,gram64"}));
        JsonNode parity = JSON.readTree(parts.resolve("parity.json").toFile());
        assertEquals("ok", parity.path("status").asText());
        for (String label : List.of("float32", "float64")) {
            assertEquals(4, parity.path("engines").path(label).size());
            for (JsonNode row : parity.path("engines").path(label)) {
                assertTrue(row.path("pass").asBoolean(), row.toString());
                assertEquals(row.path("spikes_reference").asInt(), row.path("spikes").asInt());
            }
            assertEquals(EngineContractCount.CHECKS, parity.path("contract").path(label).path("passed").asInt());
        }
        // float64 against a float64 reference: far below float32's error
        assertTrue(parity.path("engines").path("float64").get(0).path("top10_max_relative_error").asDouble() < 1e-12);

        assertEquals(0, GpuCheck.run(new String[] {"speed", "--small", "--out", parts.resolve("speed-java.json").toString(),
            "--cpu-engine", "svd32,gram64"}));
        JsonNode speed = JSON.readTree(parts.resolve("speed-java.json").toFile());
        assertEquals("ok", speed.path("status").asText(), speed.toString());
        assertEquals(14, speed.path("set_7b").path("matrices").asInt());
        assertEquals(2, speed.path("set_7b_parallel").size());
        assertEquals(0, speed.path("section_errors").size(), speed.path("section_errors").toString());

        python(dir, 180, "speed", "--small", "--device", "cpu", "--out", parts.resolve("speed-torch.json").toString());
        Files.copy(dir.resolve("prepare.json"), parts.resolve("prepare.json"));
        python(dir, 60, "report", "--parts", parts.toString(), "--json", dir.resolve("gpu-check.json").toString(),
                "--md", dir.resolve("gpu-check.md").toString());
        String md = Files.readString(dir.resolve("gpu-check.md"), StandardCharsets.UTF_8);
        assertTrue(md.contains("| g-64 | 64×64 | gaussian |"), md);
        assertTrue(md.contains("SMALL SIZES"), md);
        assertTrue(md.contains("Engine contract, float32: " + EngineContractCount.CHECKS + " checks passed, 0 failed"), md);
        JsonNode summary = JSON.readTree(dir.resolve("gpu-check.json").toFile()).path("summary");
        assertTrue(summary.path("parity_float32_pass").asBoolean(), summary.toString());

        // a reference off by 1e-4 in its largest eigenvalue must fail float32 parity (numpy rewrites the file)
        Path ref = work.resolve("g-64.ref.npy");
        Path edit = dir.resolve("edit.py");
        Files.writeString(edit, "import numpy as np, sys\nr = np.load(sys.argv[1])\nr[-1] *= 1 + 1e-4\nnp.save(sys.argv[1], r)\n");
        Process p = new ProcessBuilder(PythonEnv.python().toString(), edit.toString(), ref.toString()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(1, GpuCheck.run(new String[] {"parity", "--dir", work.toString(), "--out", dir.resolve("wrong.json").toString(),
            "--cpu-engine", "svd32,gram64"}));
        JsonNode wrong = JSON.readTree(dir.resolve("wrong.json").toFile());
        assertEquals("parity-failures", wrong.path("status").asText());
        JsonNode first = wrong.path("engines").path("float32").get(0);
        assertEquals("g-64", first.path("name").asText());
        assertFalse(first.path("pass_top").asBoolean(), first.toString());
        assertTrue(first.path("top10_max_relative_error").asDouble() > 9e-5, first.toString());
    }

    @Test
    @Order(4)
    void theWholeScriptRunsWithoutAGpuAndLeavesAReportSayingSo() throws Exception {
        Path out = dir.resolve("out");
        ProcessBuilder pb = new ProcessBuilder("bash", PythonEnv.repositoryRoot().resolve("bench/gpu-check.sh").toString())
                .directory(PythonEnv.repositoryRoot().toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("script.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("GPU_CHECK_SMALL", "1");
        env.put("GPU_CHECK_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("GPU_CHECK_CLASSPATH", gpuPathClasspath());
        env.put("GPU_CHECK_WORK", dir.resolve("scratch").toString());
        env.put("PYTHON", PythonEnv.python().toString());
        env.put("OUT", out.toString());
        // discovery limited to SPECWATCH_CUDA_LIBS (and the script's hint), whatever this machine has
        env.put("JAVA_TOOL_OPTIONS", "-Dspecwatch.cuda.systemSearch=false");
        env.put("SPECWATCH_CUDA_LIBS", dir.resolve("no-libraries").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(400, TimeUnit.SECONDS), "the script finished");
        String log = Files.readString(dir.resolve("script.log"));
        assertEquals(0, p.exitValue(), log);
        String md = Files.readString(out.resolve("gpu-check.md"));
        assertTrue(md.contains("**No usable GPU for specwatch**: libcuda.so.1 not found: no NVIDIA driver on this machine"), md);
        Path parts = out.resolve("parts");
        assertEquals("ok", JSON.readTree(parts.resolve("prepare.json").toFile()).path("status").asText());
        assertEquals("ok", JSON.readTree(parts.resolve("speed-torch.json").toFile()).path("status").asText());
        JsonNode parity = JSON.readTree(parts.resolve("parity.json").toFile());
        assertEquals("no-gpu", parity.path("status").asText());
        assertEquals(4, parity.path("reference_only").size());
        List<String> steps = new ArrayList<>();
        for (JsonNode step : JSON.readTree(parts.resolve("steps.json").toFile()).path("steps")) {
            steps.add(step.path("name").asText() + "=" + step.path("exit").asText());
        }
        assertTrue(steps.containsAll(List.of("env=0", "doctor=3", "prepare=0", "parity=3", "speed-java=3", "speed-torch=0")), steps.toString());
        assertTrue(JSON.readTree(out.resolve("gpu-check.json").toFile()).has("summary"));
    }

    /** Checks per engine in the contract: every kind of request on every shape. */
    private static final class EngineContractCount {
        static final int CHECKS = io.specwatch.engine.EngineContract.Check.values().length * io.specwatch.engine.EngineContract.SHAPES.size();
    }
}
