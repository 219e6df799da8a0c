package io.specwatch.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.engine.BlasThreads;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.GramEigenEngine;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.RandomizedSvdEngine;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.metrics.Esd;
import io.specwatch.metrics.MarchenkoPasturFit;
import io.specwatch.metrics.PowerLawFit;

/**
 * The engine benchmark behind {@code specwatch bench}: medians of repeated runs of every engine
 * and of the whole per-matrix analysis on power-law matrices, with plain LAPACK {@code gesvd} as
 * the baseline measured in the same run, optionally while {@link BackgroundLoad} keeps cores busy.
 */
public final class EngineBenchmark {

    /**
     * What to measure.
     *
     * @param shapes        rows and columns of each size
     * @param engines       what to time: svd32, gram32, gram64, randomized, analysis
     * @param repeats       runs per measurement
     * @param budgetSeconds time budget per measurement
     * @param threads       BLAS threads
     * @param topK          k of the randomized engine
     * @param oversampling  randomized engine's oversampling
     * @param iterations    randomized engine's rounds of W·Wᵀ
     * @param loadThreads   threads that keep cores busy meanwhile
     */
    public record Config(List<int[]> shapes, List<String> engines, int repeats, double budgetSeconds, int threads, int topK,
                         int oversampling, int iterations, int loadThreads) {
    }

    private final Config config;
    private final List<String> skipped = new ArrayList<>();
    private final List<String> overBudget = new ArrayList<>();

    public EngineBenchmark(Config config) {
        this.config = config;
    }

    /** Runs every measurement, printing a Markdown table of medians. */
    public void run(PrintWriter out) {
        BlasThreads.set(config.threads());
        try (BackgroundLoad load = BackgroundLoad.start(config.loadThreads())) {
            out.printf(Locale.ROOT, "# specwatch bench: %d BLAS thread(s), %d load thread(s), %d cores, repeats %d, budget %.0f s%n",
                    config.threads(), config.loadThreads(), Runtime.getRuntime().availableProcessors(), config.repeats(),
                    config.budgetSeconds());
            double idleRate = config.loadThreads() > 0 ? load.rate(2000) : 0;
            out.println("| shape | what | median ms | runs | note |");
            out.println("|---|---|---:|---:|---|");
            out.flush();
            long loadStart = load.work();
            long timeStart = System.nanoTime();
            for (int[] shape : config.shapes()) {
                benchShape(shape[0], shape[1], out);
            }
            if (config.loadThreads() > 0) {
                double busyRate = (load.work() - loadStart) / ((System.nanoTime() - timeStart) / 1e9);
                out.printf(Locale.ROOT, "# load throughput while benchmarking: %.1f%% of its rate alone (%.1f vs %.1f multiplications/s)%n",
                        100 * busyRate / idleRate, busyRate, idleRate);
            }
        }
        for (String s : skipped) {
            out.println("# skipped: " + s);
        }
        out.flush();
    }

    void benchShape(int rows, int cols, PrintWriter out) {
        String shape = rows + "x" + cols;
        DenseMatrix heavy = SyntheticMatrices.powerLaw(rows, cols, 3.0, 1);
        double[] reference = null;
        for (String what : config.engines()) {
            switch (what) {
                case "svd32" -> time(shape, "LAPACK gesvd values (baseline)", out,
                        () -> LapackSvdEngine.float32().decompose(heavy, SpectrumRequest.eigenvaluesOnly()));
                case "gram32" -> time(shape, "Gram + syev float32", out,
                        () -> GramEigenEngine.float32().decompose(heavy, SpectrumRequest.eigenvaluesOnly()));
                case "gram64" -> {
                    double[][] holder = new double[1][];
                    time(shape, "Gram + syev float64", out, () -> holder[0] = GramEigenEngine.float64()
                            .decompose(heavy, SpectrumRequest.eigenvaluesOnly()).eigenvalues());
                    reference = holder[0];
                }
                case "randomized" -> {
                    SpectrumEngine engine = new RandomizedSvdEngine(config.oversampling(), config.iterations(), 3);
                    double[][] holder = new double[1][];
                    boolean ran = time(shape, "randomized top-" + config.topK() + " (p " + config.oversampling() + ", q " + config.iterations() + ")", out, () -> holder[0] = engine
                            .decompose(heavy, SpectrumRequest.topK(config.topK())).eigenvalues());
                    if (ran && reference != null) {
                        out.printf(Locale.ROOT, "| %s | randomized top-%d max rel. error of σ vs float64, power-law ESD | %.2e | | σ_k/2: %.2e |%n",
                                shape, config.topK(), relativeError(holder[0], reference, config.topK()), relativeError(holder[0], reference, config.topK() / 2));
                        DenseMatrix flat = SyntheticMatrices.gaussian(rows, cols, 2);
                        double[] exact = GramEigenEngine.float64().decompose(flat, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
                        double[] approx = engine.decompose(flat, SpectrumRequest.topK(config.topK())).eigenvalues();
                        out.printf(Locale.ROOT, "| %s | randomized top-%d max rel. error of σ vs float64, Gaussian (flat) | %.2e | | σ_k/2: %.2e |%n",
                                shape, config.topK(), relativeError(approx, exact, config.topK()), relativeError(approx, exact, config.topK() / 2));
                        out.flush();
                    }
                }
                case "analysis" -> {
                    LayerAnalyzer analyzer = LayerAnalyzer.withDefaults();
                    double[][] analysed = new double[1][];
                    boolean ran = time(shape, "full analysis (auto engine + power law + MP fit)", out,
                            () -> analysed[0] = analyzer.analyze("w", new long[] {rows, cols}, heavy.values()).eigenvalues());
                    if (ran) {
                        double[] lambda = analysed[0];
                        Esd esd = new Esd(lambda, Math.max(rows, cols), Math.min(rows, cols));
                        time(shape, "power-law fit alone (" + lambda.length + " eigenvalues)", out, () -> PowerLawFit.fit(lambda));
                        time(shape, "MP fit alone", out, () -> MarchenkoPasturFit.fit(esd));
                        double[] flat = GramEigenEngine.float32().decompose(SyntheticMatrices.gaussian(rows, cols, 2),
                                SpectrumRequest.eigenvaluesOnly()).eigenvalues();
                        time(shape, "power-law fit alone, Gaussian ESD (" + flat.length + " eigenvalues)", out, () -> PowerLawFit.fit(flat));
                    }
                }
                default -> skipped.add("unknown engine '" + what + "'");
            }
        }
    }


    /** Times a task; false when skipped because the same task was over budget on a smaller size. */
    private boolean time(String shape, String what, PrintWriter out, Supplier<?> task) {
        if (overBudget.contains(what)) {
            skipped.add(what + " at " + shape + " (a smaller size exceeded the budget)");
            return false;
        }
        List<Double> millis = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < config.repeats(); i++) {
            long t0 = System.nanoTime();
            task.get();
            double ms = (System.nanoTime() - t0) / 1e6;
            millis.add(ms);
            if ((System.nanoTime() - started) / 1e9 > config.budgetSeconds()) {
                if (ms / 1e3 > config.budgetSeconds()) {
                    overBudget.add(what);
                }
                break;
            }
        }
        out.printf(Locale.ROOT, "| %s | %s | %.1f | %d |  |%n", shape, what, median(millis), millis.size());
        out.flush();
        return true;
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Largest relative error of the top {@code count} singular values (ascending eigenvalue arrays). */
    static double relativeError(double[] approxAscending, double[] exactAscending, int count) {
        double worst = 0;
        for (int j = 0; j < count; j++) {
            double a = Math.sqrt(approxAscending[approxAscending.length - 1 - j]);
            double e = Math.sqrt(exactAscending[exactAscending.length - 1 - j]);
            worst = Math.max(worst, Math.abs(a - e) / e);
        }
        return worst;
    }

}
