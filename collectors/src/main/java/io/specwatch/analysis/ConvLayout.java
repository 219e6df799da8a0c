package io.specwatch.analysis;

/** How a tensor with more than two dimensions (a convolution kernel) becomes matrices (docs/spectral-metrics.md §1). */
public enum ConvLayout {
    /**
     * WeightWatcher's default: one out × in matrix per kernel position, each scaled by 1/√2, their
     * eigenvalues pooled into one ESD.
     */
    SLICES,
    /** Yunis et al. 2024: one out × (in·kh·kw) matrix. */
    FLATTEN
}
