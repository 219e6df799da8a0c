package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import javax.tools.ToolProvider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.specwatch.PythonEnv;

/**
 * {@code specwatch.jar} as the command line: what it holds (and must not hold), its manifest, and
 * {@code java -jar specwatch.jar analyze} on a file the real safetensors library wrote, from an
 * empty directory outside the repository, on a jlink'ed Java runtime, with an empty environment.
 */
class CommandLineIT {

    private static final Duration LONG = Duration.ofMinutes(3);
    /** Packages of the libraries specwatch relocates: none may be left at its own name. */
    private static final List<String> RELOCATED = List.of("com/fasterxml/jackson/", "picocli/", "io/micrometer/", "io/prometheus/",
            "org/eclipse/jetty/", "net/bytebuddy/", "org/slf4j/", "org/HdrHistogram/", "org/apache/commons/", "com/google/flatbuffers/",
            "oshi/", "com/sun/jna/platform/");

    @TempDir
    static Path dir;

    private static Path checkpoint;
    /** σ₁ of each matrix by numpy in float64, the reference. */
    private static JsonNode reference;

    @BeforeAll
    static void writeACheckpointWithTheRealSafetensors() throws Exception {
        checkpoint = dir.resolve("model.safetensors");
        PythonEnv.runOrFail("""
                import json, sys
                import numpy as np
                from safetensors.numpy import save_file
                rng = np.random.default_rng(12)
                w = {"fc1.weight": rng.standard_normal((96, 40)).astype(np.float32),
                     "fc2.weight": (rng.standard_normal((24, 96)) / 3).astype(np.float32),
                     "fc1.bias": np.zeros(96, np.float32)}
                save_file(w, sys.argv[1])
                ref = {k: float(np.linalg.svd(v.astype(np.float64), compute_uv=False)[0]) for k, v in w.items() if v.ndim == 2}
                open(sys.argv[2], "w").write(json.dumps(ref))
                """, dir, 120, checkpoint.toString(), dir.resolve("reference.json").toString());
        reference = new ObjectMapper().readTree(dir.resolve("reference.json").toFile());
    }

    @Test
    void theJarIsTheAgentAndTheCommandLineWithItsLibrariesRelocated() throws IOException {
        Path jar = Job.specwatchJar();
        System.out.printf("specwatch.jar: %,d bytes%n", Files.size(jar));
        try (JarFile file = new JarFile(jar.toFile())) {
            Attributes main = file.getManifest().getMainAttributes();
            assertEquals("io.specwatch.cli.Specwatch", main.getValue("Main-Class"));
            assertEquals("io.specwatch.javaagent.JavaAgent", main.getValue("Premain-Class"));
            assertEquals("io.specwatch.javaagent.JavaAgent", main.getValue("Agent-Class"));
            assertEquals("true", main.getValue("Can-Retransform-Classes"));
            assertEquals(System.getProperty("specwatch.version"), main.getValue("Implementation-Version"));
            assertEquals(null, main.getValue("Multi-Release"), "not multi-release: versioned classes would escape relocation");

            List<String> names = Collections.list(file.entries()).stream().map(JarEntry::getName).toList();
            for (String prefix : RELOCATED) {
                assertFalse(names.stream().anyMatch(n -> n.startsWith(prefix)), prefix + " is not relocated");
                assertTrue(names.stream().anyMatch(n -> n.startsWith("io/specwatch/shaded/" + prefix)), prefix + " is not in the jar");
            }
            assertFalse(names.stream().anyMatch(n -> n.startsWith("ai/djl/")), "DJL is the application's");
            assertFalse(names.stream().anyMatch(n -> n.endsWith("module-info.class")), "no module descriptors");
            assertFalse(names.stream().anyMatch(n -> n.startsWith("META-INF/versions/")), "no versioned classes");
            assertFalse(names.stream().anyMatch(n -> n.matches("META-INF/[^/]+\\.(SF|DSA|RSA|EC)")), "no signatures of other jars");
            for (String natives : List.of("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so",
                    "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libjnind4jcpu.so", "org/bytedeco/openblas/linux-x86_64/libopenblas.so.0",
                    "org/bytedeco/openblas/linux-x86_64/libjniopenblas.so", "com/sun/jna/linux-x86-64/libjnidispatch.so")) {
                assertTrue(names.contains(natives), natives);
            }
            // every service names a class the jar holds, under its relocated name
            for (String name : names.stream().filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/")).toList()) {
                String service = name.substring("META-INF/services/".length());
                assertFalse(RELOCATED.stream().anyMatch(p -> service.replace('.', '/').startsWith(p)), name);
                String text = new String(file.getInputStream(file.getEntry(name)).readAllBytes(), StandardCharsets.UTF_8);
                for (String line : text.lines().map(l -> l.replaceAll("#.*", "").strip()).filter(l -> !l.isEmpty()).toList()) {
                    assertNotNull(file.getEntry(line.replace('.', '/') + ".class"), name + " lists " + line);
                }
            }
            assertNotNull(file.getEntry("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend"));
        }
    }

    @Test
    void versionFromTheJar() throws Exception {
        Job.Result r = Job.java("-jar", Job.specwatchJar().toString(), "--version").run(dir.resolve("logs"), LONG);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("specwatch " + System.getProperty("specwatch.version"), r.out().strip());
    }

    /** Only a Java runtime: jlink'ed (no compiler, no Maven, no repository), an empty directory and environment. */
    @Test
    void analyzeOnABareJavaRuntime() throws Exception {
        Path runtime = dir.resolve("jre");
        int linked = java.util.spi.ToolProvider.findFirst("jlink").orElseThrow().run(System.out, System.err,
                "--add-modules", "java.se,jdk.unsupported,jdk.management", "--strip-debug", "--no-header-files", "--no-man-pages",
                "--output", runtime.toString());
        assertEquals(0, linked, "jlink");
        assertFalse(Files.exists(runtime.resolve("bin/javac")));
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path jar = Files.copy(Job.specwatchJar(), dir.resolve("specwatch.jar"));

        for (String engine : List.of("auto", "gram32")) {
            Job.Result r = Job.of(List.of(runtime.resolve("bin/java").toString(), "-jar", jar.toString(), "analyze", "--format", "json",
                            "--engine", engine, checkpoint.toString()))
                    .cleanEnvironment().env("HOME", empty.toString()).in(empty).run(dir.resolve("logs"), LONG);
            assertEquals(0, r.exit(), r.toString());
            List<JsonNode> rows = new ArrayList<>();
            for (String line : r.out().strip().split("\n")) {
                rows.add(new ObjectMapper().readTree(line));
            }
            assertEquals(List.of("fc1.weight", "fc2.weight"), rows.stream().map(n -> n.get("name").asText()).toList(), r.toString());
            for (JsonNode row : rows) {
                double expected = reference.get(row.get("name").asText()).asDouble();
                assertEquals(expected, row.get("sv_max").asDouble(), 1e-4 * expected, engine + " " + row);
            }
            assertEquals("skipped fc1.bias [96]: fewer than 2 dimensions (use --eigenvalues to fit a 1-D eigenvalue sample)", r.err().strip(),
                    "nothing else on stderr (no library banner)");
        }
        try (var left = Files.list(empty)) {
            assertEquals(List.of(), left.toList(), "nothing written into the working directory");
        }
    }

    /** The engine plugin interface keeps its name in the jar: a plugin on the class path is found. */
    @Test
    void aPluginEngineBesideTheJarIsFound() throws Exception {
        Path src = Files.createDirectories(dir.resolve("plugin-src/example"));
        Path classes = Files.createDirectories(dir.resolve("plugin-classes"));
        Files.writeString(src.resolve("Float64Plugin.java"), """
                package example;
                public final class Float64Plugin implements io.specwatch.engine.SpectrumEngineProvider {
                    public String name() { return "plugin64"; }
                    public io.specwatch.engine.SpectrumEngine create(long seed) {
                        System.err.println("plugin64 created");
                        return io.specwatch.engine.SpectrumEngines.create("svd64", seed);
                    }
                }
                """);
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "-cp", Job.specwatchJar().toString(), "-d",
                classes.toString(), src.resolve("Float64Plugin.java").toString()));
        Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(classes.resolve("META-INF/services/io.specwatch.engine.SpectrumEngineProvider"), "example.Float64Plugin\n");
        Job.Result r = Job.java("-cp", Job.specwatchJar() + File.pathSeparator + classes, "io.specwatch.cli.Specwatch", "analyze",
                "--format", "json", "--engine", "plugin64", checkpoint.toString()).in(dir).run(dir.resolve("logs"), LONG);
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("plugin64 created"), r.toString());
        assertEquals(2, r.out().strip().split("\n").length, r.toString());
    }
}
