package io.specwatch.metrics;

import java.util.function.DoubleUnaryOperator;

/**
 * One-dimensional Nelder–Mead minimisation with the defaults of SciPy's {@code optimize.fmin}
 * (reflection 1, expansion 2, contraction ½, shrink ½; a first step of 5 % of the start; stops when
 * both simplex points lie within 1e-4 of each other in x and in f, or after 200 iterations or
 * evaluations). {@code scipy.optimize.brute} polishes its best grid point with it, so the
 * Marchenko–Pastur fit reproduces WeightWatcher's σ only with the same polish.
 */
final class NelderMead {

    static final double X_TOLERANCE = 1e-4;
    static final double F_TOLERANCE = 1e-4;
    static final int MAX_ITERATIONS = 200;

    private NelderMead() {
    }

    /** The minimiser found from {@code start}: never worse than {@code start} itself. */
    static double minimise(DoubleUnaryOperator f, double start) {
        double[] x = {start, start != 0 ? 1.05 * start : 0.00025};
        double[] fx = {f.applyAsDouble(x[0]), f.applyAsDouble(x[1])};
        int calls = 2;
        sort(x, fx);
        int iterations = 1;
        while (calls < MAX_ITERATIONS && iterations < MAX_ITERATIONS) {
            if (Math.abs(x[1] - x[0]) <= X_TOLERANCE && Math.abs(fx[0] - fx[1]) <= F_TOLERANCE) {
                break;
            }
            double centroid = x[0]; // of every point but the worst: in one dimension, the best
            double xr = 2 * centroid - x[1];
            double fr = f.applyAsDouble(xr);
            calls++;
            boolean shrink = false;
            if (fr < fx[0]) {
                double xe = 3 * centroid - 2 * x[1];
                double fe = f.applyAsDouble(xe);
                calls++;
                if (fe < fr) {
                    x[1] = xe;
                    fx[1] = fe;
                } else {
                    x[1] = xr;
                    fx[1] = fr;
                }
            } else if (fr < fx[1]) {
                // (in one dimension the "second-worst" point is the best, so plain reflection never applies)
                double xc = 1.5 * centroid - 0.5 * x[1];
                double fc = f.applyAsDouble(xc);
                calls++;
                if (fc <= fr) {
                    x[1] = xc;
                    fx[1] = fc;
                } else {
                    shrink = true;
                }
            } else {
                double xcc = 0.5 * centroid + 0.5 * x[1];
                double fcc = f.applyAsDouble(xcc);
                calls++;
                if (fcc < fx[1]) {
                    x[1] = xcc;
                    fx[1] = fcc;
                } else {
                    shrink = true;
                }
            }
            if (shrink) {
                x[1] = x[0] + 0.5 * (x[1] - x[0]);
                fx[1] = f.applyAsDouble(x[1]);
                calls++;
            }
            iterations++;
            sort(x, fx);
        }
        return x[0];
    }

    /** Best point first; a tie keeps the order (as NumPy's argsort does for two values). */
    private static void sort(double[] x, double[] fx) {
        if (fx[1] < fx[0]) {
            double t = x[0];
            x[0] = x[1];
            x[1] = t;
            t = fx[0];
            fx[0] = fx[1];
            fx[1] = t;
        }
    }
}
