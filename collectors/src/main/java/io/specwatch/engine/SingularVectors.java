package io.specwatch.engine;

/**
 * The top k singular triplets of a matrix, largest first.
 *
 * @param singularValues σ₁ ≥ σ₂ ≥ … ≥ σ_k
 * @param left           left[j] = u_j, of length rows
 * @param right          right[j] = v_j, of length cols
 */
public record SingularVectors(double[] singularValues, float[][] left, float[][] right) {

    public SingularVectors {
        if (left.length != singularValues.length || right.length != singularValues.length) {
            throw new IllegalArgumentException("need one left and one right vector per singular value");
        }
    }

    public int count() {
        return singularValues.length;
    }
}
