package io.specwatch.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.EngineContract;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.metrics.Esd;
import io.specwatch.metrics.MarchenkoPasturFit;
import io.specwatch.metrics.PowerLawFit;
import io.specwatch.tensorfile.TensorEntry;
import io.specwatch.tensorfile.TensorFile;
import io.specwatch.tensorfile.TensorFormatException;

/**
 * Parity of the engines under test with a float64 reference on the same machine: the matrices and
 * the reference eigenvalues (float64 {@code torch.linalg.eigvalsh} of the float64 Gram matrix)
 * come from {@code gpu_check.py prepare} as .npy files listed in {@code manifest.json}. Per matrix:
 * the relative error of the 10 largest eigenvalues, the largest error of any eigenvalue relative
 * to λ_max, and α, xmin, tail size and spikes from the same eigenvalue pipeline (power-law fit,
 * Marchenko–Pastur fit) fed with the engine's eigenvalues and with the reference's. Then the
 * engine contract ({@link EngineContract}) on the engines under test.
 */
final class GpuParity {

    /** Relative error of the top of the spectrum allowed in float32 (the goal). */
    static final double TOP_FLOAT32 = 1e-5;
    /** And in float64: the reference's own Gram matrix is float64 too. */
    static final double TOP_FLOAT64 = 1e-10;
    /** α from the engine's eigenvalues and from the reference's must agree this closely. */
    static final double ALPHA_RELATIVE = 1e-3;

    private GpuParity() {
    }

    static void run(Path dir, GpuCheck.Engines engines, ResultFile result, long deadline) throws IOException, TensorFormatException {
        JsonNode manifest = new ObjectMapper().readTree(Files.readString(dir.resolve("manifest.json")));
        ObjectNode root = result.root();
        root.put("reference", manifest.path("reference").asText());
        ObjectNode byEngine = root.putObject("engines");
        int failures = 0;
        int done = 0;
        for (JsonNode entry : manifest.path("matrices")) {
            if (GpuCheck.pastDeadline(deadline)) {
                root.put("stopped", "deadline after " + done + " matrices");
                break;
            }
            DenseMatrix w = readMatrix(dir.resolve(entry.path("w").asText()));
            double[] reference = readVector(dir.resolve(entry.path("ref").asText()));
            for (Map.Entry<String, SpectrumEngine> e : engines.byLabel.entrySet()) {
                ArrayNode rows = byEngine.has(e.getKey()) ? (ArrayNode) byEngine.get(e.getKey()) : byEngine.putArray(e.getKey());
                ObjectNode row = compare(entry, w, reference, e.getValue(), e.getKey().equals("float64") ? TOP_FLOAT64 : TOP_FLOAT32);
                rows.add(row);
                if (!row.path("pass").asBoolean()) {
                    failures++;
                }
                result.save();
            }
            done++;
        }
        root.put("matrices", done);
        root.put("parity_failures", failures);
        ObjectNode contract = root.putObject("contract");
        int contractFailures = 0;
        for (Map.Entry<String, SpectrumEngine> e : engines.byLabel.entrySet()) {
            if (GpuCheck.pastDeadline(deadline)) {
                contract.put("stopped", "deadline");
                break;
            }
            ObjectNode c = contract.putObject(e.getKey());
            int passed = 0;
            ArrayNode failed = c.putArray("failed");
            for (EngineContract.Check check : EngineContract.Check.values()) {
                for (EngineContract.Shape shape : EngineContract.SHAPES) {
                    try {
                        EngineContract.check(check, e.getValue(), shape, EngineContract.Tolerances.EXACT);
                        passed++;
                    } catch (AssertionError | RuntimeException ex) {
                        failed.add(check + " " + shape + ": " + ex.getMessage());
                        contractFailures++;
                    }
                }
            }
            c.put("passed", passed);
            result.save();
        }
        root.put("contract_failures", contractFailures);
        root.put("status", failures == 0 && contractFailures == 0 ? "ok" : "parity-failures");
    }

    /**
     * Without a GPU: reads every matrix and reference and records the reference's metrics, and
     * builds the contract's matrices, so that a machine without a GPU still proves the files, the
     * runtime and the classpath (what the pack script's self-test relies on).
     */
    static void referenceOnly(Path dir, ResultFile result) throws IOException, TensorFormatException {
        JsonNode manifest = new ObjectMapper().readTree(Files.readString(dir.resolve("manifest.json")));
        ArrayNode rows = result.root().putArray("reference_only");
        for (JsonNode entry : manifest.path("matrices")) {
            DenseMatrix w = readMatrix(dir.resolve(entry.path("w").asText()));
            double[] reference = readVector(dir.resolve(entry.path("ref").asText()));
            Esd esd = Esd.of(reference, w.larger(), w.smaller());
            PowerLawFit fit = PowerLawFit.fit(esd.eigenvalues(), eigenvalueFloor(w));
            MarchenkoPasturFit mp = MarchenkoPasturFit.fit(esd);
            ObjectNode row = rows.addObject();
            row.put("name", entry.path("name").asText());
            row.put("rows", w.rows());
            row.put("cols", w.cols());
            row.put("eigenvalues", reference.length);
            row.put("alpha_reference", fit.alpha());
            row.put("spikes_reference", mp == null ? null : mp.spikes());
        }
        int built = 0;
        for (EngineContract.Shape shape : EngineContract.SHAPES) {
            built += EngineContract.known(shape, 1).sigma().length > 0 ? 1 : 0;
        }
        result.root().put("contract_matrices_built", built);
        result.save();
    }

    private static ObjectNode compare(JsonNode entry, DenseMatrix w, double[] reference, SpectrumEngine engine, double topTolerance) {
        ObjectNode row = ResultFile.object();
        row.put("name", entry.path("name").asText());
        row.put("kind", entry.path("kind").asText());
        row.put("rows", w.rows());
        row.put("cols", w.cols());
        long start = System.nanoTime();
        double[] values;
        try {
            values = engine.decompose(w, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
        } catch (RuntimeException e) {
            row.put("error", e.getMessage());
            row.put("pass", false);
            return row;
        }
        row.put("seconds", GpuCheck.seconds(start));
        int m = w.smaller();
        if (values.length != m || reference.length != m) {
            row.put("error", "lengths: engine " + values.length + ", reference " + reference.length + ", M " + m);
            row.put("pass", false);
            return row;
        }
        double[] ref = Esd.of(reference, w.larger(), m).eigenvalues(); // sorted, round-off below 0 clamped as the engines do
        double lambdaMax = ref[m - 1];
        double topError = 0;
        for (int j = 0; j < Math.min(10, m); j++) {
            double r = ref[m - 1 - j];
            topError = Math.max(topError, Math.abs(values[m - 1 - j] - r) / r);
        }
        double bulkError = 0;
        for (int i = 0; i < m; i++) {
            bulkError = Math.max(bulkError, Math.abs(values[i] - ref[i]) / lambdaMax);
        }
        row.put("lambda_max", lambdaMax);
        row.put("top10_max_relative_error", topError);
        row.put("all_max_error_over_lambda_max", bulkError);
        boolean topOk = topError <= topTolerance;
        Esd esd = Esd.of(values, w.larger(), m);
        Esd refEsd = Esd.of(ref, w.larger(), m);
        double floor = eigenvalueFloor(w);
        PowerLawFit fit = PowerLawFit.fit(esd.eigenvalues(), floor);
        PowerLawFit refFit = PowerLawFit.fit(refEsd.eigenvalues(), floor);
        MarchenkoPasturFit mp = MarchenkoPasturFit.fit(esd);
        MarchenkoPasturFit refMp = MarchenkoPasturFit.fit(refEsd);
        row.put("alpha", fit.alpha());
        row.put("alpha_reference", refFit.alpha());
        row.put("xmin", fit.xmin());
        row.put("xmin_reference", refFit.xmin());
        row.put("tail", fit.tailCount());
        row.put("tail_reference", refFit.tailCount());
        Integer spikes = mp == null ? null : mp.spikes();
        Integer refSpikes = refMp == null ? null : refMp.spikes();
        row.put("spikes", spikes);
        row.put("spikes_reference", refSpikes);
        boolean alphaOk = (!fit.ok() && !refFit.ok())
                || (fit.ok() && refFit.ok() && Math.abs(fit.alpha() - refFit.alpha()) <= ALPHA_RELATIVE * refFit.alpha());
        boolean fitOk = alphaOk && fit.tailCount() == refFit.tailCount() && java.util.Objects.equals(spikes, refSpikes);
        row.put("pass_top", topOk);
        row.put("pass_fit", fitOk);
        row.put("pass", topOk && fitOk);
        return row;
    }

    /**
     * The power-law fit's eigenvalue floor for this matrix, as {@code specwatch analyze} sets it
     * (analysis.MatrixScale: WeightWatcher's 1e-5 times 4^e, 2^e ≤ max |w| &lt; 2^(e+1)).
     */
    static double eigenvalueFloor(DenseMatrix w) {
        float max = 0;
        for (float v : w.values()) {
            max = Math.max(max, Math.abs(v));
        }
        int exponent = max > 0 && Float.isFinite(max) ? Math.getExponent(max) : 0;
        return PowerLawFit.EIGENVALUE_FLOOR * Math.scalb(1.0, 2 * exponent);
    }

    private static DenseMatrix readMatrix(Path file) throws IOException, TensorFormatException {
        try (TensorFile f = TensorFile.open(file)) {
            TensorEntry e = f.entries().get(0);
            long[] shape = e.shape();
            if (shape.length != 2) {
                throw new TensorFormatException(file + ": expected a matrix, got " + e.shapeText());
            }
            return new DenseMatrix((int) shape[0], (int) shape[1], f.readFloats(e));
        }
    }

    private static double[] readVector(Path file) throws IOException, TensorFormatException {
        try (TensorFile f = TensorFile.open(file)) {
            return f.readDoubles(f.entries().get(0));
        }
    }
}
