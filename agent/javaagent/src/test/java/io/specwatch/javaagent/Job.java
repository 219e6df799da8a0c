package io.specwatch.javaagent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.specwatch.PythonEnv;

/**
 * A real {@code java} process of an acceptance test: a command, its environment and working
 * directory; stdout and stderr go to files (no pipe can fill up), and every wait is bounded.
 */
final class Job {

    private static final Pattern METRICS_URL = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    private final List<String> command;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Path directory;
    private boolean cleanEnvironment;

    private Job(List<String> command) {
        this.command = command;
    }

    /** {@code java} of this JVM's runtime with the given arguments. */
    static Job java(String... arguments) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.addAll(List.of(arguments));
        return new Job(c);
    }

    /** Any command. */
    static Job of(List<String> command) {
        return new Job(new ArrayList<>(command));
    }

    /** The jar {@code mvn package} built. */
    static Path specwatchJar() {
        Path jar = Path.of(System.getProperty("specwatch.jar", "target/specwatch.jar"));
        assertTrue(Files.isRegularFile(jar), jar + " is missing: the acceptance tests run after `mvn package` (mvn verify)");
        return jar;
    }

    /** {@code -javaagent:specwatch.jar=ARGUMENTS}. */
    static String agent(String arguments) {
        return "-javaagent:" + specwatchJar() + (arguments.isEmpty() ? "" : "=" + arguments);
    }

    /** The class path of a DJL application of {@code djlVersion}: the test applications, DJL and what DJL asks for. */
    static String djlApplication(String djlVersion, String... more) {
        Path apps = Path.of(System.getProperty("specwatch.apps", "target/apps"));
        Path djl = apps.resolve("djl-" + djlVersion);
        assertTrue(Files.isDirectory(djl), djl + " is missing: the build copies it before the acceptance tests");
        List<String> entries = new ArrayList<>(List.of(Path.of("target/test-classes").toAbsolutePath().toString(),
                djl + File.separator + "*", apps.resolve("djl-common") + File.separator + "*"));
        for (String m : more) {
            entries.add(apps.resolve(m) + File.separator + "*");
        }
        return String.join(File.pathSeparator, entries);
    }

    /** bin/specwatch-example, the examples' entry point. */
    static Job example(String... arguments) {
        List<String> c = new ArrayList<>();
        c.add(PythonEnv.repositoryRoot().resolve("bin/specwatch-example").toString());
        c.addAll(List.of(arguments));
        return new Job(c);
    }

    Job env(String name, String value) {
        environment.put(name, value);
        return this;
    }

    /** Starts from an empty environment (only what {@link #env} adds, and PATH). */
    Job cleanEnvironment() {
        this.cleanEnvironment = true;
        return this;
    }

    Job in(Path dir) {
        this.directory = dir;
        return this;
    }

    Running start(Path logs) throws IOException {
        Files.createDirectories(logs);
        Path out = Files.createTempFile(logs, "job", ".out");
        Path err = Files.createTempFile(logs, "job", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        if (directory != null) {
            pb.directory(directory.toFile());
        }
        if (cleanEnvironment) {
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/bin:/bin");
        }
        pb.environment().putAll(environment);
        return new Running(String.join(" ", command), pb.start(), out, err);
    }

    /** Runs to the end (at most {@code timeout}). */
    Result run(Path logs, Duration timeout) throws IOException, InterruptedException {
        return start(logs).finish(timeout);
    }

    /** What a finished job left: its exit code, stdout and stderr. */
    record Result(int exit, String out, String err) {
        /** The last line of stdout (the test applications' and the examples' summaries). */
        String lastLine() {
            String[] lines = out.strip().split("\n");
            return lines[lines.length - 1];
        }

        /** The agent's lines on stderr ("specwatch: ..."). */
        List<String> agentLines() {
            return err.lines().filter(l -> l.startsWith("specwatch: ")).collect(Collectors.toList());
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /** A job that runs. */
    static final class Running {
        private final String command;
        private final Process process;
        private final Path out;
        private final Path err;

        Running(String command, Process process, Path out, Path err) {
            this.command = command;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        long pid() {
            return process.pid();
        }

        /** The job's standard input. */
        java.io.OutputStream stdin() {
            return process.getOutputStream();
        }

        String err() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        String out() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        /** Waits until a line of stdout ({@code fromStdout}) or stderr satisfies {@code test}; fails after {@code timeout}. */
        String awaitLine(boolean fromStdout, Predicate<String> test, Duration timeout) throws IOException, InterruptedException {
            long end = System.nanoTime() + timeout.toNanos();
            while (true) {
                for (String line : (fromStdout ? out() : err()).lines().toList()) {
                    if (test.test(line)) {
                        return line;
                    }
                }
                if (!process.isAlive() || System.nanoTime() > end) {
                    throw new AssertionError((process.isAlive() ? "timed out" : "exited " + process.exitValue())
                            + " before the awaited line: " + command + "\n--- stdout\n" + out() + "\n--- stderr\n" + err());
                }
                Thread.sleep(50);
            }
        }

        /** The port of the agent's or the example's "metrics on http://127.0.0.1:PORT/metrics" line. */
        int metricsPort(Duration timeout) throws IOException, InterruptedException {
            Matcher m = METRICS_URL.matcher(awaitLine(false, l -> METRICS_URL.matcher(l).find(), timeout));
            assertTrue(m.find());
            return Integer.parseInt(m.group(1));
        }

        Result finish(Duration timeout) throws IOException, InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("did not end within " + timeout + ": " + command + "\n--- stdout\n" + out() + "\n--- stderr\n" + err());
            }
            return new Result(process.exitValue(), out(), err());
        }

        /** Ends it now (a run whose end is not what the test looks at). */
        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** GET http://127.0.0.1:PORT/PATH; the body, failing on any status but 200. */
    static String get(int port, String path) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() == 200, "GET " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }
}
