package io.specwatch.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import com.fasterxml.jackson.databind.JsonNode;

import io.specwatch.analysis.ConvLayout;
import io.specwatch.engine.DeviceEngines;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.history.HistoryReader;
import io.specwatch.history.HistoryRecords;
import io.specwatch.history.HistoryWriter;
import io.specwatch.history.HtmlReport;
import io.specwatch.monitor.AnalysisPriority;
import io.specwatch.monitor.MonitorSettings;
import io.specwatch.monitor.Shard;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.source.checkpoint.CheckpointWatcher;
import io.specwatch.source.checkpoint.WatcherMetrics;
import io.specwatch.tensorfile.Printable;
import io.specwatch.tensorfile.ReadLimits;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code specwatch watch DIR}: the checkpoints a training job writes, analysed as they arrive
 * through the monitor's pipeline (the same metrics, dashboards, alerts, live page and history as
 * the DJL hook), for PyTorch, Hugging Face, Lightning and NumPy jobs.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Watch a directory a training job writes checkpoints into and analyse each new checkpoint, in step order.",
            "Formats: safetensors (single or sharded), torch.save (.pt .pth .bin .ckpt; restricted unpickler), .npz;",
            "Hugging Face checkpoint-N/ directories, Lightning epoch=E-step=S.ckpt, any name with step=N/step-N/step_N.",
            "Exit status (with --once): 0 every checkpoint analysed, 2 a checkpoint could not be read or bad usage."})
final class WatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "the directory the job writes checkpoints into (or one checkpoint directory)")
    Path dir;

    @Option(names = "--model", paramLabel = "NAME", description = "model label on every metric; default: the directory's name")
    String model;

    @Option(names = "--once", description = "analyse what is there, then exit (CI pipelines, backfills)")
    boolean once;

    @Option(names = "--poll", defaultValue = "5", paramLabel = "SECONDS", description = "seconds between scans; default: ${DEFAULT-VALUE}")
    double poll;

    @Option(names = "--step-pattern", paramLabel = "REGEX", description = "regex whose group 1 is the step in a checkpoint's name")
    String stepPattern;

    @Option(names = "--port", paramLabel = "PORT", description = "port of /metrics and the live page (0: any free one); default: 9464, none with --once")
    Integer port;

    @Option(names = "--host", defaultValue = SpecwatchServer.DEFAULT_HOST, description = "address to bind; default: ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--http-cpu", paramLabel = "CORES", defaultValue = "0.1",
            description = "CPU the HTTP server may use on average, as a fraction of one core, or off; beyond it new connections wait; default: ${DEFAULT-VALUE}")
    String httpCpu;

    @Option(names = "--history", paramLabel = "FILE", description = "JSON Lines history; a restarted watcher goes on after the last step recorded there")
    Path history;

    @Option(names = "--report", paramLabel = "FILE", description = "write the HTML report of the history at the end (needs --history)")
    Path report;

    @Option(names = "--include", defaultValue = ".*", paramLabel = "REGEX", description = "analyse tensors whose names match; default: all with 2 or more dimensions")
    String include;

    @Option(names = "--exclude", paramLabel = "REGEX", description = "skip tensors whose names match")
    String exclude;

    @Option(names = "--conv", defaultValue = "slices", description = "layout of tensors with more than 2 dimensions: slices or flatten; default: ${DEFAULT-VALUE}")
    String conv;

    @Option(names = "--engine", defaultValue = "auto", paramLabel = "NAME", description = "spectrum engine (see analyze --help); default: ${DEFAULT-VALUE}")
    String engine;

    @Option(names = "--shard", paramLabel = "I/N|auto",
            description = "analyse share I of N of the layers (several watchers of one directory, on one or several machines; "
                    + "each its own --history and --port); auto: the launcher's rank and size (torchrun, Open MPI, Slurm); "
                    + "default: every layer")
    String shard;

    @Mixin
    DeviceOptions device;

    @Option(names = "--vectors", defaultValue = "10", description = "singular triplets kept per layer for the dynamics (0: none); default: ${DEFAULT-VALUE}")
    int vectors;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "BLAS threads of the analysis (0: OpenBLAS's default, one per core; 1 is faster on a machine busy training); default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--max-elements", paramLabel = "N", converter = AnalyzeCommand.ElementCount.class,
            description = "largest tensor read, in elements (e.g. 2e9); larger ones are skipped; default: ${DEFAULT-VALUE}")
    long maxElements = ReadLimits.DEFAULT.maxElements();

    @Option(names = "--memory-budget-mb", paramLabel = "MiB", description = "memory the analysis may hold; default: three quarters of the heap (-Xmx)")
    Long memoryBudgetMb;

    @Option(names = "--analysis-priority", defaultValue = "low", paramLabel = "idle|low|normal",
            description = "CPU priority of the analysis on Linux (the watcher often shares the machine with training); default: ${DEFAULT-VALUE}")
    String priority;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        String problem = problem();
        if (problem != null) {
            err.println("specwatch watch: " + problem);
            return Specwatch.EXIT_BAD_INPUT;
        }
        if (once && !Files.isDirectory(dir)) {
            err.println("specwatch watch: " + Printable.of(dir.toString()) + ": no such directory");
            return Specwatch.EXIT_BAD_INPUT;
        }
        DeviceEngines.Choice choice = device.choose("watch", engine, 0, err);
        if (choice == null) {
            return Specwatch.EXIT_BAD_INPUT;
        }
        String label = model != null ? model : label(dir);
        Resume resume = history != null ? Resume.from(history, label, err) : Resume.NONE;
        if (resume == null) {
            return Specwatch.EXIT_BAD_INPUT;
        }
        MonitorSettings.Builder builder = SpectralMonitor.builder().model(label).every(1).denseEarly(false)
                .include(include).exclude(exclude).vectors(vectors).conv(ConvLayout.valueOf(conv.toUpperCase(Locale.ROOT)))
                .engine(choice.engine()).analysisThreads(threads).analysisPriority(AnalysisPriority.valueOf(priority.toUpperCase(Locale.ROOT)))
                .memoryBudgetBytes(memoryBudgetMb != null ? memoryBudgetMb << 20 : Runtime.getRuntime().maxMemory() / 4 * 3);
        if (!"auto".equals(shard)) {
            // a watcher is one process of its own unless told otherwise, whatever its environment says
            Shard share = shard == null ? Shard.WHOLE : Shard.parse(shard);
            builder.rank(share.index()).worldSize(share.count());
        }
        SpectralMonitor monitor;
        try {
            monitor = builder.build();
        } catch (IllegalArgumentException e) {
            err.println("specwatch watch: " + e.getMessage());
            return Specwatch.EXIT_BAD_INPUT;
        }
        SpecwatchServer server = null;
        AtomicBoolean stop = new AtomicBoolean();
        Thread hook = new Thread(() -> stop.set(true), "specwatch-watch-stop");
        try {
            if (history != null) {
                try {
                    monitor.addSink(resume.run() != null ? HistoryWriter.continuing(history, 200, monitor.settings(), resume.run())
                            : new HistoryWriter(history, 200, monitor.settings()));
                } catch (IOException e) {
                    err.println("specwatch watch: " + e.getMessage());
                    return Specwatch.EXIT_BAD_INPUT;
                }
            }
            CheckpointWatcher watcher = new CheckpointWatcher(dir, stepPattern == null ? null : Pattern.compile(stepPattern), monitor,
                    ReadLimits.DEFAULT.withMaxElements(maxElements), resume.lastStep());
            if (!once || port != null) {
                try {
                    server = SpecwatchServer.start(monitor, host, port != null ? port : SpecwatchServer.DEFAULT_PORT, io.specwatch.export.CpuBudget.parse(httpCpu));
                    new WatcherMetrics(watcher.counts(), label, monitor.settings().rank().rank()).bindTo(server.meterRegistry());
                    err.printf("specwatch watch: metrics on http://%s:%d/metrics, live page on http://%s:%d/%n", host, server.port(), host, server.port());
                } catch (IOException e) {
                    err.println("specwatch watch: " + e.getMessage() + "; watching without /metrics and the live page");
                }
            }
            if (resume.lastStep() >= 0) {
                err.println("specwatch watch: the history has steps up to " + resume.lastStep() + "; going on after it");
            }
            err.flush();
            Runtime.getRuntime().addShutdownHook(hook);
            if (once) {
                watcher.once(Duration.ofMillis(1000), Duration.ofMinutes(5));
            } else {
                watcher.run(Duration.ofMillis((long) (poll * 1000)), stop::get);
            }
            CheckpointWatcher.Counts c = watcher.counts();
            out.printf(Locale.ROOT, "{\"seen\": %d, \"analysed\": %d, \"skipped\": %d, \"failed\": %d, \"last_step\": %d}%n",
                    c.seen(), c.analysed(), c.skipped(), c.failed(), c.lastStep());
            out.flush();
            monitor.close();
            if (report != null) {
                writeReport(err);
            }
            return c.failed() > 0 ? Specwatch.EXIT_BAD_INPUT : 0;
        } finally {
            monitor.close();
            if (server != null) {
                server.close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is stopping: the hook has run
            }
        }
    }

    private String problem() {
        if (!(poll > 0)) {
            return "--poll must be > 0, got " + poll;
        }
        if (report != null && history == null) {
            return "--report needs --history FILE";
        }
        if (shard != null && !"auto".equals(shard)) {
            try {
                Shard.parse(shard);
            } catch (IllegalArgumentException e) {
                return "--shard: " + e.getMessage();
            }
        }
        if (vectors < 0) {
            return "--vectors must be >= 0, got " + vectors;
        }
        if (threads < 0) {
            return "--threads must be >= 0, got " + threads;
        }
        if (memoryBudgetMb != null && memoryBudgetMb < 1) {
            return "--memory-budget-mb must be >= 1, got " + memoryBudgetMb;
        }
        if (port != null && (port < 0 || port > 65535)) {
            return "--port must be 0..65535, got " + port;
        }
        try {
            io.specwatch.export.CpuBudget.parse(httpCpu);
        } catch (IllegalArgumentException e) {
            return "--" + e.getMessage();
        }
        if (!List.of("slices", "flatten").contains(conv.toLowerCase(Locale.ROOT))) {
            return "--conv must be slices or flatten, got '" + conv + "'";
        }
        if (!List.of("idle", "low", "normal").contains(priority.toLowerCase(Locale.ROOT))) {
            return "--analysis-priority must be idle, low or normal, got '" + priority + "'";
        }
        try {
            Pattern.compile(include);
            if (exclude != null) {
                Pattern.compile(exclude);
            }
            if (stepPattern != null && Pattern.compile(stepPattern).matcher("").groupCount() < 1) {
                return "--step-pattern needs a group for the step, e.g. 'iter(\\\\d+)'";
            }
        } catch (PatternSyntaxException e) {
            return "bad regex: " + e.getDescription() + " in '" + e.getPattern() + "'";
        }
        return null;
    }

    private static String label(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    private void writeReport(PrintWriter err) {
        try {
            HtmlReport.Rendered r = HtmlReport.render(List.of(history), HistoryReader.Limits.DEFAULT, "specwatch report: " + history.getFileName());
            r.warnings().forEach(w -> err.println("specwatch: warning: " + w));
            Files.writeString(report, r.html());
            err.println("specwatch watch: report written to " + report.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            err.println("specwatch watch: cannot write the report " + report + ": " + e.getMessage());
        }
    }

    /** Where a restarted watcher goes on: the last run of this model in the history and its last step. */
    record Resume(String run, long lastStep) {
        static final Resume NONE = new Resume(null, -1);

        /** Reads the history (bounded); null after one line on {@code err} when it cannot be read. */
        static Resume from(Path history, String model, PrintWriter err) {
            if (!Files.exists(history)) {
                return NONE;
            }
            String[] run = {null};
            long[] last = {-1};
            try {
                HistoryReader.read(history, HistoryReader.Limits.DEFAULT, (JsonNode r) -> {
                    if (HistoryRecords.isLayer(r) && model.equals(r.path("model").asText())) {
                        last[0] = Math.max(last[0], r.path("step").asLong(-1));
                        run[0] = HistoryRecords.runId(r);
                    }
                });
            } catch (IOException e) {
                err.println("specwatch watch: cannot go on from the history: " + e.getMessage());
                return null;
            }
            return last[0] < 0 ? NONE : new Resume(run[0] == null || run[0].isEmpty() ? null : run[0], last[0]);
        }
    }
}
