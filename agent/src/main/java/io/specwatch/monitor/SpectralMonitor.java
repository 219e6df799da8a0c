package io.specwatch.monitor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.SnapshotAnalyzer;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.analysis.WeightTensor;
import io.specwatch.analysis.WorkingMemory;
import io.specwatch.collector.LatestReports;
import io.specwatch.engine.BlasThreads;
import io.specwatch.engine.cuda.CudaSpectrumEngine;

/**
 * Watches a model's weight spectra during training. A {@link WeightSource} (a framework hook)
 * offers the weights at every step; on due steps the monitor copies the selected tensors and
 * queues them, and one background worker analyses each snapshot ({@link SnapshotAnalyzer}),
 * keeps the latest report of every layer ({@link #latest()}) and hands the reports to the sinks.
 *
 * <p>Training never waits for analysis: when the queued snapshots would exceed the memory budget
 * the new snapshot is dropped and counted. Every failure inside the monitor is caught, counted in
 * {@link #health()} and logged once per cause.
 */
public final class SpectralMonitor implements AutoCloseable {

    private static final long WARM_UP_WAIT_SECONDS = 20;
    private static final Duration POLL = Duration.ofMillis(200);

    private final MonitorSettings settings;
    private final SnapshotQueue queue;
    private final MonitorHealth health;
    private final SnapshotAnalyzer analyzer;
    private final LatestReports latest = new LatestReports();
    private final List<ReportSink> sinks = new CopyOnWriteArrayList<>();
    /** Training values waiting for the worker: bounded, the newest is dropped (and counted) when full. */
    private final BlockingQueue<TrainingPoint> training = new ArrayBlockingQueue<>(10_000);
    private final CountDownLatch warmedUp = new CountDownLatch(1);
    private final Thread worker;
    private volatile boolean closed;
    /** What the analysis holds between snapshots (ΔW's previous weights, vectors), for the budget. */
    private volatile long retainedBytes;

    SpectralMonitor(MonitorSettings settings) {
        this.settings = settings;
        this.queue = new SnapshotQueue(settings.memoryBudgetBytes());
        this.health = new MonitorHealth(queue::pendingBytes);
        this.analyzer = new SnapshotAnalyzer(settings.engine(), settings.analysis());
        this.worker = new Thread(this::work, "specwatch-analysis");
        this.worker.setDaemon(true);
        this.worker.start();
        try {
            // the first analysis loads native libraries and classes (~0.3 s of CPU): pay it here,
            // before training starts, rather than competing with the first training steps
            warmedUp.await(WARM_UP_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static MonitorSettings.Builder builder() {
        return new MonitorSettings.Builder();
    }

    public MonitorSettings settings() {
        return settings;
    }

    public MonitorHealth health() {
        return health;
    }

    /** The latest report of every layer: what the exporters read. */
    public LatestReports latest() {
        return latest;
    }

    /** True when {@code step} is on the snapshot schedule. */
    public boolean isDue(long step) {
        return settings.schedule().isDue(step);
    }

    /** Adds a receiver of every analysed snapshot's reports. */
    public void addSink(ReportSink sink) {
        sinks.add(Objects.requireNonNull(sink));
    }

    /** See {@link SnapshotAnalyzer#trackDirection}; reported as {@code direction_overlap{direction=name}}. */
    public void trackDirection(String name, String layerPattern, float[] direction) {
        analyzer.trackDirection(name, layerPattern, direction);
    }

    /** Offers the weights after {@code step} updates; snapshotted when the step is due. Never throws. */
    public void offer(long step, WeightSource source) {
        offer(step, source, false);
    }

    /** Offers weights the caller has already copied (for loops without a framework hook). */
    public void offer(long step, List<? extends WeightSnapshot.Weight> weights) {
        offer(step, WeightSource.of(weights), false);
    }

    /**
     * Offers the weights of step {@code step}: when the step is due (or {@code force}) and the
     * selected tensors fit the memory budget, they are copied on this thread and queued; otherwise
     * the snapshot is dropped and counted. Never throws, never waits for the analysis.
     */
    public void offer(long step, WeightSource source, boolean force) {
        if (closed || (!force && !isDue(step))) {
            return;
        }
        long start = System.nanoTime();
        try {
            List<TensorInfo> selected = settings.tensorsToAnalyse(source.tensors());
            long estimate = 0;
            long working = 0;
            for (TensorInfo t : selected) {
                long copy = source.copyBytes(t);
                estimate = saturatingAdd(estimate, copy);
                // a handle that reads later (a checkpoint) brings its values into the analysis's working memory
                long values = copy != 0 ? 0 : t.elements() > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * t.elements();
                working = Math.max(working, saturatingAdd(WorkingMemory.bytes(t), values));
            }
            long besides = saturatingAdd(working, retainedBytes);
            if (!queue.tryReserve(estimate, besides)) {
                health.dropped.increment();
                if (saturatingAdd(besides, estimate) > settings.memoryBudgetBytes()) {
                    health.warnOnce(String.format("memoryBudgetBytes (%d MiB) cannot hold one snapshot (%d MiB) beside the "
                                    + "analysis's working memory (%d MiB for the largest matrix) and state (%d MiB): every snapshot "
                                    + "is dropped; raise it, or exclude the largest tensors",
                            settings.memoryBudgetBytes() >> 20, estimate >> 20, working >> 20, retainedBytes >> 20));
                }
                return;
            }
            List<WeightTensor> copies = new ArrayList<>(selected.size());
            try {
                for (TensorInfo t : selected) {
                    copies.add(source.copy(t));
                }
            } catch (Exception | OutOfMemoryError e) {
                queue.cancel(estimate);
                health.failure("copying weights at step " + step, e);
                return;
            }
            queue.put(new WeightSnapshot(step, System.currentTimeMillis(), copies), estimate);
            health.snapshots.increment();
        } catch (Exception | OutOfMemoryError e) {
            health.failure("listing weights at step " + step, e);
        } finally {
            health.recordPause(System.nanoTime() - start);
        }
    }

    /**
     * Records a value the training job measured (loss, accuracy) at {@code step}, for the sinks
     * that chart it beside the spectra (live page, history, TensorBoard). Called from the training
     * thread: it only queues the value (the worker hands it on); never throws, never waits.
     *
     * @param metric e.g. {@code accuracy}
     * @param unit   for the axis title, e.g. {@code fraction}
     * @param values series name to value, e.g. {@code train} and {@code test}
     */
    public void recordTraining(long step, String metric, String unit, Map<String, Double> values) {
        if (closed) {
            return;
        }
        try {
            if (!training.offer(new TrainingPoint(step, System.currentTimeMillis(), metric, unit, values))) {
                health.failure("recording training values", new IllegalStateException(
                        "more than " + training.size() + " training values wait for the worker; the newest are dropped"));
            }
        } catch (RuntimeException e) {
            health.failure("recording training values at step " + step, e);
        }
    }

    private void deliverTraining() {
        for (TrainingPoint p = training.poll(); p != null; p = training.poll()) {
            TrainingPoint point = p;
            for (ReportSink sink : sinks) {
                deliver("report sink " + sink.getClass().getSimpleName(), () -> sink.acceptTraining(point));
            }
        }
    }

    /** Waits until every queued snapshot is analysed; false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        return queue.awaitIdle(timeout);
    }

    private void work() {
        try {
            ThreadPriority.applyToCurrentThread(settings.analysisPriority());
        } catch (RuntimeException | LinkageError e) {
            health.failure("lowering the analysis thread's priority", e);
        }
        warmUp();
        while (!closed || !queue.isEmpty()) {
            SnapshotQueue.Entry entry;
            try {
                entry = queue.poll(POLL);
            } catch (InterruptedException e) {
                return;
            }
            deliverTraining();
            if (entry == null) {
                continue;
            }
            try {
                analyse(entry.snapshot());
            } catch (RuntimeException | OutOfMemoryError e) {
                health.failure("analysing step " + entry.snapshot().step(), e);
            } finally {
                queue.done(entry);
            }
        }
    }

    private void warmUp() {
        try {
            // ND4J sets the OpenMP thread count of the thread that initialises it, and PyTorch reads
            // its intra-op thread count from the same setting: ND4J must first load here, on the
            // worker, never on the training thread (TrainingThreadsTest)
            if (settings.analysisThreads() > 0) {
                BlasThreads.set(settings.analysisThreads());
            }
            analyzer.warmUp();
        } catch (RuntimeException | LinkageError e) {
            health.failure("warming up the analysis", e);
        } finally {
            warmedUp.countDown();
        }
    }

    private void analyse(WeightSnapshot snapshot) {
        long start = System.nanoTime();
        List<LayerReport> reports = analyzer.analyze(snapshot, health::failure);
        retainedBytes = analyzer.retainedBytes();
        health.analysed(snapshot.step(), snapshot.epochMillis(), System.nanoTime() - start);
        deliver("the latest-report store", () -> latest.accept(reports));
        for (ReportSink sink : sinks) {
            deliver("report sink " + sink.getClass().getSimpleName(), () -> sink.accept(reports));
        }
    }

    private interface Delivery {
        void run() throws Exception;
    }

    private void deliver(String to, Delivery delivery) {
        try {
            delivery.run();
        } catch (Exception | OutOfMemoryError e) {
            health.failure(to, e);
        }
    }

    /** Stops taking snapshots, analyses what is queued (up to 30 s), then closes the sinks. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliverTraining();
        for (ReportSink sink : sinks) {
            deliver("closing " + sink.getClass().getSimpleName(), sink::close);
        }
        if (settings.engine() instanceof CudaSpectrumEngine gpu && !worker.isAlive()) {
            // the GPU engine holds a stream, library handles and pinned host buffers
            deliver("closing the GPU engine", gpu::close);
        }
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
