package io.specwatch.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.specwatch.export.PushgatewaySink;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.export.TensorBoardSink;
import io.specwatch.history.HistoryReader;
import io.specwatch.history.HistoryWriter;
import io.specwatch.history.HtmlReport;
import io.specwatch.monitor.AnalysisPriority;
import io.specwatch.monitor.MonitorHealth;
import io.specwatch.monitor.MonitorSettings;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.monitor.WorkSharing;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The monitor flags every example shares, and PyTorch's thread count (a picocli mixin). */
public final class MonitorOptions {

    @Option(names = "--every", defaultValue = "50", description = "snapshot every K steps; default: ${DEFAULT-VALUE}")
    int every;

    @Option(names = "--port", defaultValue = "9464", description = "port of /metrics and the live page (0: any free port); each process of a multi-process job adds its LOCAL_RANK; default: ${DEFAULT-VALUE}")
    int port;

    @Option(names = "--host", defaultValue = SpecwatchServer.DEFAULT_HOST, description = "address to bind; default: ${DEFAULT-VALUE}")
    String host;

    @Option(names = "--http-cpu", paramLabel = "CORES", defaultValue = "0.1", converter = CpuBudgetConverter.class,
            description = "CPU the HTTP server may use on average, as a fraction of one core, or off; beyond it new connections wait; default: ${DEFAULT-VALUE}")
    io.specwatch.export.CpuBudget httpCpu;

    @Option(names = "--history", description = "append a run to the JSON Lines history FILE (a new run id each time)")
    Path history;

    @Option(names = "--tensorboard", paramLabel = "DIR", description = "also write TensorBoard event files into DIR (tensorboard --logdir DIR)")
    Path tensorboard;

    @Option(names = "--vectors", defaultValue = "10", description = "singular triplets kept per layer for the dynamics (0: no dynamics); default: ${DEFAULT-VALUE}")
    int vectors;

    @Option(names = "--memory-budget-mb", paramLabel = "MiB",
            description = "what the monitor may hold (queued snapshots, the analysis's state and working memory); default: the example's (256 MiB or more)")
    Long memoryBudgetMb;

    @Option(names = "--report", description = "write the HTML report of the history to FILE at the end (needs --history)")
    Path report;

    @Option(names = "--analysis-priority", defaultValue = "idle", paramLabel = "idle|low|normal", converter = PriorityConverter.class,
            description = "CPU priority of the analysis thread on Linux (idle: only CPU time training leaves unused; low: nice 19; normal: as training); default: ${DEFAULT-VALUE}")
    AnalysisPriority analysisPriority;

    @Mixin
    TorchThreads torchThreads;

    @Option(names = "--rank", paramLabel = "R",
            description = "this process's rank in a multi-process job (with --world-size); default: from the launcher's environment "
                    + "(torchrun's RANK/WORLD_SIZE, Open MPI's, Slurm's), else 0 of 1")
    Integer rank;

    @Option(names = "--world-size", paramLabel = "N", description = "number of processes in the job (with --rank)")
    Integer worldSize;

    @Option(names = "--work-sharing", defaultValue = "split", paramLabel = "split|rank0-only|all",
            description = "how ranks share the analysis: split (each rank its share of the layers), rank0-only, all; default: ${DEFAULT-VALUE}")
    String workSharing;

    @Option(names = "--no-esd-for", paramLabel = "REGEX", description = "leave the ESD gauge histogram (27 series a layer) out of /metrics for these layers")
    String noEsdFor;

    @Option(names = "--no-top-sv-for", paramLabel = "REGEX", description = "leave the top singular values out of /metrics for these layers")
    String noTopSvFor;

    @Option(names = "--push", paramLabel = "URL", description = "also push the metrics to this Prometheus Pushgateway (host:port or http://host:port), "
            + "grouped by job and rank, with a final push at the end")
    String push;

    @Option(names = "--push-job", paramLabel = "NAME", description = "the job of the Pushgateway grouping key; default: the example's model name")
    String pushJob;

    @Option(names = "--push-every", defaultValue = "15", paramLabel = "S", description = "seconds between pushes; default: ${DEFAULT-VALUE}")
    int pushEvery;

    @Option(names = "--no-monitor", description = "train without the monitor (for overhead comparisons)")
    boolean noMonitor;

    @Option(names = "--linger", defaultValue = "0", description = "keep serving this many seconds after training; default: ${DEFAULT-VALUE}")
    int linger;

    /** The history sink, when --history was given and could be opened. */
    private HistoryWriter historyWriter;

    /** Lower-case names on the command line, whatever the CommandLine's enum settings. */
    static final class PriorityConverter implements CommandLine.ITypeConverter<AnalysisPriority> {
        @Override
        public AnalysisPriority convert(String value) {
            for (AnalysisPriority p : AnalysisPriority.values()) {
                if (p.name().equalsIgnoreCase(value)) {
                    return p;
                }
            }
            throw new CommandLine.TypeConversionException("expected idle, low or normal, got '" + value + "'");
        }
    }

    /** {@code --http-cpu}: a fraction of one core, or {@code off}. */
    static final class CpuBudgetConverter implements CommandLine.ITypeConverter<io.specwatch.export.CpuBudget> {
        @Override
        public io.specwatch.export.CpuBudget convert(String value) {
            try {
                return io.specwatch.export.CpuBudget.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** The monitor's counters once it has analysed what was queued; zeros without a monitor. */
    record Summary(long snapshots, long dropped, double maxPauseMillis, double totalPauseMillis, double analysisSeconds) {
    }

    /**
     * After training: waits up to {@code wait} for the queued snapshots, writes the HTML report
     * when --report was given, and returns the monitor's counters for the example's JSON summary.
     */
    Summary finish(SpectralMonitor monitor, Duration wait) throws InterruptedException {
        if (monitor == null) {
            return new Summary(0, 0, 0, 0, 0);
        }
        monitor.awaitIdle(wait);
        if (report != null) {
            writeReport();
        }
        MonitorHealth health = monitor.health();
        return new Summary(health.snapshots(), health.dropped(), health.maxPauseMillis(), health.totalPauseMillis(),
                health.analysisSeconds());
    }

    /** The process's peak resident memory (Linux VmHWM) in MiB, NaN where it cannot be read. */
    static double peakRssMegabytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no number
        }
        return Double.NaN;
    }

    /** The report of this run's history; a failure is one line on stderr, never the end of the example. */
    private void writeReport() {
        if (historyWriter == null) {
            System.err.println("specwatch: no report: the history " + history + " could not be written");
            return;
        }
        try {
            HtmlReport.Rendered r = HtmlReport.render(List.of(history), HistoryReader.Limits.DEFAULT, "specwatch report: " + history.getFileName());
            r.warnings().forEach(w -> System.err.println("specwatch: warning: " + w));
            Files.writeString(report, r.html());
            System.err.println("specwatch: report written to " + report.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            System.err.println("specwatch: cannot write the report " + report + ": " + e.getMessage());
        }
    }

    /** {@code history.jsonl} → {@code history.rank3.jsonl}. */
    static Path perRank(Path history, int rank) {
        String name = history.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String renamed = dot > 0 ? name.substring(0, dot) + ".rank" + rank + name.substring(dot) : name + ".rank" + rank;
        return history.resolveSibling(renamed);
    }

    /** Keeps serving --linger seconds after training (returns early, quietly, when interrupted). */
    void linger(SpectralMonitor monitor) {
        if (monitor == null || linger <= 0) {
            return;
        }
        System.err.printf("specwatch: training done; serving for %d more seconds%n", linger);
        try {
            Thread.sleep(linger * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A running monitor with its server and history, or null with --no-monitor. */
    record Running(SpectralMonitor monitor, SpecwatchServer server) implements AutoCloseable {
        @Override
        public void close() {
            if (monitor != null) {
                monitor.close();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    /** What is wrong with these flags, or null: examples print it and exit with 2 before training. */
    String problem() {
        if (every < 1) {
            return "--every must be >= 1, got " + every;
        }
        if (vectors < 0) {
            return "--vectors must be >= 0, got " + vectors;
        }
        if (memoryBudgetMb != null && memoryBudgetMb < 1) {
            return "--memory-budget-mb must be >= 1, got " + memoryBudgetMb;
        }
        if (report != null && history == null) {
            return "--report needs --history FILE";
        }
        if ((rank == null) != (worldSize == null)) {
            return "--rank and --world-size are given together";
        }
        if (rank != null && (worldSize < 1 || rank < 0 || rank >= worldSize)) {
            return "--rank must be in [0, --world-size), got " + rank + " of " + worldSize;
        }
        try {
            WorkSharing.parse(workSharing);
        } catch (IllegalArgumentException e) {
            return "--work-sharing: " + e.getMessage();
        }
        if (pushEvery < 1) {
            return "--push-every must be >= 1 s, got " + pushEvery;
        }
        if (pushJob != null && pushJob.isBlank()) {
            return "--push-job must not be blank";
        }
        return torchThreads.problem();
    }

    Running start(String model, MonitorSettings.Builder settings) throws IOException {
        String problem = problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (noMonitor) {
            return new Running(null, null);
        }
        if (memoryBudgetMb != null) {
            settings.memoryBudgetBytes(memoryBudgetMb << 20);
        }
        if (rank != null) {
            settings.rank(rank).worldSize(worldSize);
        }
        settings.workSharing(WorkSharing.parse(workSharing)).noEsdFor(noEsdFor).noTopSingularValuesFor(noTopSvFor);
        SpectralMonitor monitor = settings.model(model).every(every).vectors(vectors).analysisPriority(analysisPriority).build();
        io.specwatch.monitor.Rank processRank = monitor.settings().rank();
        if (processRank.worldSize() > 1 && history != null) {
            // one file per rank: several processes appending to one file would interleave their lines
            history = perRank(history, processRank.rank());
            report = report == null ? null : perRank(report, processRank.rank());
        }
        // a history or event directory that cannot be written costs that output only, never the training
        if (history != null) {
            try {
                historyWriter = new HistoryWriter(history, 200, monitor.settings());
                monitor.addSink(historyWriter);
            } catch (IOException e) {
                System.err.println("specwatch: " + e.getMessage() + "; training goes on without it");
            }
        }
        if (tensorboard != null) {
            try {
                monitor.addSink(new TensorBoardSink(tensorboard));
            } catch (IOException e) {
                System.err.println("specwatch: " + e.getMessage() + "; training goes on without it");
            }
        }
        if (push != null) {
            try {
                PushgatewaySink sink = PushgatewaySink.start(monitor, push, pushJob != null ? pushJob : model, Duration.ofSeconds(pushEvery));
                System.err.println("specwatch: pushing to " + sink.destination());
            } catch (IllegalArgumentException e) {
                System.err.println("specwatch: --push: " + e.getMessage() + "; training goes on without pushing");
            }
        }
        // the processes of one machine each get their own port: --port plus the local rank
        int ownPort = port == 0 ? 0 : port + processRank.localRank();
        SpecwatchServer server = null;
        try {
            server = SpecwatchServer.start(monitor, host, ownPort, httpCpu);
            System.err.printf("specwatch: metrics on http://%s:%d/metrics, live page on http://%s:%d/%n", host, server.port(), host, server.port());
        } catch (IOException e) {
            // the monitor's rule: a broken port never stops training
            System.err.println("specwatch: " + e.getMessage() + "; training goes on without /metrics and the live page");
        }
        return new Running(monitor, server);
    }
}
