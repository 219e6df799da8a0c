package io.specwatch.javaagent;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import io.specwatch.analysis.ConvLayout;
import io.specwatch.monitor.AnalysisPriority;
import io.specwatch.monitor.MonitorSettings;
import io.specwatch.monitor.SpectralMonitor;

/**
 * The agent's settings, from three places: {@code key=value} pairs of the agent argument
 * ({@code -javaagent:specwatch.jar=port=9464,every=50}), {@code SPECWATCH_KEY} environment
 * variables ({@code SPECWATCH_EVERY=50}, {@code SPECWATCH_MEMORY_BUDGET_MB=512}) and a Java
 * properties file ({@code config=FILE} or {@code SPECWATCH_CONFIG}). The agent argument wins over
 * the environment, which wins over the file; what none of them sets keeps its default.
 *
 * <p>Every value is checked when the agent starts: an unknown key (in the argument or the file), a
 * value of the wrong kind or out of range, or a file that cannot be read is an {@link Invalid}
 * whose message names the key, the value and where it came from. Unknown {@code SPECWATCH_*}
 * variables are ignored (other tools' settings share the prefix, e.g. {@code SPECWATCH_CUDA_LIBS}).
 */
public final class AgentConfig {

    /** A setting the agent knows: its key, the values it takes, its default, what it does. */
    public record Setting(String key, String values, String defaultValue, String meaning) {
        /** Its environment variable, e.g. {@code SPECWATCH_MEMORY_BUDGET_MB}. */
        public String environmentVariable() {
            return "SPECWATCH_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    /** Every setting, in the order the README's table lists them. */
    public static final List<Setting> SETTINGS = List.of(
            new Setting("model", "name", "model", "the model label on every metric and history record"),
            new Setting("port", "0-65535, off", "9464", "port of /metrics and the live page (0: any free port, printed)"),
            new Setting("host", "address", "127.0.0.1", "address to bind (0.0.0.0: reachable from other machines)"),
            new Setting("http-cpu", "fraction of a core, off", "0.1", "CPU the HTTP server may use on average; beyond it new connections wait, so a flood of requests cannot slow training"),
            new Setting("history", "file", "none", "append a run to this JSON Lines history"),
            new Setting("tensorboard", "directory", "none", "also write TensorBoard event files there"),
            new Setting("every", "steps >= 1", "50", "snapshot every N optimiser steps"),
            new Setting("dense-early", "true, false", "true", "also snapshot steps 1, 2, 4, 8, ... before the first N"),
            new Setting("include", "regex", ".*", "parameter names to analyse (DJL names them like 01Linear_weight)"),
            new Setting("exclude", "regex", "none", "parameter names to skip"),
            new Setting("vectors", ">= 0", "10", "singular triplets kept per layer for the dynamics (0: none)"),
            new Setting("top-singular-values", ">= 0", "5", "top singular values exported per layer"),
            new Setting("traps-every", ">= 0", "0", "count correlation traps every N snapshots (0: never)"),
            new Setting("memory-budget-mb", ">= 1", "256", "what the monitor may hold; beyond it snapshots are dropped and counted"),
            new Setting("conv", "slices, flatten", "slices", "layout of tensors with more than two dimensions"),
            new Setting("engine", "auto, gram32, gram64, svd32, svd64, a plugin's name", "auto", "how spectra are computed (`gram32` has no singular vectors: only with `vectors=0`)"),
            new Setting("device", "cpu, auto, cuda, cuda:N", "cpu", "where spectra are computed"),
            new Setting("analysis-threads", ">= 0", "1", "BLAS threads of the analysis (0: OpenBLAS's default)"),
            new Setting("analysis-priority", "idle, low, normal", "idle", "CPU priority of the analysis thread (Linux)"),
            new Setting("seed", "integer", "0", "seed of the randomized engine and the trap shuffle"),
            new Setting("flush-timeout", "seconds >= 0", "60", "at Trainer.close(), wait at most this long for queued snapshots to be analysed and written"),
            new Setting("linger", "seconds >= 0", "0", "when the JVM exits, keep serving /metrics until the next scrape, at most this long (a last scrape of a short job)"),
            new Setting("log-level", "error, warn, info, debug, off", "warn", "level of the monitor's own log messages (on stderr)"),
            new Setting("config", "file", "none", "a properties file with any of these keys (agent argument or SPECWATCH_CONFIG only)"));

    /** Bytes read of a config file at most: a settings file, not a data file. */
    static final int MAX_CONFIG_BYTES = 64 * 1024;

    /** A setting that cannot be used; the message names the key, the value and where it came from. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** A value and where it came from ("agent argument", "SPECWATCH_EVERY", "config file x.properties"). */
    record Value(String text, String origin) {
    }

    private final Map<String, Value> values;

    private AgentConfig(Map<String, Value> values) {
        this.values = values;
    }

    /**
     * Reads and checks the settings.
     *
     * @param arguments   the agent argument, {@code key=value} pairs separated by commas (null or empty: none)
     * @param environment the process environment
     * @throws Invalid naming the first setting that cannot be used
     */
    public static AgentConfig resolve(String arguments, Map<String, String> environment) throws Invalid {
        Map<String, Value> fromArguments = parseArguments(arguments);
        Map<String, Value> fromEnvironment = new LinkedHashMap<>();
        for (Setting s : SETTINGS) {
            String v = environment.get(s.environmentVariable());
            if (v != null && !v.isBlank()) {
                fromEnvironment.put(s.key(), new Value(v.strip(), s.environmentVariable()));
            }
        }
        Value configFile = fromArguments.containsKey("config") ? fromArguments.get("config") : fromEnvironment.get("config");
        Map<String, Value> merged = new LinkedHashMap<>(configFile == null ? Map.of() : readFile(configFile));
        merged.putAll(fromEnvironment);
        merged.putAll(fromArguments);
        AgentConfig config = new AgentConfig(merged);
        config.check();
        return config;
    }

    private static Map<String, Value> parseArguments(String arguments) throws Invalid {
        Map<String, Value> out = new LinkedHashMap<>();
        if (arguments == null || arguments.isBlank()) {
            return out;
        }
        for (String pair : arguments.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new Invalid("bad agent argument '" + pair + "': expected key=value pairs separated by commas"
                        + " (a value with a comma goes into config=FILE)");
            }
            String key = pair.substring(0, eq).strip();
            known(key, "agent argument");
            if (out.put(key, new Value(pair.substring(eq + 1).strip(), "agent argument")) != null) {
                throw new Invalid("bad agent argument: " + key + " is given twice");
            }
        }
        return out;
    }

    private static Map<String, Value> readFile(Value file) throws Invalid {
        Path path = Path.of(file.text());
        String origin = "config file " + path;
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
        } catch (IOException | RuntimeException e) {
            throw new Invalid("cannot read the config file " + path + " (" + file.origin() + "): " + describe(e));
        }
        if (bytes.length > MAX_CONFIG_BYTES) {
            throw new Invalid("the config file " + path + " is over " + MAX_CONFIG_BYTES / 1024 + " KiB: not a settings file");
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw new Invalid("cannot read the config file " + path + ": " + e.getMessage());
        }
        Map<String, Value> out = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames().stream().sorted().toList()) {
            known(key, origin);
            if (key.equals("config")) {
                throw new Invalid("config in the " + origin + ": a config file cannot name another");
            }
            out.put(key, new Value(p.getProperty(key).strip(), origin));
        }
        return out;
    }

    private static void known(String key, String origin) throws Invalid {
        if (SETTINGS.stream().noneMatch(s -> s.key().equals(key))) {
            throw new Invalid("unknown setting '" + key + "' (" + origin + "); known: "
                    + SETTINGS.stream().map(Setting::key).collect(Collectors.joining(", ")));
        }
    }

    private static String describe(Exception e) {
        return e instanceof java.nio.file.NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
    }

    /** Parses every value once, so that a bad one stops the agent before anything starts. */
    private void check() throws Invalid {
        port();
        httpCpu();
        history();
        tensorboard();
        lingerSeconds();
        flushTimeoutSeconds();
        logLevel();
        monitorValues();
    }

    /** The text of a setting, or null when nothing sets it. */
    String text(String key) {
        Value v = values.get(key);
        return v == null ? null : v.text();
    }

    /** Where a setting came from (for messages), or "default". */
    String origin(String key) {
        Value v = values.get(key);
        return v == null ? "default" : v.origin();
    }

    public String host() {
        String host = text("host");
        return host == null || host.isEmpty() ? "127.0.0.1" : host;
    }

    /** The HTTP port; -1 for {@code off}. */
    public int port() throws Invalid {
        String v = text("port");
        if (v != null && v.equalsIgnoreCase("off")) {
            return -1;
        }
        return (int) number("port", 9464, 0, 65535);
    }

    /** What the HTTP server may spend of the CPU. */
    public io.specwatch.export.CpuBudget httpCpu() throws Invalid {
        String v = text("http-cpu");
        if (v == null) {
            return io.specwatch.export.CpuBudget.DEFAULT;
        }
        try {
            return io.specwatch.export.CpuBudget.parse(v);
        } catch (IllegalArgumentException e) {
            throw bad("http-cpu", e.getMessage());
        }
    }

    public Path history() throws Invalid {
        return path("history");
    }

    public Path tensorboard() throws Invalid {
        return path("tensorboard");
    }

    public int lingerSeconds() throws Invalid {
        return (int) number("linger", 0, 0, 86_400);
    }

    public int flushTimeoutSeconds() throws Invalid {
        return (int) number("flush-timeout", 60, 0, 86_400);
    }

    /** The SLF4J level name of the monitor's messages. */
    public String logLevel() throws Invalid {
        return choice("log-level", "warn", "error", "warn", "info", "debug", "off");
    }

    public String model() {
        String model = text("model");
        return model == null || model.isEmpty() ? "model" : model;
    }

    /** The monitor settings, parsed (checked without the monitor's builder, which would start logging). */
    private record MonitorValues(int every, boolean denseEarly, String include, String exclude, int vectors, int topSingularValues,
                                 int trapsEvery, long memoryBudgetMb, ConvLayout conv, int analysisThreads,
                                 AnalysisPriority analysisPriority, long seed, String engine, String device) {
    }

    private MonitorValues monitorValues() throws Invalid {
        return new MonitorValues((int) number("every", 50, 1, Integer.MAX_VALUE), bool("dense-early", true),
                regex("include", ".*"), regex("exclude", null), (int) number("vectors", 10, 0, 10_000),
                (int) number("top-singular-values", 5, 0, 10_000), (int) number("traps-every", 0, 0, Integer.MAX_VALUE),
                number("memory-budget-mb", 256, 1, 1L << 30),
                ConvLayout.valueOf(choice("conv", "slices", "slices", "flatten").toUpperCase(Locale.ROOT)),
                (int) number("analysis-threads", 1, 0, 1024),
                AnalysisPriority.valueOf(choice("analysis-priority", "idle", "idle", "low", "normal").toUpperCase(Locale.ROOT)),
                number("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE), blankToNull(text("engine")), blankToNull(text("device")));
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /**
     * A monitor builder with every setting applied (what no source sets keeps the builder's default).
     *
     * @throws Invalid when the builder refuses an engine or device name
     */
    public MonitorSettings.Builder monitor() throws Invalid {
        MonitorValues v = monitorValues();
        MonitorSettings.Builder b = SpectralMonitor.builder().model(model()).every(v.every()).denseEarly(v.denseEarly())
                .include(v.include()).vectors(v.vectors()).topSingularValues(v.topSingularValues()).trapsEvery(v.trapsEvery())
                .memoryBudgetBytes(v.memoryBudgetMb() << 20).conv(v.conv()).analysisThreads(v.analysisThreads())
                .analysisPriority(v.analysisPriority()).seed(v.seed());
        if (v.exclude() != null) {
            b.exclude(v.exclude());
        }
        try {
            if (v.engine() != null) {
                b.engine(v.engine());
            }
        } catch (IllegalArgumentException e) {
            throw bad("engine", e.getMessage());
        }
        try {
            if (v.device() != null) {
                b.device(v.device());
            }
        } catch (IllegalArgumentException e) {
            throw bad("device", e.getMessage());
        }
        return b;
    }

    private long number(String key, long fallback, long min, long max) throws Invalid {
        String v = text(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(key, "not a whole number");
        }
        if (n < min || n > max) {
            throw bad(key, max == Integer.MAX_VALUE || max == Long.MAX_VALUE ? "must be >= " + min : "must be " + min + ".." + max);
        }
        return n;
    }

    private boolean bool(String key, boolean fallback) throws Invalid {
        String v = text(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw bad(key, "expected true or false");
    }

    private String regex(String key, String fallback) throws Invalid {
        String v = text(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        try {
            Pattern.compile(v);
        } catch (PatternSyntaxException e) {
            throw bad(key, "not a regular expression (" + e.getDescription() + ")");
        }
        return v;
    }

    private String choice(String key, String fallback, String... options) throws Invalid {
        String v = text(key);
        if (v == null || v.isEmpty()) {
            return fallback;
        }
        for (String o : options) {
            if (o.equalsIgnoreCase(v)) {
                return o;
            }
        }
        throw bad(key, "expected one of " + String.join(", ", options));
    }

    private Path path(String key) throws Invalid {
        String v = text(key);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Path.of(v);
        } catch (RuntimeException e) {
            throw bad(key, "not a path");
        }
    }

    private Invalid bad(String key, String why) {
        return new Invalid("bad setting " + key + "=" + text(key) + " (" + origin(key) + "): " + why);
    }
}
