package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.specwatch.javaagent.apps.HandWrittenLoop;
import io.specwatch.javaagent.apps.IsolatedDjlJob;
import io.specwatch.javaagent.apps.NoDjlJob;

/**
 * Whatever goes wrong for the agent costs one line on stderr saying what and why, and the job
 * trains exactly as without it: the same stdout (the job is deterministic), exit code 0, no stack
 * trace. Each case is a real JVM started with {@code -javaagent}.
 */
class HostSafetyIT {

    private static final Duration LONG = Duration.ofMinutes(3);
    private static final String[] LOOP = {"--steps", "12"};

    @TempDir
    static Path dir;

    /** What the job prints without the agent. */
    private static String alone;

    @BeforeAll
    static void runTheJobAlone() throws Exception {
        Job.Result r = loop(null, dir.resolve("alone"));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("{\"updates\": 12, "), r.toString());
        alone = r.out();
    }

    @Test
    void aBadSettingLeavesTheAgentOff() throws Exception {
        Job.Result badValue = loop("port=0,every=abc", dir.resolve("a"));
        assertUntouched(badValue, "specwatch: bad setting every=abc (agent argument): not a whole number; the agent is off, the job runs without it");

        Job.Result unknown = loop("evry=5", dir.resolve("b"));
        assertUntouched(unknown, "specwatch: unknown setting 'evry' (agent argument); known: model, port, host, http-cpu, history, tensorboard, every, "
                + "dense-early, include, exclude, vectors, top-singular-values, traps-every, memory-budget-mb, conv, engine, device, "
                + "analysis-threads, analysis-priority, seed, flush-timeout, linger, log-level, config; the agent is off, the job runs without it");
    }

    @Test
    void aTakenPortCostsTheMetricsOnly() throws Exception {
        Path history = dir.resolve("taken.jsonl");
        Job.Result r;
        int port;
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = taken.getLocalPort();
            r = loop("every=4,port=" + port + ",history=" + history, dir.resolve("c"));
        }
        assertEquals(0, r.exit(), r.toString());
        assertEquals(alone, r.out());
        List<String> about = r.agentLines().stream().filter(l -> l.contains("" + port)).toList();
        assertEquals(List.of("specwatch: cannot serve metrics on 127.0.0.1:" + port + ": the port is in use (another specwatch or exporter?); "
                + "choose another port, or port 0 for any free one; the agent goes on without /metrics and the live page"), about, r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
        assertEquals(List.of(0L, 1L, 2L, 4L, 8L, 12L), new ArrayList<>(History.read(history).steps()), "the history is still written");
    }

    @Test
    void anUnwritableHistoryCostsTheHistoryOnly() throws Exception {
        Job.Running running = loopJob("every=4,port=0,linger=120,history=/proc/no/h.jsonl").start(dir.resolve("d"));
        int port = running.metricsPort(LONG);
        running.awaitLine(false, l -> l.startsWith("specwatch: the job is done"), LONG);
        Scraped metrics = Scraped.parse(Job.get(port, "/metrics"));
        Job.Result r = running.finish(LONG);
        assertEquals(0, r.exit(), r.toString());
        assertEquals(alone, r.out());
        assertEquals(1, r.agentLines().stream().filter(l -> l.contains("/proc/no/h.jsonl")).count(), r.toString());
        assertTrue(r.agentLines().contains("specwatch: cannot write the history /proc/no/h.jsonl: /proc/no: no such file or directory; "
                + "the agent goes on without the history"), r.toString());
        assertEquals(12.0, metrics.value("specwatch_last_snapshot_step", Map.of("model", "model")), "/metrics still served");
        assertEquals(6.0, metrics.value("specwatch_snapshots_total", Map.of("model", "model")));
    }

    @Test
    void withoutDjlTheAgentStaysOff() throws Exception {
        String classPath = Path.of("target/test-classes").toAbsolutePath().toString();
        Job.Result without = Job.java("-cp", classPath, NoDjlJob.class.getName()).run(dir.resolve("e"), LONG);
        Job.Result with = Job.java(Job.agent("port=0,history=" + dir.resolve("never.jsonl")), "-cp", classPath, NoDjlJob.class.getName())
                .run(dir.resolve("e"), LONG);
        assertEquals(0, with.exit(), with.toString());
        assertTrue(with.out().startsWith("no-djl job done: "), with.toString());
        assertEquals(without.out(), with.out());
        assertEquals(List.of("specwatch: no DJL on the application class path (no ai/djl/training/Trainer.class): nothing to watch, the agent stays off"),
                with.agentLines(), with.toString());
        assertEquals("", with.err().replace(with.agentLines().get(0) + "\n", ""), "nothing else on stderr");
        assertFalse(Files.exists(dir.resolve("never.jsonl")), "nothing started");
    }

    /** A Trainer without the {@code listeners} field the advice binds: Byte Buddy refuses, the class loads as written. */
    @Test
    void aTrainerThatCannotBeInstrumentedTrainsUnwatched() throws Exception {
        Path stub = stubDjl("instrument", "0.35.1", """
                package ai.djl.training;
                public class Trainer implements AutoCloseable {
                    private int updates;
                    public Trainer(Object model, Object config) { }
                    public void step() { updates++; }
                    public int updates() { return updates; }
                    public void close() { }
                }
                """);
        Job.Result without = stubJob(stub, null);
        Job.Result with = stubJob(stub, "port=off,every=1");
        assertEquals(0, with.exit(), with.toString());
        assertEquals("stub job done: 5 updates\n", with.out());
        assertEquals(without.out(), with.out());
        List<String> lines = with.agentLines();
        assertEquals(2, lines.size(), with.toString());
        assertTrue(lines.get(0).contains("watches DJL 0.35.1 trainers"), with.toString());
        assertTrue(lines.get(1).startsWith("specwatch: cannot instrument DJL 0.35.1's Trainer (") && lines.get(1).contains("listeners")
                && lines.get(1).endsWith("): the job trains unwatched"), with.toString());
    }

    /** A Trainer with DJL's shape but not DJL's API (no getModel, no listener types): the first hook turns the agent off. */
    @Test
    void aDjlWithAnotherApiTurnsTheAgentOff() throws Exception {
        Path stub = stubDjl("api", "9.9.9", """
                package ai.djl.training;
                public class Trainer implements AutoCloseable {
                    private java.util.List<Object> listeners = new java.util.ArrayList<>();
                    private int updates;
                    public Trainer(Object model, Object config) { }
                    public void step() { updates++; }
                    public int updates() { return updates; }
                    public void close() { }
                }
                """);
        Job.Result without = stubJob(stub, null);
        Job.Result with = stubJob(stub, "port=off,every=1");
        assertEquals(0, with.exit(), with.toString());
        assertEquals("stub job done: 5 updates\n", with.out());
        assertEquals(without.out(), with.out());
        List<String> lines = with.agentLines();
        assertEquals(3, lines.size(), with.toString());
        assertTrue(lines.get(0).startsWith("specwatch: DJL 9.9.9 is not a version the agent was tested with (0.33.0, 0.35.1)"), with.toString());
        assertTrue(lines.get(2).startsWith("specwatch: DJL 9.9.9 does not have what the agent calls (java.lang.NoClassDefFoundError")
                || lines.get(2).startsWith("specwatch: DJL 9.9.9 does not have what the agent calls (java.lang.NoSuchMethodError"), with.toString());
        assertTrue(lines.get(2).endsWith("): the agent stops watching, training goes on"), with.toString());
        assertFalse(with.err().contains("\tat "), with.toString());
    }

    /** A Trainer defined by a class loader that cannot resolve the agent's hooks is left as DJL wrote it. */
    @Test
    void aTrainerInAnotherClassLoaderIsLeftAlone() throws Exception {
        String api = Path.of(System.getProperty("specwatch.apps", "target/apps"), "djl-" + System.getProperty("djl.version"),
                "api-" + System.getProperty("djl.version") + ".jar").toString();
        Job.Result r = Job.java(Job.agent("port=off"), "-cp", Job.djlApplication(System.getProperty("djl.version")),
                IsolatedDjlJob.class.getName(), api).in(dir).run(dir.resolve("f"), LONG);
        assertEquals(0, r.exit(), r.toString());
        assertEquals("loaded ai.djl.training.Trainer in its own class loader: true\n", r.out());
        List<String> lines = r.agentLines();
        assertEquals(2, lines.size(), r.toString());
        assertTrue(lines.get(1).startsWith("specwatch: DJL's Trainer was loaded by java.net.URLClassLoader@")
                && lines.get(1).endsWith(", which does not see the agent: not watched (the agent watches DJL on the application class path)"), r.toString());
    }

    private void assertUntouched(Job.Result r, String line) {
        assertEquals(0, r.exit(), r.toString());
        assertEquals(alone, r.out(), "the job's own output");
        assertEquals(List.of(line), r.agentLines(), r.toString());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
    }

    private static Job loopJob(String agentArguments) {
        List<String> command = new ArrayList<>(List.of("-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        if (agentArguments != null) {
            command.add(Job.agent(agentArguments));
        }
        command.addAll(List.of("-cp", Job.djlApplication(System.getProperty("djl.version")), HandWrittenLoop.class.getName()));
        command.addAll(List.of(LOOP));
        return Job.java(command.toArray(String[]::new)).in(dir);
    }

    private static Job.Result loop(String agentArguments, Path logs) throws Exception {
        return loopJob(agentArguments).run(logs, LONG);
    }

    /** A stand-in for DJL (its Trainer, its version file) and a job that uses it, compiled now. */
    private Path stubDjl(String name, String version, String trainer) throws IOException {
        Path src = dir.resolve(name + "-src");
        Path classes = dir.resolve(name + "-classes");
        Files.createDirectories(src.resolve("ai/djl/training"));
        Files.createDirectories(src.resolve("stub"));
        Files.createDirectories(classes.resolve("ai/djl/engine"));
        Files.writeString(src.resolve("ai/djl/training/Trainer.java"), trainer);
        Files.writeString(src.resolve("stub/StubJob.java"), """
                package stub;
                public class StubJob {
                    public static void main(String[] args) {
                        int updates;
                        try (ai.djl.training.Trainer trainer = new ai.djl.training.Trainer(new Object(), new Object())) {
                            for (int i = 0; i < 5; i++) {
                                trainer.step();
                            }
                            updates = trainer.updates();
                        }
                        System.out.println("stub job done: " + updates + " updates");
                    }
                }
                """);
        Files.writeString(classes.resolve("ai/djl/engine/api.properties"), "djl_version=" + version + "\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-d", classes.toString(), src.resolve("ai/djl/training/Trainer.java").toString(),
                src.resolve("stub/StubJob.java").toString());
        assertEquals(0, status, "the stub compiles");
        return classes;
    }

    private Job.Result stubJob(Path classes, String agentArguments) throws Exception {
        List<String> command = new ArrayList<>();
        if (agentArguments != null) {
            command.add(Job.agent(agentArguments));
        }
        command.addAll(List.of("-cp", classes.toString(), "stub.StubJob"));
        return Job.java(command.toArray(String[]::new)).in(dir).run(dir.resolve("stub-logs"), LONG);
    }
}
