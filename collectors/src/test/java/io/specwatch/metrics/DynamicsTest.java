package io.specwatch.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.SingularVectors;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.engine.SyntheticMatrices;
import org.junit.jupiter.api.Test;

class DynamicsTest {

    static SingularVectors top(DenseMatrix m, int k) {
        return LapackSvdEngine.float64().decompose(m, new SpectrumRequest(false, k)).vectors();
    }

    @Test
    void identicalMatricesAgreeFullyAndIndependentOnesBarely() {
        DenseMatrix a = SyntheticMatrices.powerLaw(200, 100, 3, 1);
        SingularVectors va = top(a, 10);
        assertEquals(1.0, Dynamics.singularVectorAgreement(va, va, 10), 1e-5);
        assertEquals(1.0, Dynamics.subspaceOverlap(va, va, 10), 1e-5);
        SingularVectors vb = top(SyntheticMatrices.powerLaw(200, 100, 3, 2), 10);
        // independent random unit vectors: |u·u'| ~ 1/√200, |v·v'| ~ 1/√100
        assertTrue(Dynamics.singularVectorAgreement(va, vb, 10) < 0.05);
        // random 10-dim subspaces of R^200: expected overlap k/rows = 0.05
        assertEquals(0.05, Dynamics.subspaceOverlap(va, vb, 10), 0.03);
    }

    @Test
    void signFlipsDoNotChangeAgreementButRotationsOnlyKeepTheSubspace() {
        float[][] left = {{1, 0, 0}, {0, 1, 0}};
        float[][] right = {{1, 0}, {0, 1}};
        SingularVectors a = new SingularVectors(new double[] {2, 1}, left, right);
        SingularVectors flipped = new SingularVectors(new double[] {2, 1},
                new float[][] {{-1, 0, 0}, {0, 1, 0}}, new float[][] {{1, 0}, {0, -1}});
        assertEquals(1.0, Dynamics.singularVectorAgreement(a, flipped, 10), 0);
        float c = (float) Math.sqrt(0.5);
        SingularVectors rotated = new SingularVectors(new double[] {2, 1},
                new float[][] {{c, c, 0}, {-c, c, 0}}, new float[][] {{c, c}, {-c, c}});
        // each pair: (u·u')(v·v') = c·c = 1/2
        assertEquals(0.5, Dynamics.singularVectorAgreement(a, rotated, 10), 1e-6);
        assertEquals(1.0, Dynamics.subspaceOverlap(a, rotated, 10), 1e-6);
    }

    @Test
    void layerAlignmentNeedsChainingShapes() {
        // W1: 3 x 2 with u1 = e1; W2: 4 x 3 with v1 = e1 -> aligned
        SingularVectors w1 = new SingularVectors(new double[] {1}, new float[][] {{1, 0, 0}}, new float[][] {{1, 0}});
        SingularVectors w2 = new SingularVectors(new double[] {1}, new float[][] {{0, 1, 0, 0}}, new float[][] {{1, 0, 0}});
        assertEquals(1.0, Dynamics.layerAlignment(w1, w2, 10), 0);
        SingularVectors w3 = new SingularVectors(new double[] {1}, new float[][] {{1, 0}}, new float[][] {{1, 0, 0, 0}});
        assertTrue(Double.isNaN(Dynamics.layerAlignment(w1, w3, 10)));
    }

    @Test
    void directionOverlapIsTheCosineWithTheTopRightVector() {
        SingularVectors w = new SingularVectors(new double[] {1}, new float[][] {{1, 0}}, new float[][] {{0.6f, 0.8f}});
        assertEquals(0.8, Dynamics.directionOverlap(w, new float[] {0, 5}), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> Dynamics.directionOverlap(w, new float[] {1, 2, 3}));
    }

    @Test
    void rankOneUpdateHasStableRankOneAndAlignsWithAPlantedSpike() {
        int rows = 300;
        int cols = 200;
        DenseMatrix before = SyntheticMatrices.gaussian(rows, cols, 5);
        DenseMatrix after = SyntheticMatrices.plantedSpike(rows, cols, 4 * Math.sqrt(rows), 5); // same noise + spike
        float[] delta = new float[rows * cols];
        double deltaF = 0;
        double weightF = 0;
        for (int i = 0; i < delta.length; i++) {
            delta[i] = after.values()[i] - before.values()[i];
            deltaF += (double) delta[i] * delta[i];
            weightF += (double) after.values()[i] * after.values()[i];
        }
        Dynamics.Update u = Dynamics.Update.of(deltaF, weightF, top(new DenseMatrix(rows, cols, delta), 1), top(after, 1));
        assertEquals(1.0, u.stableRank(), 1e-3);
        assertTrue(u.alignment() > 0.9, "alignment " + u.alignment());
        // the spike's Frobenius norm is its strength
        assertEquals(4 * Math.sqrt(rows) / Math.sqrt(weightF), u.normRatio(), 1e-3);
    }
}
