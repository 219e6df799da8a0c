package io.specwatch.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.analysis.WeightTensor;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.monitor.Rank;
import io.specwatch.monitor.SpectralMonitor;
import io.specwatch.monitor.WeightSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A "model" without a training framework, for multi-process runs and load tests: {@code --blocks}
 * blocks of four matrices shaped like a Transformer block's ({@code q} and {@code o}: width ×
 * width, {@code up}: 4·width × width, {@code down}: width × 4·width). Each weight is a Gaussian
 * bulk plus a rank-one spike u·vᵀ whose strength grows with the step, so a spike leaves the
 * Marchenko–Pastur bulk half-way through and every update is rank one. The weights are a function
 * of the step alone: every rank of a job holds the same ones, as data-parallel replicas do, and
 * its monitor analyses its share ({@code --work-sharing}). The last stdout line is a JSON summary
 * with the rank, the layers it analysed and the analysis time.
 */
@Command(name = "synthetic", mixinStandardHelpOptions = true, sortOptions = false,
        description = "A framework-free model of drifting random matrices, for multi-rank runs (torchrun-style RANK/WORLD_SIZE).")
public final class SyntheticExample implements Callable<Integer> {

    @Option(names = "--blocks", defaultValue = "3", description = "blocks of four matrices; default: ${DEFAULT-VALUE}")
    int blocks;

    @Option(names = "--width", defaultValue = "128", description = "width of a block; default: ${DEFAULT-VALUE}")
    int width;

    @Option(names = "--steps", defaultValue = "200", description = "training steps; default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (the same on every rank); default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--step-delay-ms", defaultValue = "0", paramLabel = "MS", description = "sleep this long after every step; default: ${DEFAULT-VALUE}")
    int stepDelayMs;

    @Mixin
    MonitorOptions monitorOptions;

    /** The four matrices of a block: name, rows and columns in units of the width. */
    private static final String[] KINDS = {"attn.q", "attn.o", "mlp.up", "mlp.down"};
    private static final int[][] SHAPES = {{1, 1}, {1, 1}, {4, 1}, {1, 4}};

    @Override
    public Integer call() throws Exception {
        String problem = monitorOptions.problem();
        if (problem != null) {
            System.err.println("synthetic: " + problem);
            return 2;
        }
        if (blocks < 1 || blocks > 1000 || width < 2 || width > 4096 || steps < 1 || stepDelayMs < 0) {
            System.err.println("synthetic: --blocks must be in [1, 1000], --width in [2, 4096], --steps >= 1, --step-delay-ms >= 0");
            return 2;
        }
        Model model = new Model(blocks, width, steps, seed);
        long start = System.nanoTime();
        try (MonitorOptions.Running running = monitorOptions.start("synthetic", SpectralMonitor.builder())) {
            SpectralMonitor monitor = running.monitor();
            for (long step = 0; step <= steps; step++) {
                model.step = step;
                if (monitor != null) {
                    monitor.offer(step, model);
                }
                if (stepDelayMs > 0) {
                    Thread.sleep(stepDelayMs);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            MonitorOptions.Summary summary = monitorOptions.finish(monitor, Duration.ofMinutes(5));
            Rank rank = monitor != null ? monitor.settings().rank() : Rank.SINGLE;
            List<String> layers = monitor == null ? List.of() : monitor.latest().all().stream().map(r -> r.layer()).toList();
            System.out.printf(Locale.ROOT, "{\"rank\": %d, \"world_size\": %d, \"matrices\": %d, \"steps\": %d, \"train_seconds\": %.3f, "
                            + "\"snapshots\": %d, \"dropped\": %d, \"analysis_seconds\": %.3f, \"layers\": [%s]}%n",
                    rank.rank(), rank.worldSize(), model.tensors().size(), steps, seconds, summary.snapshots(), summary.dropped(),
                    summary.analysisSeconds(), layers.stream().map(l -> "\"" + l + "\"").collect(Collectors.joining(", ")));
            System.out.flush();
            monitorOptions.linger(monitor);
        }
        return 0;
    }

    /** The weights at {@link #step}: a function of the step and the seed, the same in every process. */
    static final class Model implements WeightSource {
        private final List<TensorInfo> tensors = new ArrayList<>();
        private final int steps;
        private final long seed;
        volatile long step;

        Model(int blocks, int width, int steps, long seed) {
            this.steps = steps;
            this.seed = seed;
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < KINDS.length; k++) {
                    tensors.add(new TensorInfo("blocks." + b + "." + KINDS[k] + ".weight",
                            new long[] {(long) SHAPES[k][0] * width, (long) SHAPES[k][1] * width}));
                }
            }
        }

        @Override
        public List<TensorInfo> tensors() {
            return tensors;
        }

        @Override
        public WeightTensor copy(TensorInfo tensor) {
            int index = tensors.indexOf(tensor);
            int rows = (int) tensor.shape()[0];
            int cols = (int) tensor.shape()[1];
            // a spike of strength (N·M)^¼ sits at the bulk edge: grow from 0 to twice that
            double strength = 2 * Math.pow((double) rows * cols, 0.25) * step / steps;
            DenseMatrix w = SyntheticMatrices.plantedSpike(rows, cols, strength, seed * 1_000_003L + index);
            float[] values = w.values();
            float scale = (float) (1 / Math.sqrt(Math.max(rows, cols)));
            for (int i = 0; i < values.length; i++) {
                values[i] *= scale;
            }
            return new WeightSnapshot.Weight(tensor.name(), tensor.shape(), values);
        }
    }
}
