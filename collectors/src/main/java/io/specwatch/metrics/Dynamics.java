package io.specwatch.metrics;

import io.specwatch.engine.SingularVectors;

/**
 * How singular vectors move between snapshots and relate across layers (docs/spectral-metrics.md §6,
 * after Yunis et al. 2024 and Kothapalli et al. 2024). Pure functions over {@link SingularVectors}; vectors are unit length.
 */
public final class Dynamics {

    /** Number of top singular triplets the agreement and alignment averages use (Yunis et al. 2024). */
    public static final int DEFAULT_TOP = 10;

    private Dynamics() {
    }

    /**
     * Singular-vector agreement (Yunis et al. 2024): mean over the top k of |(u_j·u'_j)(v_j·v'_j)|, with k the
     * smaller of {@code top} and the triplets both sides have. NaN when either has none.
     */
    public static double singularVectorAgreement(SingularVectors now, SingularVectors reference, int top) {
        int k = Math.min(top, Math.min(now.count(), reference.count()));
        if (k == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            sum += Math.abs(dot(now.left()[j], reference.left()[j]) * dot(now.right()[j], reference.right()[j]));
        }
        return sum / k;
    }

    /**
     * Rotation-invariant companion of the agreement: ‖U_kᵀ U'_k‖_F² / k over the top-k left
     * singular subspaces (1 when they coincide, about k/rows for random subspaces).
     */
    public static double subspaceOverlap(SingularVectors now, SingularVectors reference, int top) {
        int k = Math.min(top, Math.min(now.count(), reference.count()));
        if (k == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                double d = dot(now.left()[i], reference.left()[j]);
                sum += d * d;
            }
        }
        return sum / k;
    }

    /**
     * Alignment between consecutive layers ℓ and ℓ+1 whose shapes chain (rows of ℓ = columns of
     * ℓ+1): mean over the top k of |⟨u_i(W_ℓ), v_i(W_ℓ₊₁)⟩|. NaN when the shapes do not chain.
     */
    public static double layerAlignment(SingularVectors layer, SingularVectors next, int top) {
        int k = Math.min(top, Math.min(layer.count(), next.count()));
        if (k == 0 || layer.left()[0].length != next.right()[0].length) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += Math.abs(dot(layer.left()[i], next.right()[i]));
        }
        return sum / k;
    }

    /** |⟨v₁(W), β⟩| / ‖β‖ for a direction β in the input space of W (the teacher overlap of Kothapalli et al. 2024). */
    public static double directionOverlap(SingularVectors w, float[] direction) {
        if (w.count() == 0 || w.right()[0].length != direction.length) {
            throw new IllegalArgumentException("direction of length " + direction.length + " does not match the "
                    + (w.count() == 0 ? "missing" : w.right()[0].length + "-long") + " right singular vectors");
        }
        double norm = Math.sqrt(dot(direction, direction));
        return norm > 0 ? Math.abs(dot(w.right()[0], direction)) / norm : Double.NaN;
    }

    /**
     * Update metrics of ΔW = W(t) − W(t_prev) (Kothapalli et al. 2024).
     *
     * @param normRatio  ‖ΔW‖_F / ‖W(t)‖_F
     * @param stableRank ‖ΔW‖_F² / ‖ΔW‖₂²
     * @param alignment  |⟨v₁(ΔW), v₁(W(t))⟩|
     */
    public record Update(double normRatio, double stableRank, double alignment) {

        /** No update known (the first snapshot, or no vectors). */
        public static final Update NONE = new Update(Double.NaN, Double.NaN, Double.NaN);

        /** The weights did not change: ratio 0, the rest undefined. */
        public static final Update UNCHANGED = new Update(0, Double.NaN, Double.NaN);

        /**
         * @param updateFrobeniusSquared ‖ΔW‖_F²
         * @param weightFrobeniusSquared ‖W(t)‖_F²
         * @param updateTop              top singular triplet of ΔW
         * @param weightTop              top singular triplet of W(t)
         */
        public static Update of(double updateFrobeniusSquared, double weightFrobeniusSquared, SingularVectors updateTop,
                                SingularVectors weightTop) {
            double s1 = updateTop.singularValues()[0];
            double stable = s1 > 0 ? updateFrobeniusSquared / (s1 * s1) : Double.NaN;
            double ratio = weightFrobeniusSquared > 0 ? Math.sqrt(updateFrobeniusSquared / weightFrobeniusSquared) : Double.NaN;
            double align = s1 > 0 ? Math.abs(dot(updateTop.right()[0], weightTop.right()[0])) : Double.NaN;
            return new Update(ratio, stable, align);
        }
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
