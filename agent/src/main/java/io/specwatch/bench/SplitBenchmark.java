package io.specwatch.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.monitor.AnalysisPriority;
import io.specwatch.monitor.SpectralMonitor;

/**
 * Analysis time of each rank's share when {@code ranks} ranks split a model, against one process
 * analysing all of it (the baseline, in the same run): {@code blocks} blocks of four matrices
 * shaped like the synthetic example's (width², width², 4·width × width, width × 4·width), the
 * weights of {@code snapshots} steps generated beforehand, each monitor fed them in turn and its
 * {@code analysis_seconds} read when it is idle. One JVM, warmed up by an untimed round, ranks and
 * baseline interleaved, medians of {@code repeats} rounds ({@code bench/ranks-split.sh}).
 *
 * <p>Usage: {@code SplitBenchmark REPEATS RANKS WIDTH SNAPSHOTS [BLOCKS]}
 */
public final class SplitBenchmark {

    private SplitBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int repeats = Integer.parseInt(args[0]);
        int ranks = Integer.parseInt(args[1]);
        int width = Integer.parseInt(args[2]);
        int snapshots = Integer.parseInt(args[3]);
        int blocks = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        List<List<WeightSnapshot.Weight>> steps = weights(blocks, width, snapshots);
        System.out.printf(Locale.ROOT, "%d matrices (width %d), %d snapshots, %d ranks, %d rounds after one untimed%n",
                steps.get(0).size(), width, snapshots, ranks, repeats);
        time(steps, 0, 1);
        double[] single = new double[repeats];
        double[][] perRank = new double[ranks][repeats];
        for (int i = 0; i < repeats; i++) {
            single[i] = time(steps, 0, 1);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d: one process %.3f s; ranks:", i + 1, single[i]));
            for (int r = 0; r < ranks; r++) {
                perRank[r][i] = time(steps, r, ranks);
                line.append(String.format(Locale.ROOT, " %.3f", perRank[r][i]));
            }
            System.out.println(line + " s");
        }
        double baseline = median(single);
        double slowest = 0;
        double sum = 0;
        StringBuilder each = new StringBuilder();
        for (int r = 0; r < ranks; r++) {
            double m = median(perRank[r]);
            slowest = Math.max(slowest, m);
            sum += m;
            each.append(String.format(Locale.ROOT, "%s%d: %.3f (%.3f)", r == 0 ? "" : ", ", r, m, m / baseline));
        }
        System.out.printf(Locale.ROOT, "median analysis seconds: one process %.3f; rank (fraction of one process) %s%n", baseline, each);
        System.out.printf(Locale.ROOT, "slowest rank / one process: %.3f (ideal %.3f); sum of ranks / one process: %.3f%n",
                slowest / baseline, 1.0 / ranks, sum / baseline);
    }

    /** Seconds rank {@code rank} of {@code worldSize} spends analysing every snapshot. */
    private static double time(List<List<WeightSnapshot.Weight>> steps, int rank, int worldSize) throws InterruptedException {
        SpectralMonitor monitor = SpectralMonitor.builder().model("split").every(1).denseEarly(false).rank(rank).worldSize(worldSize)
                .analysisPriority(AnalysisPriority.NORMAL).memoryBudgetBytes(2L << 30).build();
        try {
            for (int s = 0; s < steps.size(); s++) {
                monitor.offer(s, steps.get(s));
                // one snapshot at a time: the analysis has the machine to itself, as a rank has its own cores
                monitor.awaitIdle(Duration.ofMinutes(10));
            }
            if (monitor.health().dropped() > 0 || monitor.health().errors() > 0) {
                throw new IllegalStateException("dropped or failed snapshots: the times would not compare");
            }
            return monitor.health().analysisSeconds();
        } finally {
            monitor.close();
        }
    }

    /** The weights of each step: a Gaussian bulk plus a rank-one spike that grows (as the synthetic example's). */
    private static List<List<WeightSnapshot.Weight>> weights(int blocks, int width, int snapshots) {
        String[] kinds = {"attn.q", "attn.o", "mlp.up", "mlp.down"};
        int[][] shapes = {{1, 1}, {1, 1}, {4, 1}, {1, 4}};
        List<List<WeightSnapshot.Weight>> steps = new ArrayList<>();
        for (int s = 0; s < snapshots; s++) {
            List<WeightSnapshot.Weight> weights = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                for (int k = 0; k < kinds.length; k++) {
                    int rows = shapes[k][0] * width;
                    int cols = shapes[k][1] * width;
                    double strength = 2 * Math.pow((double) rows * cols, 0.25) * s / Math.max(1, snapshots - 1);
                    DenseMatrix m = SyntheticMatrices.plantedSpike(rows, cols, strength, 1_000_003L * b + k);
                    weights.add(new WeightSnapshot.Weight("blocks." + b + "." + kinds[k] + ".weight", new long[] {rows, cols}, m.values()));
                }
            }
            steps.add(weights);
        }
        return steps;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
