package io.specwatch.monitor;

import java.util.Map;

import io.specwatch.analysis.MatrixReport;

/**
 * Everything the monitor measured for one weight matrix at one snapshot: the static spectral
 * metrics and the dynamics against earlier snapshots of the same layer. Dynamics fields are NaN
 * where they do not apply (first snapshot, pooled convolution slices, shapes that do not chain).
 *
 * @param step                         training step of the snapshot
 * @param epochMillis                  wall-clock time of the snapshot
 * @param model                        model name label
 * @param layer                        parameter name
 * @param report                       the spectral metrics
 * @param agreementPrevious            singular-vector agreement with the previous snapshot
 * @param agreementFirst               singular-vector agreement with the first snapshot
 * @param subspaceOverlapPrevious      top-k subspace overlap with the previous snapshot
 * @param subspaceOverlapFirst         top-k subspace overlap with the first snapshot
 * @param updateNormRatio              ‖ΔW‖_F / ‖W‖_F since the previous snapshot
 * @param updateStableRank             stable rank of ΔW
 * @param updateAlignment              |⟨v₁(ΔW), v₁(W)⟩|
 * @param layerAlignment               alignment with the next layer whose shape chains
 * @param alphaHillBaseline            α_hill at this layer's first snapshot
 * @param effectiveRankRatioBaseline   effective-rank ratio at this layer's first snapshot
 * @param directionOverlaps            |⟨v₁(W), β⟩|/‖β‖ per tracked direction name
 * @param correlationTraps             the latest measured correlation traps of this layer (traps run at
 *                                     their own cadence, so possibly from an earlier snapshot); null before the first
 */
public record LayerReport(long step, long epochMillis, String model, String layer, MatrixReport report,
                          double agreementPrevious, double agreementFirst, double subspaceOverlapPrevious,
                          double subspaceOverlapFirst, double updateNormRatio, double updateStableRank,
                          double updateAlignment, double layerAlignment, double alphaHillBaseline,
                          double effectiveRankRatioBaseline, Map<String, Double> directionOverlaps,
                          Integer correlationTraps) {
}
