package io.specwatch.monitor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.specwatch.analysis.ConvLayout;
import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.analysis.MatrixReport;
import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.BlasThreads;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.LanczosTopTriplet;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.metrics.Dynamics;
import io.specwatch.metrics.SpectralPhase;

/**
 * Watches a model's weight spectra during training. The training thread calls {@link #offer}
 * (or a framework hook does); on due steps it copies the weights and queues them, and one
 * background worker analyses each snapshot and hands the {@link LayerReport}s to the sinks
 * (Prometheus export, history, live page).
 *
 * <p>Training never waits for analysis: when the queued snapshots would exceed the memory budget
 * the new snapshot is dropped and counted. Every failure inside the monitor is caught, counted in
 * {@link #health()} and logged once per cause.
 */
public final class SpectralMonitor implements AutoCloseable {

    private final Settings settings;
    private final MonitorHealth health = new MonitorHealth();
    private final LinkedBlockingQueue<WeightSnapshot> queue = new LinkedBlockingQueue<>();
    private final List<ReportSink> sinks = new CopyOnWriteArrayList<>();
    private final List<TrackedDirection> directions = new CopyOnWriteArrayList<>();
    private final Map<String, LayerReport> latest = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Thread worker;
    private final CountDownLatch warmedUp = new CountDownLatch(1);
    private static final long WARM_UP_WAIT_SECONDS = 20;
    private volatile boolean closed;
    private final Object idleLock = new Object();
    private int busy;

    // worker-thread state
    private final Map<String, LayerDynamics> dynamics = new HashMap<>();
    private final LayerAnalyzer analyzer;
    private final LayerAnalyzer analyzerWithTraps;
    private long analysedSnapshots;

    private SpectralMonitor(Settings settings) {
        this.settings = settings;
        AutomaticEngine engine = AutomaticEngine.withDefaults(settings.seed());
        LayerAnalyzer.Options options = new LayerAnalyzer.Options(settings.conv(), false, settings.seed(), settings.thresholds());
        this.analyzer = new LayerAnalyzer(engine, options);
        this.analyzerWithTraps = new LayerAnalyzer(engine, options.withCorrelationTraps(true));
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

    public static Builder builder() {
        return new Builder();
    }

    /** The settings this monitor runs with. */
    public Settings settings() {
        return settings;
    }

    public MonitorHealth health() {
        return health;
    }

    /** True when {@code step} is on the snapshot schedule. */
    public boolean isDue(long step) {
        return settings.schedule().isDue(step);
    }

    /** Adds a receiver of every analysed snapshot. */
    public void addSink(ReportSink sink) {
        sinks.add(Objects.requireNonNull(sink));
    }

    /**
     * Tracks the overlap of a direction β with the top right singular vector of every layer whose
     * name matches {@code layerPattern} (a regex, found anywhere in the name) and whose input
     * dimension is β's length; reported as {@code direction_overlap{direction=name}}.
     */
    public void trackDirection(String name, String layerPattern, float[] direction) {
        Objects.requireNonNull(name, "name");
        if (direction.length == 0) {
            throw new IllegalArgumentException("direction '" + name + "' is empty");
        }
        directions.add(new TrackedDirection(name, Pattern.compile(layerPattern), direction.clone()));
    }

    /** The most recent report of every layer, in model order. */
    public List<LayerReport> latest() {
        synchronized (latest) {
            return new ArrayList<>(latest.values());
        }
    }

    /**
     * Offers the weights of step {@code step}: when the step is due (or {@code force}) and the
     * budget allows, {@code copier} is called on this thread to copy them, and the copy is queued.
     * Never throws; failures are counted.
     *
     * @param estimatedBytes bytes the copy will hold (checked against the budget before copying)
     */
    public void offer(long step, long estimatedBytes, boolean force, Supplier<List<WeightSnapshot.Weight>> copier) {
        if (closed || (!force && !isDue(step))) {
            return;
        }
        long start = System.nanoTime();
        try {
            if (!reserve(estimatedBytes)) {
                health.dropped.increment();
                return;
            }
            List<WeightSnapshot.Weight> weights;
            try {
                weights = copier.get();
            } catch (RuntimeException | OutOfMemoryError e) {
                health.pendingBytes.addAndGet(-estimatedBytes);
                health.failure("copying weights at step " + step, e);
                return;
            }
            WeightSnapshot snapshot = new WeightSnapshot(step, System.currentTimeMillis(), weights);
            // settle the reservation to the real size
            health.pendingBytes.addAndGet(snapshot.bytes() - estimatedBytes);
            synchronized (idleLock) {
                busy++;
            }
            queue.add(snapshot);
            health.snapshots.increment();
        } finally {
            health.recordPause(System.nanoTime() - start);
        }
    }

    /** Offers weights already copied by the caller (for loops without a framework hook). */
    public void offer(long step, List<WeightSnapshot.Weight> weights) {
        long bytes = 0;
        for (WeightSnapshot.Weight w : weights) {
            bytes += 4L * w.values().length;
        }
        offer(step, bytes, false, () -> weights);
    }

    private boolean reserve(long bytes) {
        while (true) {
            long pending = health.pendingBytes.get();
            if (pending + bytes > settings.memoryBudgetBytes()) {
                return false;
            }
            if (health.pendingBytes.compareAndSet(pending, pending + bytes)) {
                return true;
            }
        }
    }

    /** Waits until every queued snapshot is analysed; false on timeout. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idleLock) {
            while (busy > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idleLock, left);
            }
        }
        return true;
    }

    private void work() {
        try {
            ThreadPriority.applyToCurrentThread(settings.analysisPriority());
        } catch (RuntimeException | LinkageError e) {
            health.failure("lowering the analysis thread's priority", e);
        }
        warmUp();
        while (!closed || !queue.isEmpty()) {
            WeightSnapshot snapshot;
            try {
                snapshot = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (snapshot == null) {
                continue;
            }
            try {
                analyse(snapshot);
            } catch (RuntimeException | OutOfMemoryError e) {
                health.failure("analysing step " + snapshot.step(), e);
            } finally {
                health.pendingBytes.addAndGet(-snapshot.bytes());
                synchronized (idleLock) {
                    busy--;
                    idleLock.notifyAll();
                }
            }
        }
    }

    /** Analyses a small synthetic matrix once, with vectors and an update, so that nothing loads later. */
    private void warmUp() {
        try {
            // ND4J sets the OpenMP thread count of the thread that initialises it, and PyTorch reads
            // its intra-op thread count from the same setting: ND4J must first load here, on the
            // worker, never on the training thread (TrainingThreadsTest)
            if (settings.analysisThreads() > 0) {
                BlasThreads.set(settings.analysisThreads());
            }
            DenseMatrix a = SyntheticMatrices.gaussian(48, 32, 1);
            analyzer.analyze("warm-up", new long[] {48, 32}, a.values(), Math.max(1, settings.vectors()));
            LanczosTopTriplet.of(a);
        } catch (RuntimeException | LinkageError e) {
            health.failure("warming up the analysis", e);
        } finally {
            warmedUp.countDown();
        }
    }

    private void analyse(WeightSnapshot snapshot) {
        long start = System.nanoTime();
        boolean traps = settings.trapsEvery() > 0 && analysedSnapshots % settings.trapsEvery() == 0;
        analysedSnapshots++;
        LayerAnalyzer layerAnalyzer = traps ? analyzerWithTraps : analyzer;
        List<LayerReport> reports = new ArrayList<>();
        for (WeightSnapshot.Weight weight : snapshot.matrices()) {
            try {
                MatrixReport report = layerAnalyzer.analyze(weight.name(), weight.shape(), weight.values(), settings.vectors());
                LayerDynamics state = dynamics.computeIfAbsent(weight.name(), k -> new LayerDynamics());
                reports.add(state.next(snapshot.step(), snapshot.epochMillis(), settings.model(), weight, report,
                        Dynamics.DEFAULT_TOP, directionOverlaps(weight.name(), report.vectors())));
            } catch (RuntimeException e) {
                health.failure("analysing " + weight.name(), e);
            }
        }
        reports = withLayerAlignment(reports);
        health.analysisNanos.addAndGet(System.nanoTime() - start);
        health.analyses.increment();
        health.lastStep.set(snapshot.step());
        health.lastEpochMillis.set(snapshot.epochMillis());
        synchronized (latest) {
            for (LayerReport r : reports) {
                latest.put(r.layer(), r);
            }
        }
        for (ReportSink sink : sinks) {
            try {
                sink.accept(reports);
            } catch (Exception | OutOfMemoryError e) {
                health.failure("report sink " + sink.getClass().getSimpleName(), e);
            }
        }
    }

    private Map<String, Double> directionOverlaps(String layer, SingularVectors vectors) {
        if (directions.isEmpty() || vectors == null || vectors.count() == 0) {
            return Map.of();
        }
        Map<String, Double> overlaps = new LinkedHashMap<>();
        for (TrackedDirection d : directions) {
            if (d.layers().matcher(layer).find() && vectors.right()[0].length == d.direction().length) {
                overlaps.put(d.name(), Dynamics.directionOverlap(vectors, d.direction()));
            }
        }
        return overlaps;
    }

    /** Consecutive layers whose shapes chain (rows of one = columns of the next) get their alignment. */
    private static List<LayerReport> withLayerAlignment(List<LayerReport> reports) {
        List<LayerReport> out = new ArrayList<>(reports.size());
        for (int i = 0; i < reports.size(); i++) {
            LayerReport r = reports.get(i);
            double alignment = Double.NaN;
            if (i + 1 < reports.size()) {
                SingularVectors a = r.report().vectors();
                SingularVectors b = reports.get(i + 1).report().vectors();
                if (a != null && b != null && a.count() > 0 && b.count() > 0) {
                    alignment = Dynamics.layerAlignment(a, b, Dynamics.DEFAULT_TOP);
                }
            }
            out.add(new LayerReport(r.step(), r.epochMillis(), r.model(), r.layer(), r.report(), r.agreementPrevious(),
                    r.agreementFirst(), r.subspaceOverlapPrevious(), r.subspaceOverlapFirst(), r.updateNormRatio(),
                    r.updateStableRank(), r.updateAlignment(), alignment, r.alphaHillBaseline(),
                    r.effectiveRankRatioBaseline(), r.directionOverlaps(), r.correlationTraps()));
        }
        return out;
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
        for (ReportSink sink : sinks) {
            try {
                sink.close();
            } catch (Exception e) {
                health.failure("closing " + sink.getClass().getSimpleName(), e);
            }
        }
    }

    private record TrackedDirection(String name, Pattern layers, float[] direction) {
    }

    /**
     * Monitor settings.
     *
     * @param model             model name label
     * @param schedule          which steps are snapshotted
     * @param include           parameters whose names match (found anywhere) are analysed
     * @param exclude           parameters whose names match are skipped (null: none)
     * @param topSingularValues how many top singular values are exported per layer
     * @param vectors           singular triplets kept per layer for the dynamics (0: no dynamics)
     * @param trapsEvery        count correlation traps every this many snapshots (0: never)
     * @param memoryBudgetBytes queued snapshots may hold at most this much; beyond, snapshots are dropped
     * @param conv              layout of convolution kernels
     * @param analysisThreads   BLAS threads for the analysis (process-wide; 0 leaves it alone)
     * @param seed              seed of the randomized engine and the trap shuffle
     * @param thresholds        spectral phase thresholds
     * @param analysisPriority  how the analysis thread competes with training for CPU
     */
    public record Settings(String model, SnapshotSchedule schedule, Pattern include, Pattern exclude,
                           int topSingularValues, int vectors, int trapsEvery, long memoryBudgetBytes, ConvLayout conv,
                           int analysisThreads, long seed, SpectralPhase.Thresholds thresholds,
                           AnalysisPriority analysisPriority) {

        /** True when the parameter is analysed. */
        public boolean includes(String parameter) {
            return include.matcher(parameter).find() && (exclude == null || !exclude.matcher(parameter).find());
        }
    }

    /** Builds a monitor; every setting has a working default. */
    public static final class Builder {
        private String model = "model";
        private int every = 50;
        private boolean denseEarly = true;
        private String include = ".*";
        private String exclude;
        private int topSingularValues = 5;
        private int vectors = Dynamics.DEFAULT_TOP;
        private int trapsEvery;
        private long memoryBudgetBytes = 256L << 20;
        private ConvLayout conv = ConvLayout.SLICES;
        private int analysisThreads = 1;
        private long seed;
        private SpectralPhase.Thresholds thresholds = SpectralPhase.Thresholds.DEFAULT;
        private AnalysisPriority analysisPriority = AnalysisPriority.IDLE;

        /** Model name label on every metric (default "model"). */
        public Builder model(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("model name must not be blank");
            }
            this.model = name;
            return this;
        }

        /** Snapshot every N steps (default 50). */
        public Builder every(int steps) {
            this.every = steps;
            return this;
        }

        /** Also snapshot steps 1, 2, 4, 8, … before the first interval (default true). */
        public Builder denseEarly(boolean dense) {
            this.denseEarly = dense;
            return this;
        }

        /** Regex of parameter names to analyse (default all with two or more dimensions). */
        public Builder include(String regex) {
            this.include = regex;
            return this;
        }

        /** Regex of parameter names to skip. */
        public Builder exclude(String regex) {
            this.exclude = regex;
            return this;
        }

        /** Top singular values exported per layer (default 5). */
        public Builder topSingularValues(int k) {
            this.topSingularValues = k;
            return this;
        }

        /** Singular triplets kept per layer for the dynamics (default 10; 0 turns dynamics off). */
        public Builder vectors(int k) {
            this.vectors = k;
            return this;
        }

        /** Count correlation traps every N snapshots (default 0: never; each costs one more decomposition). */
        public Builder trapsEvery(int snapshots) {
            this.trapsEvery = snapshots;
            return this;
        }

        /** Memory the queued snapshots may hold (default 256 MiB). */
        public Builder memoryBudgetBytes(long bytes) {
            this.memoryBudgetBytes = bytes;
            return this;
        }

        public Builder conv(ConvLayout layout) {
            this.conv = Objects.requireNonNull(layout);
            return this;
        }

        /** BLAS threads for the analysis (default 1, best next to a busy training job; 0 leaves OpenBLAS's default). */
        public Builder analysisThreads(int threads) {
            this.analysisThreads = threads;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * How the analysis thread competes with training for CPU (default {@link AnalysisPriority#IDLE}:
         * only CPU time training leaves idle; snapshots queue and drop instead of slowing training).
         */
        public Builder analysisPriority(AnalysisPriority priority) {
            this.analysisPriority = Objects.requireNonNull(priority, "priority");
            return this;
        }

        public Builder thresholds(SpectralPhase.Thresholds thresholds) {
            this.thresholds = Objects.requireNonNull(thresholds);
            return this;
        }

        /** Validates the settings and starts the analysis worker. */
        public SpectralMonitor build() {
            require(every >= 1, "every must be >= 1, got " + every);
            require(topSingularValues >= 0, "topSingularValues must be >= 0");
            require(vectors >= 0, "vectors must be >= 0");
            require(trapsEvery >= 0, "trapsEvery must be >= 0");
            require(memoryBudgetBytes > 0, "memoryBudgetBytes must be > 0");
            require(analysisThreads >= 0, "analysisThreads must be >= 0");
            Settings settings = new Settings(model, new SnapshotSchedule(every, denseEarly), Pattern.compile(include),
                    exclude == null ? null : Pattern.compile(exclude), topSingularValues, vectors, trapsEvery,
                    memoryBudgetBytes, conv, analysisThreads, seed, thresholds, analysisPriority);
            return new SpectralMonitor(settings);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
