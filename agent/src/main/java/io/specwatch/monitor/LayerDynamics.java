package io.specwatch.monitor;

import java.util.Map;

import io.specwatch.analysis.MatrixReport;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.LanczosTopTriplet;
import io.specwatch.engine.SingularVectors;
import io.specwatch.metrics.Dynamics;

/**
 * What one layer remembers between snapshots to compute its dynamics: the first and previous
 * singular vectors, the previous weights (for ΔW), and the first-snapshot baselines. Used only by
 * the worker thread.
 */
final class LayerDynamics {

    private SingularVectors first;
    private SingularVectors previous;
    private float[] previousValues;
    private double alphaHillBaseline = Double.NaN;
    private double effectiveRankRatioBaseline = Double.NaN;
    private boolean baselined;
    private Integer correlationTraps;

    /** The dynamics of this snapshot, then remembers it as the previous one. */
    LayerReport next(long step, long epochMillis, String model, WeightSnapshot.Weight weight, MatrixReport report,
                     int top, Map<String, Double> directions) {
        if (!baselined && report.rank() != null) {
            baselined = true;
            alphaHillBaseline = report.alphaHill() != null ? report.alphaHill() : Double.NaN;
            effectiveRankRatioBaseline = report.rank().effectiveRankRatio();
        }
        if (report.correlationTraps() != null) {
            correlationTraps = report.correlationTraps();
        }
        SingularVectors now = report.vectors();
        double agreementPrevious = Double.NaN;
        double agreementFirst = Double.NaN;
        double overlapPrevious = Double.NaN;
        double overlapFirst = Double.NaN;
        Dynamics.Update update = null;
        if (now != null) {
            if (previous != null) {
                agreementPrevious = Dynamics.singularVectorAgreement(now, previous, top);
                overlapPrevious = Dynamics.subspaceOverlap(now, previous, top);
            }
            if (first != null) {
                agreementFirst = Dynamics.singularVectorAgreement(now, first, top);
                overlapFirst = Dynamics.subspaceOverlap(now, first, top);
            }
            if (previousValues != null && previousValues.length == weight.values().length) {
                update = update(weight, report);
            }
            if (first == null) {
                first = now;
            }
            previous = now;
            previousValues = weight.values();
        }
        return new LayerReport(step, epochMillis, model, weight.name(), report, agreementPrevious, agreementFirst,
                overlapPrevious, overlapFirst, update == null ? Double.NaN : update.normRatio(),
                update == null ? Double.NaN : update.stableRank(), update == null ? Double.NaN : update.alignment(),
                Double.NaN, alphaHillBaseline, effectiveRankRatioBaseline, directions, correlationTraps);
    }

    private Dynamics.Update update(WeightSnapshot.Weight weight, MatrixReport report) {
        float[] now = weight.values();
        float[] delta = new float[now.length];
        double deltaSquared = 0;
        double weightSquared = 0;
        for (int i = 0; i < now.length; i++) {
            delta[i] = now[i] - previousValues[i];
            deltaSquared += (double) delta[i] * delta[i];
            weightSquared += (double) now[i] * now[i];
        }
        if (deltaSquared == 0) {
            return new Dynamics.Update(0, Double.NaN, Double.NaN);
        }
        // only σ₁(ΔW) and v₁(ΔW) are needed: a few Lanczos steps, not a second full decomposition
        SingularVectors top = LanczosTopTriplet.of(new DenseMatrix(report.rows(), report.cols(), delta));
        return Dynamics.Update.of(deltaSquared, weightSquared, top, report.vectors());
    }
}
