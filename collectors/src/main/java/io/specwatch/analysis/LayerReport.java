package io.specwatch.analysis;

/**
 * Everything measured for one weight matrix at one snapshot: the static spectral metrics and the
 * dynamics against earlier snapshots of the same layer. What every exporter reads.
 *
 * @param step              training step of the snapshot
 * @param epochMillis       wall-clock time of the snapshot
 * @param model             model name label
 * @param layer             parameter name
 * @param report            the spectral metrics
 * @param dynamics          the dynamics ({@link LayerDynamics#NONE} when none apply)
 * @param topSingularValues σ₁ ≥ σ₂ ≥ … for the exporters (as many as the analysis was asked to keep)
 */
public record LayerReport(long step, long epochMillis, String model, String layer, MatrixReport report,
                          LayerDynamics dynamics, double[] topSingularValues) {
}
