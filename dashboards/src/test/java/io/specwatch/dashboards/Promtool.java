package io.specwatch.dashboards;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Prometheus's own binaries (Debian's {@code prometheus}, {@code prometheus-alertmanager}, {@code prometheus-pushgateway}; {@code .ci/run} installs them). */
final class Promtool {

    record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    /** The path of {@code binary} on the PATH; fails with what to install when it is missing. */
    static Path binary(String binary) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, binary);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(binary + " is not on the PATH: install Debian's prometheus, prometheus-alertmanager and "
                + "prometheus-pushgateway packages (apt-get install ...; .ci/run does) to run the rule and end-to-end tests");
    }

    /** Runs promtool with {@code args} in {@code workingDirectory}. */
    static Result run(Path workingDirectory, String... args) throws IOException, InterruptedException {
        return runTool("promtool", workingDirectory, args);
    }

    /** Runs {@code tool} (promtool, amtool) with {@code args} in {@code workingDirectory}. */
    static Result runTool(String tool, Path workingDirectory, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary(tool).toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(workingDirectory.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(tool + " " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
