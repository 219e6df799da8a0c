package io.specwatch.monitor;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.specwatch.analysis.ConvLayout;
import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.analysis.SnapshotAnalyzer;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.collector.SeriesFilter;
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
 * @param rank              this process's rank in its job (the {@code rank} label on every series)
 * @param workSharing       how the job's ranks share the layers
 * @param series            per-layer series left out of the export (cardinality)
 */
public record MonitorSettings(SnapshotSchedule schedule, TensorSelection selection, SnapshotAnalyzer.Settings analysis,
                              SpectrumEngine engine, long memoryBudgetBytes, int analysisThreads,
                              AnalysisPriority analysisPriority, Rank rank, WorkSharing workSharing, SeriesFilter series) {

    /** The model name label on every metric. */
    public String model() {
        return analysis.model();
    }

    /** The share of the layers this rank analyses, or null when it analyses none (rank0-only on another rank). */
    public Shard shard() {
        return workSharing.shardOf(rank);
    }

    /**
     * The one selection step of every source: the tensors of {@code tensors} this process
     * analyses, in their order — the {@link TensorSelection} (two or more dimensions, include and
     * exclude), then this rank's {@link #shard()} of what is left.
     */
    public List<TensorInfo> tensorsToAnalyse(List<TensorInfo> tensors) {
        Shard shard = shard();
        return shard == null ? List.of() : shard.select(selection.select(tensors));
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
        private Integer rank;
        private Integer worldSize;
        private int localRank;
        private WorkSharing workSharing = WorkSharing.SPLIT;
        private String noEsdFor;
        private String noTopSingularValuesFor;
        private Map<String, String> environment = System.getenv();

        Builder() {
        }

        /**
         * This process's rank in a multi-process job (with {@link #worldSize}); by default read from
         * the launcher's environment ({@link Rank#detect}: torchrun, Open MPI, Slurm), else 0 of 1.
         * Exported as the {@code rank} label of every series.
         */
        public Builder rank(int rank) {
            this.rank = rank;
            return this;
        }

        /** Number of processes in the job (with {@link #rank}). */
        public Builder worldSize(int worldSize) {
            this.worldSize = worldSize;
            return this;
        }

        /** This process's rank on its machine, when set with {@link #rank} (default 0; detected with the rank). */
        public Builder localRank(int localRank) {
            this.localRank = localRank;
            return this;
        }

        /**
         * How the ranks share the analysis (default {@link WorkSharing#SPLIT}: each rank its share of
         * the layers, which together cover every layer once).
         */
        public Builder workSharing(WorkSharing sharing) {
            this.workSharing = Objects.requireNonNull(sharing, "workSharing");
            return this;
        }

        /** Leaves the ESD gauge histogram (27 series a layer) out of the export for layers this regex finds. */
        public Builder noEsdFor(String layerRegex) {
            this.noEsdFor = layerRegex;
            return this;
        }

        /** Leaves the top singular values ({@link #topSingularValues} series a layer) out of the export for layers this regex finds. */
        public Builder noTopSingularValuesFor(String layerRegex) {
            this.noTopSingularValuesFor = layerRegex;
            return this;
        }

        /** The environment the rank is read from (tests; default {@code System.getenv()}). */
        Builder environment(Map<String, String> variables) {
            this.environment = Objects.requireNonNull(variables);
            return this;
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
            Rank processRank = chooseRank();
            SeriesFilter series;
            try {
                series = SeriesFilter.of(noEsdFor, noTopSingularValuesFor);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("noEsdFor / noTopSingularValuesFor: not a regex: " + e.getDescription(), e);
            }
            LayerAnalyzer.Options options = new LayerAnalyzer.Options(conv, false, seed, thresholds);
            SpectrumEngine chosen = chooseEngine();
            // refused here, once, rather than failing every layer's analysis later
            require(vectors == 0 || chosen.computesVectors(), "engine " + chosen.name() + " computes eigenvalues only, and the dynamics need "
                    + vectors + " singular vectors per layer: set vectors to 0 (--vectors 0), or choose auto, gram64, svd32 or svd64");
            MonitorSettings settings = new MonitorSettings(new SnapshotSchedule(every, denseEarly), TensorSelection.of(include, exclude),
                    new SnapshotAnalyzer.Settings(model, options, vectors, trapsEvery, topSingularValues),
                    chosen, memoryBudgetBytes, analysisThreads, analysisPriority, processRank, workSharing, series);
            if (processRank.worldSize() > 1) {
                Shard shard = settings.shard();
                LOG.info("specwatch: rank {} of {} ({}); {}", processRank.rank(), processRank.worldSize(), processRank.origin(),
                        shard == null ? "rank0-only: this rank analyses no layers, it exports its health"
                                : shard.count() == 1 ? "every rank analyses every layer (" + workSharing.label() + ")"
                                : "this rank analyses its share " + shard + " of the layers (split)");
            }
            return settings;
        }

        private Rank chooseRank() {
            if (rank == null && worldSize == null) {
                return Rank.detect(environment);
            }
            require(rank != null && worldSize != null, "rank and worldSize are set together (got rank " + rank + ", worldSize " + worldSize + ")");
            require(worldSize >= 1 && rank >= 0 && rank < worldSize, "rank must be in [0, worldSize), got rank " + rank + " of " + worldSize);
            require(localRank >= 0, "localRank must be >= 0, got " + localRank);
            return new Rank(rank, worldSize, localRank, "settings");
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
