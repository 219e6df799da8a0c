package io.specwatch.monitor;

import java.util.Objects;

import io.specwatch.analysis.ConvLayout;
import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.analysis.SnapshotAnalyzer;
import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.ComputeDevice;
import io.specwatch.engine.DeviceEngines;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumEngines;
import io.specwatch.engine.cuda.CudaLibraries;
import io.specwatch.engine.cuda.CudaSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.specwatch.metrics.Dynamics;
import io.specwatch.metrics.SpectralPhase;

/**
 * How a {@link SpectralMonitor} runs; built by {@link SpectralMonitor#builder()}.
 *
 * @param schedule          which steps are snapshotted
 * @param selection         which tensors are analysed
 * @param analysis          how snapshots are analysed (model label, layout, vectors, trap cadence, exported top-k)
 * @param engine            computes the spectra (and ΔW's top triplet)
 * @param memoryBudgetBytes what the monitor may hold: queued snapshots, the analysis's state between snapshots
 *                          (the previous weights for ΔW, the kept vectors) and the working memory of the largest
 *                          matrix ({@link io.specwatch.analysis.WorkingMemory}); a snapshot that would exceed it is dropped
 * @param analysisThreads   BLAS threads for the analysis (process-wide; 0 leaves it alone)
 * @param analysisPriority  how the analysis thread competes with training for CPU
 */
public record MonitorSettings(SnapshotSchedule schedule, TensorSelection selection, SnapshotAnalyzer.Settings analysis,
                              SpectrumEngine engine, long memoryBudgetBytes, int analysisThreads,
                              AnalysisPriority analysisPriority) {

    /** The model name label on every metric. */
    public String model() {
        return analysis.model();
    }

    /** Builds a monitor; every setting has a working default. */
    public static final class Builder {
        private static final Logger LOG = LoggerFactory.getLogger(MonitorSettings.class);

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
        private SpectrumEngine engine;
        private String engineName = "auto";
        private boolean engineInstance;
        private ComputeDevice device = ComputeDevice.CPU;

        Builder() {
        }

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

        /** Regex of tensor names to analyse (default all with two or more dimensions). */
        public Builder include(String regex) {
            this.include = Objects.requireNonNull(regex, "include");
            return this;
        }

        /** Regex of tensor names to skip. */
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

        /**
         * Memory the monitor may hold (default 256 MiB): queued snapshots, the state kept between
         * snapshots and the working memory of the largest matrix; beyond it, snapshots are dropped.
         */
        public Builder memoryBudgetBytes(long bytes) {
            this.memoryBudgetBytes = bytes;
            return this;
        }

        /** Layout of convolution kernels (default slices, as WeightWatcher). */
        public Builder conv(ConvLayout layout) {
            this.conv = Objects.requireNonNull(layout);
            return this;
        }

        /** BLAS threads for the analysis (default 1, best next to a busy training job; 0 leaves OpenBLAS's default). */
        public Builder analysisThreads(int threads) {
            this.analysisThreads = threads;
            return this;
        }

        /** Seed of the randomized engine and the trap shuffle (default 0). */
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

        /** Spectral phase thresholds (default: docs/spectral-metrics.md §7). */
        public Builder thresholds(SpectralPhase.Thresholds thresholds) {
            this.thresholds = Objects.requireNonNull(thresholds);
            return this;
        }

        /** The engine that computes the spectra and ΔW's top triplet (default {@link AutomaticEngine#withDefaults}). */
        public Builder engine(SpectrumEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            this.engineInstance = true;
            return this;
        }

        /** An engine by name (see {@link SpectrumEngines#available()}), seeded with {@link #seed}. */
        public Builder engine(String name) {
            this.engine = SpectrumEngines.create(name, seed);
            this.engineName = name;
            this.engineInstance = false;
            return this;
        }

        /**
         * Where the spectra are computed: {@code cpu} (the default: the GPU's memory belongs to the
         * training job unless you say otherwise), {@code auto} (a GPU when one is usable, said once in
         * the log, else the CPU) or {@code cuda[:N]} ({@link #settings()} fails when it is not usable).
         * On a GPU the engine name ({@code auto}, {@code gram32}, {@code gram64}) picks the precision;
         * whatever the GPU cannot do falls back to the CPU engine of that name, counted and logged once
         * per cause. One matrix may use half the device memory free at that moment.
         *
         * @throws IllegalArgumentException unless auto, cpu, cuda or cuda:N
         */
        public Builder device(String device) {
            this.device = ComputeDevice.parse(device);
            return this;
        }

        /** The validated settings. */
        public MonitorSettings settings() {
            require(every >= 1, "every must be >= 1, got " + every);
            require(topSingularValues >= 0, "topSingularValues must be >= 0, got " + topSingularValues);
            require(vectors >= 0, "vectors must be >= 0, got " + vectors);
            require(trapsEvery >= 0, "trapsEvery must be >= 0, got " + trapsEvery);
            require(memoryBudgetBytes > 0, "memoryBudgetBytes must be > 0, got " + memoryBudgetBytes);
            require(analysisThreads >= 0, "analysisThreads must be >= 0, got " + analysisThreads);
            LayerAnalyzer.Options options = new LayerAnalyzer.Options(conv, false, seed, thresholds);
            return new MonitorSettings(new SnapshotSchedule(every, denseEarly), TensorSelection.of(include, exclude),
                    new SnapshotAnalyzer.Settings(model, options, vectors, trapsEvery, topSingularValues),
                    chooseEngine(), memoryBudgetBytes, analysisThreads, analysisPriority);
        }

        private SpectrumEngine chooseEngine() {
            if (device.kind() == ComputeDevice.Kind.CPU) {
                return engine != null ? engine : AutomaticEngine.withDefaults(seed);
            }
            require(!engineInstance, "device(" + device + ") needs an engine by name (auto, gram32, gram64), not an engine instance");
            DeviceEngines.Choice choice = DeviceEngines.choose(device, engineName, seed, CudaSettings.defaults(device.index()),
                    CudaLibraries.system());
            if (choice.onGpu()) {
                LOG.info("specwatch: {}", choice.announcement());
            }
            return choice.engine();
        }

        /** Validates the settings and starts the monitor's analysis worker. */
        public SpectralMonitor build() {
            return new SpectralMonitor(settings());
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
