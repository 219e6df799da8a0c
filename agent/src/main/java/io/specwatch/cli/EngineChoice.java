package io.specwatch.cli;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.GramEigenEngine;
import io.specwatch.engine.LapackSvdEngine;
import io.specwatch.engine.SpectrumEngine;

/** The engines a user can pick on the command line for the full ESD. */
enum EngineChoice {
    /** By matrix size (see {@link AutomaticEngine}). */
    auto,
    /** Gram matrix and eigensolver in float32. */
    gram32,
    /** Gram matrix and eigensolver in float64. */
    gram64,
    /** LAPACK SVD in float32. */
    svd32,
    /** LAPACK SVD in float64. */
    svd64;

    SpectrumEngine create(long seed) {
        return switch (this) {
            case auto -> AutomaticEngine.withDefaults(seed);
            case gram32 -> GramEigenEngine.float32();
            case gram64 -> GramEigenEngine.float64();
            case svd32 -> LapackSvdEngine.float32();
            case svd64 -> LapackSvdEngine.float64();
        };
    }
}
