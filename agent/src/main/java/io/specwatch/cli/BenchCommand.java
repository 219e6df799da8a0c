package io.specwatch.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.specwatch.bench.EngineBenchmark;
import io.specwatch.engine.RandomizedSvdEngine;
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
        new EngineBenchmark(new EngineBenchmark.Config(shapes, engines, repeats, budget, threads, topK, oversampling, iterations,
                loadThreads)).run(out);
        return 0;
    }
}
