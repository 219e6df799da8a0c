package io.specwatch.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.Spectrum;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.engine.cuda.CudaLibraries;
import io.specwatch.engine.cuda.CudaReport;
import io.specwatch.engine.cuda.CudaSettings;
import io.specwatch.engine.cuda.CudaSpectrumEngine;
import io.specwatch.engine.cuda.LibrarySearch;

/**
 * The Java side of the GPU check ({@code bench/gpu-check.sh}): runs on the GPU machine with a
 * bare Java runtime and a classpath of this module, JNA, Jackson and SLF4J — no ND4J, no JUnit.
 *
 * <pre>
 * GpuCheck doctor --out doctor.json
 * GpuCheck parity --dir WORK --out parity.json [--deadline-seconds S] [--cpu-engine NAME]
 * GpuCheck speed  --out speed-java.json [--deadline-seconds S] [--small] [--cpu-engine NAME]
 * </pre>
 *
 * Every mode writes its JSON file as it goes ({@link ResultFile}), so a timeout leaves what was
 * done. Exit status: 0 done, 3 no usable GPU (the file says why), 1 a failure (the file says where).
 * {@code --cpu-engine NAME32[,NAME64]} runs the same check with CPU engines in place of the GPU's
 * float32 and float64 (needs ND4J on the classpath): how the harness itself is tested on machines
 * without a GPU.
 */
public final class GpuCheck {

    static final int EXIT_NO_GPU = 3;

    private GpuCheck() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one mode; returns the exit status. */
    public static int run(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: GpuCheck doctor|parity|speed --out FILE [--dir WORK] [--deadline-seconds S] [--small] [--cpu-engine NAME]");
            return 2;
        }
        Map<String, String> options = options(args);
        String mode = args[0];
        Path out = Path.of(options.getOrDefault("out", "gpu-check-" + mode + ".json"));
        ResultFile result = new ResultFile(out);
        result.root().put("mode", mode);
        result.root().put("status", "running");
        result.save();
        long deadline = System.nanoTime() + (long) (Double.parseDouble(options.getOrDefault("deadline-seconds", "1e6")) * 1e9);
        try {
            Engines engines = Engines.of(options.get("cpu-engine"), result.root());
            if (mode.equals("doctor")) {
                result.root().put("status", engines.usable() ? "ok" : "no-gpu");
                if (!engines.usable()) {
                    result.root().put("reason", engines.problem());
                }
                result.save();
                return engines.usable() ? 0 : EXIT_NO_GPU;
            }
            if (!engines.usable()) {
                if (mode.equals("parity") && options.containsKey("dir")) {
                    // everything but the GPU: the files, the reference's metrics, the contract's matrices
                    GpuParity.referenceOnly(Path.of(options.get("dir")), result);
                }
                result.root().put("status", "no-gpu");
                result.root().put("reason", engines.problem());
                result.save();
                System.err.println("gpu-check " + mode + ": no usable GPU: " + engines.problem());
                return EXIT_NO_GPU;
            }
            switch (mode) {
                case "parity" -> GpuParity.run(Path.of(options.getOrDefault("dir", ".")), engines, result, deadline);
                case "speed" -> GpuSpeed.run(engines, result, deadline, options.containsKey("small"));
                default -> {
                    result.root().put("status", "failed");
                    result.root().put("reason", "unknown mode " + mode);
                    result.save();
                    return 2;
                }
            }
            if ("running".equals(result.root().path("status").asText())) {
                result.root().put("status", "ok");
            }
            engines.record(result.root());
            result.save();
            engines.close();
            return "ok".equals(result.root().path("status").asText()) ? 0 : 1;
        } catch (Exception | Error e) {
            result.root().put("status", "failed");
            result.root().put("reason", e.toString());
            ArrayNode trace = result.root().putArray("trace");
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                trace.add((t == e ? "" : "caused by: ") + t);
                for (StackTraceElement el : t.getStackTrace()) {
                    trace.add("  at " + el);
                }
            }
            result.save();
            System.err.println("gpu-check " + mode + ": failed: " + e);
            return 1;
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a);
            }
            String key = a.substring(2);
            if (key.equals("small")) {
                out.put(key, "true");
            } else if (i + 1 < args.length) {
                out.put(key, args[++i]);
            } else {
                throw new IllegalArgumentException(a + " needs a value");
            }
        }
        return out;
    }

    /**
     * The engines under test: the CUDA engine in float32 and in float64 (as {@code --engine gram32}
     * and {@code gram64} build it on a GPU), each with a fallback that refuses, so that anything the
     * GPU did not compute shows as a failure instead of a CPU result; or, with {@code --cpu-engine},
     * one CPU engine under both names.
     */
    static final class Engines implements AutoCloseable {
        final Map<String, SpectrumEngine> byLabel = new LinkedHashMap<>();
        private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
        private final String problem;

        private Engines(String problem) {
            this.problem = problem;
        }

        static Engines of(String cpuEngine, ObjectNode root) throws ReflectiveOperationException {
            if (cpuEngine != null) {
                // by reflection: the GPU path must not reference the ND4J engines
                String[] names = cpuEngine.split(",");
                Engines e = new Engines(null);
                for (int i = 0; i < 2; i++) {
                    Object engine = Class.forName("io.specwatch.engine.SpectrumEngines").getMethod("create", String.class, long.class)
                            .invoke(null, names[Math.min(i, names.length - 1)], 0L);
                    e.byLabel.put(i == 0 ? "float32" : "float64", (SpectrumEngine) engine);
                }
                root.put("engine", "cpu:" + cpuEngine);
                return e;
            }
            CudaReport report = CudaLibraries.inspect(LibrarySearch.Environment.current(), true).report();
            ArrayNode lines = root.putArray("doctor");
            report.lines().forEach(lines::add);
            root.put("usable", report.usable());
            if (!report.usable()) {
                return new Engines(report.problem());
            }
            root.put("device", report.summary(0));
            Engines e = new Engines(null);
            CudaLibraries cuda = CudaLibraries.system();
            if (!cuda.usable()) {
                return new Engines(cuda.report().problem());
            }
            e.byLabel.put("float32", new CudaSpectrumEngine(cuda, CudaSettings.defaults(0).withFloat64Limit(0), new NoCpuEngine(), e.log::add));
            e.byLabel.put("float64", new CudaSpectrumEngine(cuda, CudaSettings.defaults(0).withFloat64Limit(Integer.MAX_VALUE),
                    new NoCpuEngine(), e.log::add));
            root.put("engine", "cuda");
            return e;
        }

        /** A CUDA engine configured like one of these (for the parallel runs); the CPU engine itself otherwise. */
        SpectrumEngine another(String label) {
            SpectrumEngine base = byLabel.get(label);
            if (base instanceof CudaSpectrumEngine gpu) {
                return new CudaSpectrumEngine(CudaLibraries.system(), gpu.settings(), new NoCpuEngine(), log::add);
            }
            return base;
        }

        boolean usable() {
            return problem == null;
        }

        String problem() {
            return problem;
        }

        /** Fallback counts and log lines into the result. */
        void record(ObjectNode root) {
            ObjectNode fallbacks = root.putObject("fallbacks");
            for (Map.Entry<String, SpectrumEngine> e : byLabel.entrySet()) {
                if (e.getValue() instanceof CudaSpectrumEngine gpu) {
                    ObjectNode f = fallbacks.putObject(e.getKey());
                    f.put("device_decompositions", gpu.deviceDecompositions());
                    f.put("fallbacks", gpu.fallbacks());
                    gpu.fallbackCauses().forEach(f::put);
                }
            }
            ArrayNode lines = root.putArray("engine_log");
            synchronized (log) {
                log.forEach(lines::add);
            }
        }

        @Override
        public void close() {
            for (SpectrumEngine e : byLabel.values()) {
                if (e instanceof CudaSpectrumEngine gpu) {
                    gpu.close();
                }
            }
        }
    }

    /** The fallback of the engines under test: there is no CPU engine on the GPU machine, and none is wanted. */
    static final class NoCpuEngine implements SpectrumEngine {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
            throw new IllegalStateException("the GPU did not compute this " + matrix.rows() + " x " + matrix.cols()
                    + " matrix (see engine_log for why)");
        }
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    static boolean pastDeadline(long deadline) {
        return System.nanoTime() > deadline;
    }
}
