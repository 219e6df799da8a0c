package io.specwatch.cli;

import static io.specwatch.tensorfile.TensorFiles.f32;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.specwatch.tensorfile.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code specwatch analyze} through the same entry point as the launcher. */
class AnalyzeCommandTest {

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {
        List<JsonNode> records() throws Exception {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    nodes.add(JSON.readTree(line));
                }
            }
            return nodes;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Specwatch.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Run(exit, out.toString(), err.toString());
    }

    static double[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** Row-major values laid out column-major. */
    static double[] columnMajor(double[] rowMajor, int rows, int cols) {
        double[] c = new double[rowMajor.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                c[j * rows + i] = rowMajor[i * cols + j];
            }
        }
        return c;
    }

    @Test
    void jsonRecordsHaveEveryDocumentedField() throws Exception {
        double[] w = gaussian(60 * 40, 1);
        Path p = TensorFiles.write(dir, "w.npy", TensorFiles.npy("<f4", false, new long[] {60, 40}, w, ByteOrder.LITTLE_ENDIAN));
        Run r = run("analyze", "--format", "json", "--traps", p.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode rec = r.records().get(0);
        Set<String> required = Set.of("name", "rows", "cols", "n_evals", "alpha", "alpha_hill", "xmin", "ks_distance",
                "sigma", "tail_size", "alpha_weighted", "log_alpha_norm", "norm", "log_norm", "lambda_max",
                "log_spectral_norm", "sv_max", "stable_rank", "matrix_rank", "entropy", "effective_rank",
                "effective_rank_ratio", "spikes", "mp_bulk_max", "mp_sigma", "mp_softrank", "correlation_traps",
                "phase", "status", "warning", "seconds");
        Set<String> present = new TreeSet<>();
        rec.fieldNames().forEachRemaining(present::add);
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(present);
        assertTrue(missing.isEmpty(), "missing " + missing);
        assertEquals("w", rec.get("name").asText());
        assertEquals(60, rec.get("rows").asInt());
        assertEquals(40, rec.get("n_evals").asInt());
        assertTrue(rec.get("correlation_traps").isInt());
        assertFalse(rec.has("eigenvalues"));
        // ‖W‖_F² from the file's own values
        double frob = 0;
        for (float f : floats(w)) {
            frob += (double) f * f;
        }
        assertEquals(frob, rec.get("norm").asDouble(), 1e-4 * frob);
    }

    @Test
    void fortranOrderAndBigEndianGiveTheSameNumbersAsCOrder() throws Exception {
        int rows = 50;
        int cols = 30;
        double[] w = gaussian(rows * cols, 2);
        Path c = TensorFiles.write(dir, "c.npy", TensorFiles.npy("<f8", false, new long[] {rows, cols}, w, ByteOrder.LITTLE_ENDIAN));
        Path f = TensorFiles.write(dir, "f.npy", TensorFiles.npy("<f8", true, new long[] {rows, cols}, columnMajor(w, rows, cols), ByteOrder.LITTLE_ENDIAN));
        Path be = TensorFiles.write(dir, "be.npy", TensorFiles.npy(">f4", false, new long[] {rows, cols}, w, ByteOrder.BIG_ENDIAN));
        Run r = run("analyze", "--format", "json", "--eigenvalues-out", c.toString(), f.toString(), be.toString());
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> recs = r.records();
        assertEquals(3, recs.size());
        assertEquals(recs.get(0).get("eigenvalues"), recs.get(1).get("eigenvalues"), "C and Fortran order");
        JsonNode e0 = recs.get(0).get("eigenvalues");
        JsonNode e2 = recs.get(2).get("eigenvalues");
        for (int i = 0; i < e0.size(); i++) {
            assertEquals(e0.get(i).asDouble(), e2.get(i).asDouble(), 1e-5 * e0.get(e0.size() - 1).asDouble());
        }
    }

    @Test
    void float64EntriesBeyondFloat32sRangeKeepTheirSpectrum() throws Exception {
        // 1e200 overflows float32 and 1e-200 underflows it: they must read as the same matrix times c
        int rows = 120;
        int cols = 80;
        double[] w = gaussian(rows * cols, 21);
        Map<String, double[]> files = new LinkedHashMap<>();
        for (double c : new double[] {1, 1e200, 1e-200, 1e-40}) {
            double[] scaled = Arrays.stream(w).map(v -> v * c).toArray();
            files.put(c + ".npy", scaled);
        }
        List<String> args = new java.util.ArrayList<>(List.of("analyze", "--format", "json"));
        for (Map.Entry<String, double[]> f : files.entrySet()) {
            args.add(TensorFiles.write(dir, f.getKey(), TensorFiles.npy("<f8", false, new long[] {rows, cols}, f.getValue(),
                    ByteOrder.LITTLE_ENDIAN)).toString());
        }
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> recs = r.records();
        JsonNode unit = recs.get(0);
        double[] log10c = {0, 200, -200, -40};
        for (int i = 1; i < recs.size(); i++) {
            JsonNode rec = recs.get(i);
            String which = "c = 1e" + (int) log10c[i];
            assertEquals("ok", rec.get("status").asText(), which);
            assertEquals(unit.get("phase").asText(), rec.get("phase").asText(), which);
            assertEquals(unit.get("alpha").asDouble(), rec.get("alpha").asDouble(), 1e-6, which); // float32 rounding of c·w differs
            assertEquals(unit.get("stable_rank").asDouble(), rec.get("stable_rank").asDouble(), 1e-6, which);
            assertEquals(unit.get("matrix_rank").asInt(), rec.get("matrix_rank").asInt(), which);
            assertEquals(unit.get("mp_softrank").asDouble(), rec.get("mp_softrank").asDouble(), 1e-6, which);
            // log10 of λ and Σλ move by 2·log10 c exactly; α·log10 λ_max by α·2·log10 c
            assertEquals(unit.get("log_norm").asDouble() + 2 * log10c[i], rec.get("log_norm").asDouble(), 1e-5, which);
            assertEquals(unit.get("log_spectral_norm").asDouble() + 2 * log10c[i], rec.get("log_spectral_norm").asDouble(), 1e-5, which);
            assertEquals(unit.get("alpha_weighted").asDouble() + unit.get("alpha").asDouble() * 2 * log10c[i],
                    rec.get("alpha_weighted").asDouble(), 1e-4, which);
        }
        // 1e-40 fits float64's λ (1e-80 · N): λ_max and xmin are c² times the unit ones
        assertEquals(unit.get("lambda_max").asDouble() * 1e-80, recs.get(3).get("lambda_max").asDouble(),
                1e-5 * unit.get("lambda_max").asDouble() * 1e-80);
        assertEquals(unit.get("xmin").asDouble() * 1e-80, recs.get(3).get("xmin").asDouble(), 1e-5 * unit.get("xmin").asDouble() * 1e-80);
    }

    @Test
    void safetensorsAnalysesEveryFloatTensorWithTwoOrMoreDimensionsAndListsTheRest() throws Exception {
        Map<String, TensorFiles.Tensor> t = new LinkedHashMap<>();
        double[] w = gaussian(40 * 24, 3);
        t.put("layer.weight", f32(new long[] {40, 24}, floats(w)));
        t.put("layer.bias", f32(new long[] {40}, floats(gaussian(40, 4))));
        t.put("conv.weight", f32(new long[] {16, 12, 3, 3}, floats(gaussian(16 * 12 * 9, 5))));
        ByteBuffer half = ByteBuffer.allocate(40 * 24 * 2).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bf = ByteBuffer.allocate(40 * 24 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : w) {
            bf.putShort((short) (Float.floatToIntBits((float) v) >>> 16)); // truncation is a valid bf16
            half.putShort((short) 0x3c00); // all ones: a rank-one matrix
        }
        t.put("half.weight", new TensorFiles.Tensor("F16", new long[] {40, 24}, half.array()));
        t.put("bf.weight", new TensorFiles.Tensor("BF16", new long[] {40, 24}, bf.array()));
        t.put("position_ids", new TensorFiles.Tensor("I64", new long[] {1, 4}, new byte[32]));
        Path p = TensorFiles.write(dir, "model.safetensors", TensorFiles.safetensors(t));
        Run r = run("analyze", "--format", "json", p.toString());
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> recs = r.records();
        List<String> names = recs.stream().map(n -> n.get("name").asText()).toList();
        assertEquals(List.of("layer.weight", "conv.weight", "half.weight", "bf.weight"), names);
        assertTrue(r.err().contains("skipped layer.bias"), r.err());
        assertTrue(r.err().contains("skipped position_ids"), r.err());
        assertEquals(12 * 9, recs.get(1).get("n_evals").asInt());
        // all-ones 40 × 24: one singular value √(40·24), the rest zero
        assertEquals(40 * 24, recs.get(2).get("lambda_max").asDouble(), 1e-3);
        assertEquals("rank-collapse", recs.get(2).get("phase").asText());
        // bf16 keeps ~3 significant digits of the float32 weights
        double frob = Arrays.stream(w).map(v -> v * v).sum();
        assertEquals(frob, recs.get(3).get("norm").asDouble(), 0.01 * frob);
    }

    @Test
    void eigenvalueSamplesAreFittedWithoutAnMpFit() throws Exception {
        SplittableRandom random = new SplittableRandom(9);
        double[] x = new double[800];
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.pow(1 - random.nextDouble(), -1 / 1.5);
        }
        Path p = TensorFiles.write(dir, "evals.npy", TensorFiles.npy("<f8", false, new long[] {800}, x, ByteOrder.LITTLE_ENDIAN));
        Run without = run("analyze", "--format", "json", p.toString());
        assertEquals(0, without.exit());
        assertTrue(without.records().isEmpty());
        Run r = run("analyze", "--format", "json", "--eigenvalues", p.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode rec = r.records().get(0);
        double alpha = rec.get("alpha").asDouble();
        assertEquals(2.5, alpha, 3 * rec.get("sigma").asDouble());
        assertTrue(rec.get("spikes").isNull());
        assertTrue(rec.get("rows").isNull());
    }

    @Test
    void tableFormatHasAHeaderAndOneRowPerMatrix() {
        Path p = write("t.npy", TensorFiles.npy("<f4", false, new long[] {30, 20}, gaussian(600, 6), ByteOrder.LITTLE_ENDIAN));
        Run r = run("analyze", p.toString());
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0].startsWith("name "));
        assertTrue(lines[1].startsWith("t "));
        assertTrue(lines[1].contains("30x20"));
    }

    @Test
    void nanWeightsAreReportedNotFatal() throws Exception {
        double[] w = gaussian(30 * 20, 7);
        w[5] = Double.NaN;
        Path p = write("nan.npy", TensorFiles.npy("<f4", false, new long[] {30, 20}, w, ByteOrder.LITTLE_ENDIAN));
        Run r = run("analyze", "--format", "json", p.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode rec = r.records().get(0);
        assertEquals("nonfinite", rec.get("status").asText());
        assertEquals(1, rec.get("nonfinite_values").asInt());
        assertTrue(rec.get("alpha").isNull());
    }

    @Test
    void malformedInputsExitTwoWithOneLineNamingTheFileAndTheReason() throws Exception {
        byte[] good = TensorFiles.npy("<f4", false, new long[] {30, 20}, gaussian(600, 8), ByteOrder.LITTLE_ENDIAN);
        byte[] magic = good.clone();
        magic[1] = 'X';
        byte[] longHeader = good.clone();
        longHeader[8] = (byte) 0xff;
        longHeader[9] = (byte) 0x7f;
        byte[] objectType = new String(good, StandardCharsets.ISO_8859_1).replace("'<f4'", "'|O8'").getBytes(StandardCharsets.ISO_8859_1);
        byte[] truncated = Arrays.copyOf(good, good.length - 7);
        Map<String, TensorFiles.Tensor> t = new LinkedHashMap<>();
        t.put("w", f32(new long[] {4, 3}, new float[12]));
        byte[] st = TensorFiles.safetensors(t);
        byte[] offsets = new String(st, StandardCharsets.ISO_8859_1).replace("[0,48]", "[0,99]").getBytes(StandardCharsets.ISO_8859_1);
        byte[] shape = new String(st, StandardCharsets.ISO_8859_1).replace("[4,3]", "[4,4]").getBytes(StandardCharsets.ISO_8859_1);
        byte[] dtype = new String(st, StandardCharsets.ISO_8859_1).replace("F32", "Q32").getBytes(StandardCharsets.ISO_8859_1);
        byte[] hugeHeader = st.clone();
        hugeHeader[6] = 0x10;
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("magic.npy", magic);
        cases.put("longheader.npy", longHeader);
        cases.put("object.npy", objectType);
        cases.put("truncated.npy", truncated);
        cases.put("offsets.safetensors", offsets);
        cases.put("shape.safetensors", shape);
        cases.put("dtype.safetensors", dtype);
        cases.put("header.safetensors", hugeHeader);
        cases.put("empty.safetensors", new byte[0]);
        Map<String, String> reasons = Map.of("magic.npy", "magic", "longheader.npy", "header length",
                "object.npy", "Python objects", "truncated.npy", "truncated", "offsets.safetensors", "data_offsets give 99",
                "shape.safetensors", "needs 64 bytes", "dtype.safetensors", "unsupported dtype",
                "header.safetensors", "header length", "empty.safetensors", "truncated");
        for (var c : cases.entrySet()) {
            Path p = write(c.getKey(), c.getValue());
            Run r = run("analyze", p.toString());
            assertEquals(2, r.exit(), c.getKey() + ": " + r.err());
            String[] lines = r.err().strip().split("\n");
            assertEquals(1, lines.length, r.err());
            assertTrue(lines[0].contains(p.toString()), lines[0]);
            assertTrue(lines[0].contains(reasons.get(c.getKey())), c.getKey() + ": " + lines[0]);
        }
        Run missing = run("analyze", dir.resolve("nope.npy").toString());
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such file"));
        // integer arrays are listed as skipped, not an error
        byte[] intType = new String(good, StandardCharsets.ISO_8859_1).replace("<f4", "<i4").getBytes(StandardCharsets.ISO_8859_1);
        Run ints = run("analyze", write("int.npy", intType).toString());
        assertEquals(0, ints.exit(), ints.err());
        assertTrue(ints.err().contains("skipped int [30, 20]: dtype <i4 is not floating point"), ints.err());
        // the good file next to a bad one is still analysed
        Run mixed = run("analyze", "--format", "json", write("good.npy", good).toString(), dir.resolve("magic.npy").toString());
        assertEquals(2, mixed.exit());
        assertEquals(1, mixed.records().size());
    }

    @Test
    void badUsageExitsTwo() {
        Path p = write("u.npy", TensorFiles.npy("<f4", false, new long[] {30, 20}, gaussian(600, 8), ByteOrder.LITTLE_ENDIAN));
        assertEquals(2, run("analyze").exit());
        assertEquals(2, run("analyze", "--format", "xml", p.toString()).exit());
        Run conv = run("analyze", "--conv", "diagonal", p.toString());
        assertEquals(2, conv.exit());
        assertTrue(conv.err().contains("--conv"));
        assertEquals(2, run("analyze", "--threads", "-1", p.toString()).exit());
    }

    private Path write(String name, byte[] bytes) {
        try {
            return TensorFiles.write(dir, name, bytes);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
