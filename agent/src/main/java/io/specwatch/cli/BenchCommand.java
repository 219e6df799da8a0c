package io.specwatch.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.engine.BlasThreads;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.GramEigenEngine;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.Nd4jMatrixOperator;
import io.specwatch.engine.RandomizedSvdEngine;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.engine.SyntheticMatrices;
import io.specwatch.metrics.Esd;
import io.specwatch.metrics.MarchenkoPasturFit;
import io.specwatch.metrics.PowerLawFit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code specwatch bench}: medians of repeated runs of every engine and of the whole per-matrix
 * analysis, with plain LAPACK {@code gesvd} as the baseline measured in the same run.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time the spectrum engines and the full per-matrix analysis (medians of repeated runs).",
            "Matrices are U diag(s) V^T with a power-law ESD (pdf exponent 3, like trained weights'); the randomized",
            "engine's error is also measured on Gaussian matrices (a flat spectrum, its worst case)."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--sizes", split = ",", defaultValue = "512x512,1024x1024,2048x2048,4096x4096,1024x4096,4096x11008",
            description = "comma-separated ROWSxCOLS; default: ${DEFAULT-VALUE}")
    List<String> sizes;

    @Option(names = "--repeats", defaultValue = "5", description = "runs per measurement (median reported); default: ${DEFAULT-VALUE}")
    int repeats;

    @Option(names = "--budget-seconds", defaultValue = "60", description = "time budget per measurement: fewer runs when exceeded, and larger sizes skipped for an engine whose single run exceeds it; default: ${DEFAULT-VALUE}")
    double budget;

    @Option(names = "--threads", defaultValue = "1", description = "BLAS threads for the analysis; default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--top-k", defaultValue = "32", description = "k of the randomized engine; default: ${DEFAULT-VALUE}")
    int topK;

    @Option(names = "--oversampling", defaultValue = "" + RandomizedSvdEngine.DEFAULT_OVERSAMPLING,
            description = "randomized engine: sketch columns beyond k; default: ${DEFAULT-VALUE}")
    int oversampling;

    @Option(names = "--iterations", defaultValue = "" + RandomizedSvdEngine.DEFAULT_ITERATIONS,
            description = "randomized engine: rounds of W*W^T; default: ${DEFAULT-VALUE}")
    int iterations;

    @Option(names = "--load-threads", defaultValue = "0", description = "Java threads that keep cores busy meanwhile, as a training job would; default: ${DEFAULT-VALUE}")
    int loadThreads;

    @Option(names = "--engines", split = ",", defaultValue = "svd32,gram32,gram64,randomized,analysis",
            description = "what to time; default: ${DEFAULT-VALUE}")
    List<String> engines;

    private final List<String> skipped = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (repeats < 1 || budget <= 0 || threads < 1 || topK < 1 || loadThreads < 0 || oversampling < 0 || iterations < 0) {
            err.println("specwatch bench: --repeats, --budget-seconds, --threads and --top-k must be positive; "
                    + "--load-threads, --oversampling and --iterations must be >= 0");
            return Specwatch.EXIT_BAD_INPUT;
        }
        List<int[]> shapes = new ArrayList<>();
        for (String s : sizes) {
            String[] parts = s.toLowerCase(Locale.ROOT).split("x");
            try {
                shapes.add(new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())});
            } catch (RuntimeException e) {
                err.println("specwatch bench: bad size '" + s + "', expected ROWSxCOLS such as 1024x4096");
                return Specwatch.EXIT_BAD_INPUT;
            }
        }
        BlasThreads.set(threads);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> load = startLoad(loadThreads, stop);
        try {
            out.printf(Locale.ROOT, "# specwatch bench: %d BLAS thread(s), %d load thread(s), %d cores, repeats %d, budget %.0f s%n",
                    threads, loadThreads, Runtime.getRuntime().availableProcessors(), repeats, budget);
            double idleRate = loadThreads > 0 ? loadRate(2000) : 0;
            out.println("| shape | what | median ms | runs | note |");
            out.println("|---|---|---:|---:|---|");
            out.flush();
            long loadStart = loadWork.sum();
            long timeStart = System.nanoTime();
            for (int[] shape : shapes) {
                benchShape(shape[0], shape[1], out);
            }
            if (loadThreads > 0) {
                double busyRate = (loadWork.sum() - loadStart) / ((System.nanoTime() - timeStart) / 1e9);
                out.printf(Locale.ROOT, "# load throughput while benchmarking: %.1f%% of its rate alone (%.1f vs %.1f multiplications/s)%n",
                        100 * busyRate / idleRate, busyRate, idleRate);
            }
        } finally {
            stop.set(true);
            load.forEach(Thread::interrupt);
        }
        for (String s : skipped) {
            out.println("# skipped: " + s);
        }
        out.flush();
        return 0;
    }

    private void benchShape(int rows, int cols, PrintWriter out) {
        String shape = rows + "x" + cols;
        DenseMatrix heavy = SyntheticMatrices.powerLaw(rows, cols, 3.0, 1);
        double[] reference = null;
        for (String what : engines) {
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
                    SpectrumEngine engine = new RandomizedSvdEngine(oversampling, iterations, 3, Nd4jMatrixOperator::new);
                    double[][] holder = new double[1][];
                    boolean ran = time(shape, "randomized top-" + topK + " (p " + oversampling + ", q " + iterations + ")", out, () -> holder[0] = engine
                            .decompose(heavy, SpectrumRequest.topK(topK)).eigenvalues());
                    if (ran && reference != null) {
                        out.printf(Locale.ROOT, "| %s | randomized top-%d max rel. error of σ vs float64, power-law ESD | %.2e | | σ_k/2: %.2e |%n",
                                shape, topK, relativeError(holder[0], reference, topK), relativeError(holder[0], reference, topK / 2));
                        DenseMatrix flat = SyntheticMatrices.gaussian(rows, cols, 2);
                        double[] exact = GramEigenEngine.float64().decompose(flat, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
                        double[] approx = engine.decompose(flat, SpectrumRequest.topK(topK)).eigenvalues();
                        out.printf(Locale.ROOT, "| %s | randomized top-%d max rel. error of σ vs float64, Gaussian (flat) | %.2e | | σ_k/2: %.2e |%n",
                                shape, topK, relativeError(approx, exact, topK), relativeError(approx, exact, topK / 2));
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

    private final List<String> overBudget = new ArrayList<>();

    /** Times a task; false when skipped because the same task was over budget on a smaller size. */
    private boolean time(String shape, String what, PrintWriter out, Supplier<?> task) {
        if (overBudget.contains(what)) {
            skipped.add(what + " at " + shape + " (a smaller size exceeded the budget)");
            return false;
        }
        List<Double> millis = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            task.get();
            double ms = (System.nanoTime() - t0) / 1e6;
            millis.add(ms);
            if ((System.nanoTime() - started) / 1e9 > budget) {
                if (ms / 1e3 > budget) {
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

    /** Multiplications finished by the load threads. */
    private final java.util.concurrent.atomic.LongAdder loadWork = new java.util.concurrent.atomic.LongAdder();

    /** Load throughput (multiplications per second) over a quiet interval, before anything is benchmarked. */
    private double loadRate(long millis) {
        long before = loadWork.sum();
        long t0 = System.nanoTime();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (loadWork.sum() - before) / ((System.nanoTime() - t0) / 1e9);
    }

    /** Threads that multiply small matrices in plain Java until stopped: a stand-in for a busy training job. */
    private List<Thread> startLoad(int count, AtomicBoolean stop) {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            Thread thread = new Thread(() -> {
                int n = 128;
                float[] a = new float[n * n];
                float[] b = new float[n * n];
                float[] c = new float[n * n];
                Arrays.fill(a, 1.0001f);
                Arrays.fill(b, 0.9999f);
                while (!stop.get()) {
                    for (int i = 0; i < n; i++) {
                        for (int k = 0; k < n; k++) {
                            float aik = a[i * n + k];
                            for (int j = 0; j < n; j++) {
                                c[i * n + j] += aik * b[k * n + j];
                            }
                        }
                    }
                    loadWork.increment();
                }
            }, "bench-load-" + t);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        return threads;
    }
}
