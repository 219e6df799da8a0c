package io.specwatch.charts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.metrics.MarchenkoPasturFit;

/**
 * What the ESD chart draws for one layer record, computed here so that the charts only plot:
 * the histogram as a density (log-spaced bins for the log–log view, even bins for the linear
 * view), the fitted power law from {@code xmin} over the tail, the fitted Marchenko–Pastur density
 * and its bulk edge, and the spikes. Every loop has a fixed number of steps, whatever the input.
 *
 * @param eigenvalues the record's (downsampled) eigenvalues, ascending, finite, ≥ 0
 * @param logBins     [from, to, density] of log-spaced bins over the positive eigenvalues; density 0 where empty
 * @param linearBins  [from, to, density] of evenly spaced bins
 * @param powerLaw    [λ, p(λ)] of the fitted tail density (tail_size/n_evals)(α−1)/xmin (λ/xmin)^−α, from xmin to λ_max; empty without a fit
 * @param mp          [λ, p(λ)] of the fitted MP density in the ESD's units; empty without an MP fit
 * @param edge        the MP bulk edge (eigenvalue units), NaN without an MP fit
 * @param spikes      the eigenvalues beyond the bulk (the largest {@code spikes} values)
 */
public record EsdPlot(double[] eigenvalues, List<double[]> logBins, List<double[]> linearBins, List<double[]> powerLaw,
                      List<double[]> mp, double edge, double[] spikes) {

    /** Bins of either histogram. */
    public static final int BINS = 40;
    /** Points of each fitted curve. */
    public static final int CURVE_POINTS = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The plot of a layer record, or null when it has fewer than two usable eigenvalues. */
    public static EsdPlot of(JsonNode record) {
        JsonNode ev = record.get("eigenvalues");
        if (ev == null || !ev.isArray() || ev.size() < 2) {
            return null;
        }
        double[] lambda = new double[ev.size()];
        for (int i = 0; i < lambda.length; i++) {
            lambda[i] = ev.get(i).asDouble(Double.NaN);
            if (!Double.isFinite(lambda[i]) || lambda[i] < 0 || (i > 0 && lambda[i] < lambda[i - 1])) {
                return null; // the reader removes such arrays; a caller that did not read through it gets no plot
            }
        }
        double[] spikes = spikes(record, lambda);
        return new EsdPlot(lambda, logBins(lambda), linearBins(lambda), powerLaw(record, lambda), mp(record), number(record, "mp_bulk_max"), spikes);
    }

    /** Log-spaced bins over the positive eigenvalues; density = count / (all eigenvalues · bin width). */
    static List<double[]> logBins(double[] lambda) {
        double[] positive = Arrays.stream(lambda).filter(v -> v > 0).toArray();
        List<double[]> bins = new ArrayList<>();
        if (positive.length == 0) {
            return bins;
        }
        double lo = Math.log10(positive[0]);
        double hi = Math.log10(positive[positive.length - 1]);
        if (!(hi - lo > 1e-9)) {
            // all equal: one decade-wide bin around the value keeps the density finite
            lo -= 0.05;
            hi += 0.05;
        }
        double width = (hi - lo) / BINS;
        int[] counts = new int[BINS];
        for (double v : positive) {
            counts[Math.max(0, Math.min(BINS - 1, (int) ((Math.log10(v) - lo) / width)))]++;
        }
        for (int i = 0; i < BINS; i++) {
            double from = Math.pow(10, lo + i * width);
            double to = Math.pow(10, lo + (i + 1) * width);
            bins.add(new double[] {from, to, counts[i] / (double) lambda.length / (to - from)});
        }
        return bins;
    }

    /** Evenly spaced bins from the smallest to the largest eigenvalue. */
    static List<double[]> linearBins(double[] lambda) {
        double lo = lambda[0];
        double hi = lambda[lambda.length - 1];
        if (!(hi - lo > 1e-12 * Math.max(1, Math.abs(hi)))) {
            double pad = Math.max(Math.abs(hi) * 0.05, 1e-12);
            lo -= pad;
            hi += pad;
        }
        double width = (hi - lo) / BINS;
        int[] counts = new int[BINS];
        for (double v : lambda) {
            counts[Math.max(0, Math.min(BINS - 1, (int) ((v - lo) / width)))]++;
        }
        List<double[]> bins = new ArrayList<>();
        for (int i = 0; i < BINS; i++) {
            bins.add(new double[] {lo + i * width, lo + (i + 1) * width, counts[i] / (double) lambda.length / width});
        }
        return bins;
    }

    /** The fitted tail density from xmin to the largest eigenvalue, log-spaced; empty without a usable fit. */
    static List<double[]> powerLaw(JsonNode record, double[] lambda) {
        double alpha = number(record, "alpha");
        double xmin = number(record, "xmin");
        double tail = number(record, "tail_size");
        double n = number(record, "n_evals");
        double max = lambda[lambda.length - 1];
        List<double[]> points = new ArrayList<>();
        if (!(alpha > 1) || !(xmin > 0) || !(tail > 0) || !(n >= tail) || !(max > xmin)) {
            return points;
        }
        double fraction = tail / n;
        double span = Math.log10(max / xmin);
        for (int i = 0; i < CURVE_POINTS; i++) {
            double x = xmin * Math.pow(10, span * i / (CURVE_POINTS - 1));
            points.add(new double[] {x, fraction * (alpha - 1) / xmin * Math.pow(x / xmin, -alpha)});
        }
        return points;
    }

    /**
     * The fitted MP density in the ESD's units. The fit works on eigenvalues rescaled to mean 1
     * (λ' = λ·s); its σ and Q = N/M give the rescaled edge b = σ²(1 + 1/√Q)², and the record's
     * {@code mp_bulk_max} = b/s gives the scale s back: p(λ) = s · ρ_MP(λ·s; σ, Q).
     */
    static List<double[]> mp(JsonNode record) {
        double sigma = number(record, "mp_sigma");
        double bulkMax = number(record, "mp_bulk_max");
        double rows = number(record, "rows");
        double cols = number(record, "cols");
        List<double[]> points = new ArrayList<>();
        if (!(sigma > 0) || !(bulkMax > 0) || !(rows > 0) || !(cols > 0)) {
            return points;
        }
        double q = Math.max(rows, cols) / Math.min(rows, cols);
        double a = sigma * sigma * Math.pow(1 - 1 / Math.sqrt(q), 2);
        double b = sigma * sigma * Math.pow(1 + 1 / Math.sqrt(q), 2);
        double scale = b / bulkMax;
        if (!Double.isFinite(scale) || !(scale > 0)) {
            return points;
        }
        for (int i = 1; i < CURVE_POINTS - 1; i++) {
            // cosine spacing: dense near both edges, where the density changes fastest
            double t = (1 - Math.cos(Math.PI * i / (CURVE_POINTS - 1))) / 2;
            double x = a + (b - a) * t;
            double p = MarchenkoPasturFit.density(x, sigma, q) * scale;
            if (p > 0 && Double.isFinite(p)) {
                points.add(new double[] {x / scale, p});
            }
        }
        return points;
    }

    /** The largest {@code spikes} eigenvalues: exact from the top singular values when they cover them. */
    static double[] spikes(JsonNode record, double[] lambda) {
        int count = (int) Math.max(0, Math.min(number(record, "spikes"), 1000));
        if (!(count > 0)) {
            return new double[0];
        }
        JsonNode top = record.get("top_singular_values");
        if (top != null && top.isArray() && top.size() >= count) {
            double[] out = new double[count];
            for (int i = 0; i < count; i++) {
                double s = top.get(i).asDouble(Double.NaN);
                out[i] = s * s;
            }
            if (Arrays.stream(out).allMatch(Double::isFinite)) {
                return out;
            }
        }
        int k = Math.min(count, lambda.length);
        double[] out = new double[k];
        for (int i = 0; i < k; i++) {
            out[i] = lambda[lambda.length - 1 - i];
        }
        return out;
    }

    private static double number(JsonNode record, String key) {
        JsonNode v = record.get(key);
        return v != null && v.isNumber() ? v.asDouble() : Double.NaN;
    }

    /** The plot as the charts read it. */
    public ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("points", eigenvalues.length);
        o.set("log_bins", rows(logBins));
        o.set("linear_bins", rows(linearBins));
        o.set("powerlaw", rows(powerLaw));
        o.set("mp", rows(mp));
        if (Double.isFinite(edge)) {
            o.put("edge", edge);
        }
        ArrayNode s = o.putArray("spikes");
        for (double v : spikes) {
            s.add(v);
        }
        return o;
    }

    private static ArrayNode rows(List<double[]> rows) {
        ArrayNode a = JSON.createArrayNode();
        for (double[] r : rows) {
            ArrayNode row = a.addArray();
            for (double v : r) {
                row.add(v);
            }
        }
        return a;
    }
}
