package io.specwatch.analysis;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.metrics.Dynamics;

/** The update ΔW = W(t) − W(t_prev) of one layer and its spectrum's top (Kothapalli et al. 2024). */
final class UpdateSpectrum {

    private UpdateSpectrum() {
    }

    /**
     * @param now       W(t), the analysed matrix's shape
     * @param previous  W(t_prev), row-major, as long as {@code now}'s values
     * @param weightTop the top singular triplets of W(t)
     * @param engine    computes the top triplet of ΔW (only σ₁ and v₁ are needed)
     */
    static Dynamics.Update of(DenseMatrix now, float[] previous, SingularVectors weightTop, SpectrumEngine engine) {
        float[] w = now.values();
        float[] delta = new float[w.length];
        double deltaSquared = 0;
        double weightSquared = 0;
        for (int i = 0; i < w.length; i++) {
            delta[i] = w[i] - previous[i];
            deltaSquared += (double) delta[i] * delta[i];
            weightSquared += (double) w[i] * w[i];
        }
        if (deltaSquared == 0) {
            return Dynamics.Update.UNCHANGED;
        }
        SingularVectors top = MatrixScale.of(delta).decompose(engine, new DenseMatrix(now.rows(), now.cols(), delta),
                SpectrumRequest.topK(1)).vectors();
        return Dynamics.Update.of(deltaSquared, weightSquared, top, weightTop);
    }
}
