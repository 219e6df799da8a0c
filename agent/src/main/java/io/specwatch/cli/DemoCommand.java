package io.specwatch.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SyntheticMatrices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code specwatch demo}: one synthetic matrix per spectral phase, analysed and explained. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Analyse one synthetic matrix per spectral phase and print what each shows.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--rows", defaultValue = "1000", description = "rows of each matrix; default: ${DEFAULT-VALUE}")
    int rows;

    @Option(names = "--cols", defaultValue = "500", description = "columns of each matrix; default: ${DEFAULT-VALUE}")
    int cols;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (rows < 20 || cols < 20) {
            spec.commandLine().getErr().println("specwatch demo: --rows and --cols must be at least 20");
            return Specwatch.EXIT_BAD_INPUT;
        }
        int m = Math.min(rows, cols);
        Map<String, DenseMatrix> matrices = new LinkedHashMap<>();
        Map<String, String> meaning = new LinkedHashMap<>();
        matrices.put("random_init", SyntheticMatrices.gaussian(rows, cols, 1));
        meaning.put("random_init", "Gaussian initialisation: all bulk, no spike, soft rank ~1, a spuriously large alpha");
        matrices.put("one_spike", SyntheticMatrices.plantedSpike(rows, cols, 2 * Math.sqrt(Math.max(rows, cols)), 2));
        meaning.put("one_spike", "one learned direction over a random bulk (e.g. after a large-learning-rate step)");
        matrices.put("trained", SyntheticMatrices.powerLaw(rows, cols, 3.0, 3));
        meaning.put("trained", "power-law ESD with alpha ~3: the heavy-tailed shape of well-trained layers");
        matrices.put("over_trained", SyntheticMatrices.powerLaw(rows, cols, 1.7, 4));
        meaning.put("over_trained", "alpha below 2: very heavy tail, WeightWatcher's over-trained warning");
        double[] collapsed = new double[m];
        Arrays.fill(collapsed, 1e-3);
        collapsed[0] = 300;
        collapsed[1] = 200;
        matrices.put("collapsed", SyntheticMatrices.withSingularValues(rows, cols, collapsed, 5));
        meaning.put("collapsed", "two directions carry everything: effective-rank ratio far below 0.05");
        DenseMatrix diverged = SyntheticMatrices.gaussian(rows, cols, 6);
        diverged.values()[17] = Float.NaN;
        matrices.put("diverged", diverged);
        meaning.put("diverged", "a NaN in the weights: reported, never decomposed");
        LayerAnalyzer analyzer = LayerAnalyzer.withDefaults();
        ReportTable table = new ReportTable();
        for (var e : matrices.entrySet()) {
            DenseMatrix w = e.getValue();
            table.add(analyzer.analyze(e.getKey(), new long[] {w.rows(), w.cols()}, w.values()));
        }
        table.print(out);
        out.println();
        meaning.forEach((name, text) -> out.printf("%-13s %s%n", name, text));
        out.println();
        out.println("Analyse your own weights: bin/specwatch analyze model.safetensors   (or .npy files; --format json)");
        out.flush();
        return 0;
    }
}
