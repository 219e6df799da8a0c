package io.specwatch.metrics;

/**
 * WeightWatcher's Marchenko–Pastur bulk fit with spike count and soft rank
 * (docs/spectral-metrics.md §4).
 *
 * <p>The eigenvalues are rescaled to mean 1; a linear-kernel density estimate (bandwidth 0.1, 1000
 * grid points) is computed once, and σ of the MP law is fitted to it by least squares: the grid
 * search of WeightWatcher's {@code scipy.optimize.brute} (the same grid, to the last bit), then,
 * as brute does by default, a Nelder–Mead polish from the best grid point
 * ({@link NelderMead}, scipy's {@code fmin}). Unlike WeightWatcher the density is not recomputed
 * per trial σ: it does not depend on σ.
 *
 * @param sigma     fitted σ on the rescaled (mean 1) scale
 * @param bulkEdge  upper bulk edge b on the rescaled scale
 * @param bulkMax   upper bulk edge in the ESD's own units (b · Σλ / count)
 * @param twMargin  Tracy–Widom margin Q^-½ · b^(2/3) · M^(-2/3)
 * @param spikes    eigenvalues above b + √TW
 * @param softRank  b / max λ' (≈ 1 for a random layer, small when a spike dominates)
 */
public record MarchenkoPasturFit(double sigma, double bulkEdge, double bulkMax, double twMargin, int spikes,
                                 double softRank) {

    static final int GRID_POINTS = 1000;
    static final double BANDWIDTH = 0.1;
    static final double MIN_DENSITY = 0.01;
    static final double GRID_PADDING = 0.5;

    /**
     * Fits the bulk of an ESD with a known shape. Returns null when the shape is unknown or no σ on
     * the search grid is admissible (which does not happen for a non-degenerate spectrum).
     */
    public static MarchenkoPasturFit fit(Esd esd) {
        if (!esd.hasShape()) {
            return null;
        }
        double[] lambda = esd.eigenvalues();
        int count = lambda.length;
        double sum = esd.sum();
        if (!(sum > 0)) {
            return null;
        }
        double scale = count / sum;
        double[] rescaled = new double[count];
        for (int i = 0; i < count; i++) {
            rescaled[i] = lambda[i] * scale;
        }
        double maxRescaled = rescaled[count - 1];
        double q = esd.q();
        double[] grid = new double[GRID_POINTS];
        double step = (maxRescaled + GRID_PADDING) / (GRID_POINTS - 1);
        for (int g = 0; g < GRID_POINTS; g++) {
            grid[g] = g * step;
        }
        double[] density = linearKernelDensity(rescaled, grid, BANDWIDTH);
        int peak = 0;
        for (int g = 1; g < GRID_POINTS; g++) {
            if (density[g] > density[peak]) {
                peak = g;
            }
        }
        Objective objective = new Objective(grid, density, grid[peak], q);
        double edgeFactor = square(1 + 1 / Math.sqrt(q));
        double s0 = Math.sqrt(maxRescaled / edgeFactor);
        // brute's grid for slice(0.05·s0, 2·s0, 0.01·s0): numpy's arange, first minimum
        double start = 0.05 * s0;
        double stepSigma = 0.01 * s0;
        int size = (int) Math.ceil((2.0 * s0 - start) / stepSigma);
        double delta = (start + stepSigma) - start;
        double best = Double.NaN;
        double bestError = Double.POSITIVE_INFINITY;
        for (int t = 0; t < size; t++) {
            double sigma = t == 0 ? start : t == 1 ? start + stepSigma : start + t * delta;
            double error = objective.error(sigma);
            if (error < bestError) {
                bestError = error;
                best = sigma;
            }
        }
        if (Double.isNaN(best) || !(bestError < objective.penalty())) {
            return null; // no σ on the grid is admissible (ours: WeightWatcher reports the grid's first σ)
        }
        best = NelderMead.minimise(objective::error, best);
        double b = best * best * edgeFactor;
        double tw = Math.pow(q, -0.5) * Math.pow(b, 2.0 / 3) * Math.pow(esd.m(), -2.0 / 3);
        double threshold = b + Math.sqrt(tw);
        int spikes = 0;
        for (int i = count - 1; i >= 0 && rescaled[i] > threshold; i--) {
            spikes++;
        }
        return new MarchenkoPasturFit(best, b, b / scale, tw, spikes, b / maxRescaled);
    }

    /** Marchenko–Pastur density with variance σ² and aspect ratio Q at x (0 outside the bulk). */
    public static double density(double x, double sigma, double q) {
        double s2 = sigma * sigma;
        double a = s2 * square(1 - 1 / Math.sqrt(q));
        double b = s2 * square(1 + 1 / Math.sqrt(q));
        if (!(x > a && x < b)) {
            return 0;
        }
        return Math.sqrt((b - x) * (x - a)) / (2 * Math.PI * s2 * x / q);
    }

    /** Mean over samples of the normalised triangular kernel (1 − |u|/h)/h, evaluated on an evenly spaced grid starting at grid[0]. */
    static double[] linearKernelDensity(double[] samples, double[] grid, double h) {
        int points = grid.length;
        double origin = grid[0];
        double step = grid[1] - grid[0];
        double[] density = new double[points];
        for (double s : samples) {
            int from = Math.max(0, (int) Math.ceil((s - h - origin) / step));
            int to = Math.min(points - 1, (int) Math.floor((s + h - origin) / step));
            for (int g = from; g <= to; g++) {
                double u = Math.abs(grid[g] - s);
                if (u < h) {
                    density[g] += (1 - u / h) / h;
                }
            }
        }
        for (int g = 0; g < points; g++) {
            density[g] /= samples.length;
        }
        return density;
    }

    private static double square(double v) {
        return v * v;
    }

    /**
     * Least-squares misfit between the MP density and the KDE over the grid points whose density
     * exceeds 0.01. A σ whose bulk misses the density's peak, or whose edge b lies beyond the last
     * such point, gets WeightWatcher's penalty (a residual of 1000 at every point) instead.
     */
    private static final class Objective {
        private final double[] x;
        private final double[] y;
        private final double peakX;
        private final double lastX;
        private final double q;

        Objective(double[] grid, double[] density, double peakX, double q) {
            int kept = 0;
            for (double d : density) {
                if (d > MIN_DENSITY) {
                    kept++;
                }
            }
            x = new double[kept];
            y = new double[kept];
            int k = 0;
            for (int g = 0; g < grid.length; g++) {
                if (density[g] > MIN_DENSITY) {
                    x[k] = grid[g];
                    y[k++] = density[g];
                }
            }
            this.peakX = peakX;
            this.lastX = kept > 0 ? x[kept - 1] : 0;
            this.q = q;
        }

        double penalty() {
            return 1000.0 * 1000.0 * x.length;
        }

        double error(double sigma) {
            double s2 = sigma * sigma;
            double a = s2 * square(1 - 1 / Math.sqrt(q));
            double b = s2 * square(1 + 1 / Math.sqrt(q));
            if (b < peakX || b > lastX || a > peakX) {
                return penalty();
            }
            double error = 0;
            for (int g = 0; g < x.length; g++) {
                double diff = MarchenkoPasturFit.density(x[g], sigma, q) - y[g];
                error += diff * diff;
            }
            return error;
        }
    }

    /** This fit for the matrix times 2^e: the bulk edge in the ESD's units times 4^e; the rest is scale-free. */
    public MarchenkoPasturFit timesPowerOfTwo(int e) {
        return new MarchenkoPasturFit(sigma, bulkEdge, Math.scalb(bulkMax, 2 * e), twMargin, spikes, softRank);
    }
}
