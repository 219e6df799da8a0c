package io.specwatch.dashboards;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The processes one test class starts (Prometheus, Alertmanager, Pushgateway, training JVMs), each
 * with its output in a log file; {@link #close} ends every one still running.
 */
final class Processes implements AutoCloseable {

    private final Path dir;
    private final List<Process> started = new ArrayList<>();

    Processes(Path dir) {
        this.dir = dir;
    }

    /** A binary from the PATH (Debian's packages) with {@code args}; stdout and stderr to {@code log}. */
    Process binary(String name, String log, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Promtool.binary(name).toString());
        command.addAll(List.of(args));
        return start(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()));
    }

    /**
     * A JVM on this test's classpath running {@code mainClass}, with {@code environment} added to
     * this one's: stdout to {@code name.out}, stderr to {@code name.err}.
     */
    Process java(String name, Map<String, String> environment, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        // the launcher's variables of the test JVM itself must not leak into a simulated rank
        for (String v : List.of("RANK", "WORLD_SIZE", "LOCAL_RANK", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "SLURM_PROCID", "SLURM_NTASKS")) {
            builder.environment().remove(v);
        }
        builder.environment().putAll(environment);
        return start(builder);
    }

    Path log(String name) {
        return dir.resolve(name);
    }

    private Process start(ProcessBuilder builder) throws IOException {
        Process p = builder.start();
        synchronized (started) {
            started.add(p);
        }
        return p;
    }

    /** Ends {@code p} (SIGTERM, then SIGKILL after 20 s). */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        List<Process> all;
        synchronized (started) {
            all = new ArrayList<>(started);
        }
        for (Process p : all) {
            p.destroy();
        }
        for (Process p : all) {
            stop(p);
        }
    }
}
