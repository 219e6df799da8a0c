package io.specwatch.history;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.analysis.LayerReport;
import io.specwatch.catalogue.BuildInfo;
import io.specwatch.catalogue.ReportRecords;
import io.specwatch.monitor.MonitorSettings;
import io.specwatch.monitor.ReportSink;
import io.specwatch.monitor.TrainingPoint;

/**
 * Appends a run to a JSON Lines history file ({@link HistoryRecords}): first a header record with
 * a new run id, the start time and the monitor's settings, then one record per matrix per snapshot
 * ({@link ReportRecords#layer}: {@code step, timestamp, model, layer}, every field of
 * {@code specwatch analyze --format json}, the dynamics, the top singular values, the ESD
 * downsampled to at most {@code eigenvaluePoints} values) and the training values, each with the
 * run id. Written and flushed once per snapshot, so a crash loses at most the snapshot being
 * written; a file whose last line was cut by a crash gets a fresh line before the new run.
 *
 * <p>Failures after opening never reach the monitor: a write that fails (a full disk) is counted
 * ({@link #failures()}), logged in one line once per cause, and the next write starts on a fresh
 * line with a {@code "record": "resume"} marker, so the file stays readable.
 */
public final class HistoryWriter implements ReportSink {

    private static final Logger LOG = LoggerFactory.getLogger(HistoryWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Path file;
    private final OutputStream out;
    private final int eigenvaluePoints;
    private final String runId;
    private final Set<String> loggedCauses = new HashSet<>();
    private long failures;
    private boolean lineCut;

    /** A history without the monitor's settings in its header; see {@link #HistoryWriter(Path, int, MonitorSettings)}. */
    public HistoryWriter(Path file, int eigenvaluePoints) throws IOException {
        this(file, eigenvaluePoints, null);
    }

    /**
     * Opens (creates or appends to) a history and writes the header of a new run.
     *
     * @param file             created or appended to; its directory is created
     * @param eigenvaluePoints keep at most this many eigenvalues per record (0: none)
     * @param settings         written into the run's header (null: none)
     * @throws IOException with one line naming the file and the reason, when it cannot be written
     */
    public HistoryWriter(Path file, int eigenvaluePoints, MonitorSettings settings) throws IOException {
        this(file, eigenvaluePoints, settings, null);
    }

    /**
     * Opens a history to go on with run {@code continueRun} (a restarted checkpoint watcher): instead
     * of a new header, a {@code "record": "resume"} marker on a fresh line; null starts a new run.
     */
    public static HistoryWriter continuing(Path file, int eigenvaluePoints, MonitorSettings settings, String continueRun)
            throws IOException {
        return new HistoryWriter(file, eigenvaluePoints, settings, continueRun);
    }

    private HistoryWriter(Path file, int eigenvaluePoints, MonitorSettings settings, String continueRun) throws IOException {
        if (eigenvaluePoints < 0) {
            throw new IllegalArgumentException("eigenvaluePoints must be >= 0, got " + eigenvaluePoints);
        }
        this.file = file;
        this.eigenvaluePoints = eigenvaluePoints;
        Instant start = Instant.now();
        this.runId = continueRun != null ? continueRun
                : RUN_TIME.format(start) + "-" + String.format(Locale.ROOT, "%06x", new SecureRandom().nextInt(1 << 24));
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (Files.isDirectory(file)) {
                throw new IOException("is a directory");
            }
            boolean cut = endsInsideALine(file);
            this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            StringBuilder header = new StringBuilder();
            if (cut) {
                header.append('\n'); // the previous run ended inside a record (a crash): start on a fresh line
            }
            ObjectNode first = continueRun != null ? resumeMarker() : header(start, settings);
            header.append(JSON.writeValueAsString(first)).append('\n');
            out.write(header.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new IOException("cannot write the history " + file + ": " + reason(e), e);
        }
    }

    /** The id of the run this writer appends, written into every record. */
    public String runId() {
        return runId;
    }

    /** How many writes failed (each lost the records of one snapshot or one training value). */
    public synchronized long failures() {
        return failures;
    }

    private ObjectNode resumeMarker() {
        ObjectNode resume = JSON.createObjectNode();
        resume.put(HistoryRecords.KIND, "resume");
        resume.put(HistoryRecords.RUN, runId);
        resume.put("timestamp", System.currentTimeMillis() / 1000.0);
        return resume;
    }

    private ObjectNode header(Instant start, MonitorSettings settings) {
        ObjectNode o = JSON.createObjectNode();
        o.put(HistoryRecords.KIND, "run");
        o.put(HistoryRecords.RUN, runId);
        o.put("start", start.toString());
        o.put("timestamp", start.toEpochMilli() / 1000.0);
        o.put("specwatch", BuildInfo.version());
        o.put("file", file.getFileName() == null ? "" : file.getFileName().toString());
        if (settings != null) {
            o.put("model", settings.model());
            // one history per process: with several ranks, the header says which one wrote it
            o.put("rank", settings.rank().rank());
            o.put("world_size", settings.rank().worldSize());
            ObjectNode s = o.putObject("settings");
            s.put("every", settings.schedule().every());
            s.put("dense_early", settings.schedule().denseEarly());
            s.put("include", settings.selection().include() == null ? null : settings.selection().include().pattern());
            s.put("exclude", settings.selection().exclude() == null ? null : settings.selection().exclude().pattern());
            s.put("engine", settings.engine().name());
            s.put("vectors", settings.analysis().vectors());
            s.put("traps_every", settings.analysis().trapsEvery());
            s.put("memory_budget_bytes", settings.memoryBudgetBytes());
            s.put("analysis_threads", settings.analysisThreads());
            s.put("analysis_priority", settings.analysisPriority().name().toLowerCase(Locale.ROOT));
            s.put("eigenvalue_points", eigenvaluePoints);
            s.put("work_sharing", settings.workSharing().label());
            s.put("shard", settings.shard() == null ? null : settings.shard().toString());
            s.put("no_esd_for", settings.series().noEsd() == null ? null : settings.series().noEsd().pattern());
            s.put("no_top_singular_values_for",
                    settings.series().noTopSingularValues() == null ? null : settings.series().noTopSingularValues().pattern());
        }
        return o;
    }

    @Override
    public synchronized void accept(List<LayerReport> snapshot) {
        StringBuilder lines = new StringBuilder();
        for (LayerReport r : snapshot) {
            ObjectNode record = ReportRecords.layer(r, eigenvaluePoints);
            record.put(HistoryRecords.RUN, runId);
            lines.append(json(record)).append('\n');
        }
        write(lines, snapshot.isEmpty() ? -1 : snapshot.get(0).step());
    }

    @Override
    public synchronized void acceptTraining(TrainingPoint p) {
        ObjectNode o = JSON.createObjectNode();
        o.put(HistoryRecords.KIND, "training");
        o.put(HistoryRecords.RUN, runId);
        o.put("step", p.step());
        o.put("timestamp", p.epochMillis() / 1000.0);
        o.put("metric", p.metric());
        o.put("unit", p.unit());
        ObjectNode values = o.putObject("values");
        p.values().forEach((name, v) -> {
            if (v != null && Double.isFinite(v)) {
                values.put(name, v);
            } else {
                values.putNull(name);
            }
        });
        write(new StringBuilder(json(o)).append('\n'), p.step());
    }

    private static String json(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private void write(StringBuilder lines, long step) {
        if (lines.isEmpty()) {
            return;
        }
        try {
            if (lineCut) {
                // the last failed write may have left part of a line: close it, and mark where the run goes on
                lines.insert(0, "\n" + json(resumeMarker()) + "\n");
            }
            out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            lineCut = false;
        } catch (IOException e) {
            failures++;
            lineCut = true;
            String cause = reason(e);
            if (loggedCauses.size() < 100 && loggedCauses.add(cause)) {
                LOG.warn("specwatch: cannot write the history {} (step {} lost; training goes on, further failures are counted): {}", file, step, cause);
            }
        }
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            LOG.warn("specwatch: closing the history {}: {}", file, reason(e));
        }
    }

    /** True when the file exists, is not empty and its last byte is not a newline. */
    private static boolean endsInsideALine(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, ch.size() - 1);
            return last.get(0) != '\n';
        }
    }

    /** The reason of an I/O failure in words (NIO's messages are often just the path). */
    static String reason(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return (a.getFile() == null ? "" : a.getFile() + ": ") + "permission denied";
        }
        if (e instanceof NoSuchFileException n) {
            return (n.getFile() == null ? "" : n.getFile() + ": ") + "no such file or directory";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return (f.getFile() == null ? "" : f.getFile() + ": ") + f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
