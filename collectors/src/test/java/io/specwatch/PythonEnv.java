package io.specwatch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Python interpreter with the real frameworks (torch, safetensors, transformers, lightning,
 * tensorboard) that tests use to write real files and run real jobs: {@code $SPECWATCH_PYTHON},
 * else {@code .venv/bin/python} at the repository root, which {@code .ci/run} creates. A test that
 * needs it fails (never skips) when it is missing.
 */
public final class PythonEnv {

    private PythonEnv() {
    }

    /** The interpreter; fails with what to do when there is none. */
    public static Path python() {
        String configured = System.getenv("SPECWATCH_PYTHON");
        Path candidate = configured != null && !configured.isBlank() ? Path.of(configured) : repositoryRoot().resolve(".venv/bin/python");
        if (!Files.isExecutable(candidate)) {
            throw new AssertionError("no Python with the test frameworks at " + candidate
                    + ": run .ci/run once (it creates .venv from .ci/python-requirements.txt), or set SPECWATCH_PYTHON");
        }
        return candidate;
    }

    /** The repository root: the nearest parent of the working directory holding .ci/. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve(".ci"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("cannot find the repository root (.ci/) above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    /** The result of a Python run. */
    public record Result(int exit, String output) {
    }

    /**
     * Runs a Python script (given as text) with arguments, in {@code workDir}, within {@code timeoutSeconds};
     * returns its exit code and its output (stdout and stderr).
     */
    public static Result run(String script, Path workDir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Path file = Files.createTempFile(workDir, "script", ".py");
        Files.writeString(file, script, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(python().toString(), file.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(workDir, "script", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.environment().put("TRANSFORMERS_OFFLINE", "1");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        if (!done) {
            throw new AssertionError("python timed out after " + timeoutSeconds + " s:\n" + out);
        }
        return new Result(p.exitValue(), out);
    }

    /** Like {@link #run} but fails the test unless the script exits 0. */
    public static String runOrFail(String script, Path workDir, long timeoutSeconds, String... args) throws IOException, InterruptedException {
        Result r = run(script, workDir, timeoutSeconds, args);
        if (r.exit() != 0) {
            throw new AssertionError("python exited " + r.exit() + ":\n" + r.output());
        }
        return r.output();
    }
}
