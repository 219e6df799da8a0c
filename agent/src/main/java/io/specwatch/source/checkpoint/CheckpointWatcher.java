package io.specwatch.source.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.tensorfile.Printable;
import io.specwatch.tensorfile.ReadLimits;
import io.specwatch.tensorfile.TensorFormatException;

/**
 * Watches a directory a training job writes checkpoints into, and hands every ready checkpoint,
 * in step order, to a {@link SpectralMonitor} as a {@link CheckpointSource} — the same pipeline,
 * metrics, dashboards, history and live page as the DJL hook. One checkpoint at a time: the next
 * is offered once the monitor has analysed the previous, so memory stays that of one tensor and
 * no checkpoint is dropped.
 *
 * <p>Failures never stop it: a checkpoint that cannot be read (corrupt, truncated, hostile) is
 * one log line naming it and the reason, counted as failed; one deleted by the job's rotation
 * before or while it is analysed is counted as skipped.
 */
public final class CheckpointWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointWatcher.class);

    /** What the watcher counts; read by {@link WatcherMetrics}. */
    public static final class Counts {
        final LongAdder seen = new LongAdder();
        final LongAdder analysed = new LongAdder();
        final LongAdder skipped = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicLong lastStep = new AtomicLong(-1);
        final AtomicLong lagMillis = new AtomicLong(-1);

        /** Checkpoints found (each once). */
        public long seen() {
            return seen.sum();
        }

        /** Checkpoints analysed and exported. */
        public long analysed() {
            return analysed.sum();
        }

        /** Checkpoints deleted (rotated away) before or while they were analysed. */
        public long skipped() {
            return skipped.sum();
        }

        /** Checkpoints that could not be read or analysed. */
        public long failed() {
            return failed.sum();
        }

        /** Step of the last analysed checkpoint, -1 before the first. */
        public long lastStep() {
            return lastStep.get();
        }

        /** Seconds from the last analysed checkpoint's last write to its metrics being exported, NaN before the first. */
        public double lagSeconds() {
            long ms = lagMillis.get();
            return ms < 0 ? Double.NaN : ms / 1000.0;
        }
    }

    private final CheckpointDirectory directory;
    private final Path root;
    private final SpectralMonitor monitor;
    private final ReadLimits limits;
    private final long resumeAfterStep;
    private final Counts counts = new Counts();
    /** Checkpoints dealt with (analysed, failed, skipped or already in the history), by path and step. */
    private final Set<String> done = new HashSet<>();
    private final Set<String> seen = new HashSet<>();
    private boolean waitingLogged;

    /**
     * @param root            the directory the job writes checkpoints into
     * @param stepPattern     regex whose group 1 is the step in a checkpoint's name (null: the usual names)
     * @param monitor         analyses and exports; its schedule is ignored (every checkpoint is analysed)
     * @param limits          bounds on reading each checkpoint
     * @param resumeAfterStep checkpoints at or below this step are already in the history (-1: none)
     */
    public CheckpointWatcher(Path root, Pattern stepPattern, SpectralMonitor monitor, ReadLimits limits, long resumeAfterStep) {
        this.root = root;
        this.directory = new CheckpointDirectory(root, stepPattern);
        this.monitor = monitor;
        this.limits = limits;
        this.resumeAfterStep = resumeAfterStep;
    }

    public Counts counts() {
        return counts;
    }

    /**
     * Scans once and analyses every ready checkpoint not dealt with yet, in step order.
     *
     * @return the number of checkpoints present but not ready yet (still being written, or seen for the first time)
     */
    public int poll() throws InterruptedException {
        List<CheckpointCandidate> candidates;
        try {
            if (!Files.isDirectory(root)) {
                if (!waitingLogged) {
                    LOG.warn("specwatch watch: waiting for {} to appear", Printable.of(root.toString()));
                    waitingLogged = true;
                }
                return 0;
            }
            candidates = directory.scan();
        } catch (IOException e) {
            LOG.warn("specwatch watch: cannot list {}: {}", Printable.of(root.toString()), e.getMessage());
            return 0;
        }
        int waiting = 0;
        for (CheckpointCandidate c : candidates) {
            String key = c.path() + "@" + c.step();
            if (done.contains(key)) {
                continue;
            }
            if (seen.add(key) && c.step() > resumeAfterStep) {
                counts.seen.increment();
            }
            if (c.step() <= resumeAfterStep) {
                done.add(key);
                continue;
            }
            if (!directory.ready(c)) {
                waiting++;
                continue;
            }
            analyse(c);
            done.add(key);
            directory.forget(c.path());
        }
        return waiting;
    }

    /** Polls every {@code interval} until {@code stop} says so. */
    public void run(Duration interval, BooleanSupplier stop) throws InterruptedException {
        while (!stop.getAsBoolean()) {
            poll();
            long until = System.nanoTime() + interval.toNanos();
            while (!stop.getAsBoolean() && System.nanoTime() < until) {
                Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
        }
    }

    /**
     * Analyses what is there and returns: checkpoints still being written are waited for (a second
     * look after {@code settle}, since one needs two equal sizes to be ready), at most {@code patience}.
     */
    public void once(Duration settle, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        int waiting = poll();
        while (waiting > 0 && System.nanoTime() < deadline) {
            Thread.sleep(settle.toMillis());
            waiting = poll();
        }
        if (waiting > 0) {
            LOG.warn("specwatch watch: {} checkpoint(s) still being written after {} s; not analysed", waiting, patience.toSeconds());
        }
    }

    private void analyse(CheckpointCandidate c) throws InterruptedException {
        String name = Printable.of(c.path().toString());
        long lastWrite = lastWrite(c.path());
        CheckpointSource source;
        try {
            source = new CheckpointSource(c.path(), limits);
        } catch (TensorFormatException e) {
            if (!Files.exists(c.path())) {
                counts.skipped.increment();
                LOG.info("specwatch watch: {} was deleted before it was analysed", name);
            } else {
                counts.failed.increment();
                LOG.warn("specwatch watch: {}: {}", name, e.getMessage());
            }
            return;
        }
        long errorsBefore = monitor.health().errors();
        long droppedBefore = monitor.health().dropped();
        try (source) {
            monitor.offer(c.step(), source, true);
            monitor.awaitIdle(Duration.ofDays(365));
        }
        if (monitor.health().dropped() > droppedBefore) {
            counts.failed.increment();
            LOG.warn("specwatch watch: {}: not analysed: the memory budget cannot hold it (raise --memory-budget-mb)", name);
            return;
        }
        if (monitor.health().errors() > errorsBefore) {
            if (!Files.exists(c.path())) {
                counts.skipped.increment();
                LOG.info("specwatch watch: {} was deleted while it was analysed", name);
            } else {
                counts.failed.increment();
                LOG.warn("specwatch watch: {}: some tensors could not be analysed (see the monitor's log line)", name);
            }
            return;
        }
        counts.analysed.increment();
        counts.lastStep.set(c.step());
        counts.lagMillis.set(Math.max(0, System.currentTimeMillis() - lastWrite));
    }

    /** The newest modification time among a checkpoint's files: when it became complete. */
    private static long lastWrite(Path p) {
        try {
            if (!Files.isDirectory(p)) {
                return Files.getLastModifiedTime(p).toMillis();
            }
            long newest = Files.getLastModifiedTime(p).toMillis();
            try (var files = Files.list(p)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    newest = Math.max(newest, Files.getLastModifiedTime(f).toMillis());
                }
            }
            return newest;
        } catch (IOException e) {
            return System.currentTimeMillis();
        }
    }
}
