package io.specwatch.analysis;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.Spectrum;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.metrics.PowerLawFit;

/**
 * The power of two 2^e nearest below a matrix's largest absolute entry, so that the analysis is
 * scale-equivariant: a matrix times c gives eigenvalues times c² and the same α, ranks and phase,
 * from c = 10⁻³⁰ to 10³⁰. Engines work in float32, where a Gram matrix of entries near 10¹⁸
 * overflows and one of entries near 10⁻²⁰ underflows; a matrix whose largest entry is far from 1
 * is therefore decomposed divided by 2^e (exact: a power of two) and the results multiplied back.
 * The power-law fit's eigenvalue floor follows the same scale (docs/spectral-metrics.md §3).
 *
 * @param exponent e, with 2^e ≤ max |w| &lt; 2^(e+1) (0 for a zero matrix)
 */
record MatrixScale(int exponent) {

    /** Matrices whose largest entry lies within 2^±16 are decomposed as they are: float32 is safe there. */
    static final int SAFE_EXPONENT = 16;

    static MatrixScale of(float[] values) {
        float max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return new MatrixScale(max > 0 && Float.isFinite(max) ? Math.getExponent(max) : 0);
    }

    /** 4^e: what eigenvalues of the matrix divided by 2^e are multiplied by. */
    double eigenvalueFactor() {
        return Math.scalb(1.0, 2 * exponent);
    }

    /** The power-law fit's floor for this matrix: WeightWatcher's 1e-5 when its largest entry lies in [1, 2), scaled by 4^e otherwise. */
    double eigenvalueFloor() {
        return PowerLawFit.EIGENVALUE_FLOOR * eigenvalueFactor();
    }

    private boolean rescales() {
        return Math.abs(exponent) > SAFE_EXPONENT;
    }

    /** Decomposes {@code m} (whose entries this scale was taken from, or from a tensor it belongs to) safely, in its own units. */
    Spectrum decompose(SpectrumEngine engine, DenseMatrix m, SpectrumRequest request) {
        if (!rescales()) {
            return engine.decompose(m, request);
        }
        float[] scaled = new float[m.values().length];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = Math.scalb(m.values()[i], -exponent);
        }
        Spectrum s = engine.decompose(new DenseMatrix(m.rows(), m.cols(), scaled), request);
        double factor = eigenvalueFactor();
        double[] eigenvalues = s.eigenvalues().clone();
        for (int i = 0; i < eigenvalues.length; i++) {
            eigenvalues[i] *= factor;
        }
        SingularVectors v = s.vectors();
        if (v != null) {
            double[] sigma = v.singularValues().clone();
            for (int i = 0; i < sigma.length; i++) {
                sigma[i] = Math.scalb(sigma[i], exponent);
            }
            v = new SingularVectors(sigma, v.left(), v.right());
        }
        return new Spectrum(eigenvalues, s.expectedCount(), v, s.engine());
    }
}
