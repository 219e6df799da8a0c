package io.specwatch.engine.cuda;

import java.util.List;

/**
 * The library files (sonames) of one CUDA major version. cuSOLVER's and cuSPARSE's numbers lag
 * the toolkit's: CUDA 12 ships {@code libcusolver.so.11}, CUDA 13 {@code libcusolver.so.12}.
 *
 * @param major             the CUDA major version
 * @param runtime           libcudart
 * @param blas              libcublas
 * @param solver            libcusolver
 * @param dependencies      what cuBLAS and cuSOLVER need, loaded first from their folders (pip
 *                          installs them in separate folders that the loader would not search)
 * @param minimumCapability lowest compute capability (major·10 + minor) this CUDA version's libraries run on
 */
record Toolkit(int major, String runtime, String blas, String solver, List<String> dependencies, int minimumCapability) {

    static final List<Toolkit> KNOWN = List.of(
            new Toolkit(13, "libcudart.so.13", "libcublas.so.13", "libcusolver.so.12",
                    List.of("libnvJitLink.so.13", "libcublasLt.so.13", "libcusparse.so.12"), 75),
            new Toolkit(12, "libcudart.so.12", "libcublas.so.12", "libcusolver.so.11",
                    List.of("libnvJitLink.so.12", "libcublasLt.so.12", "libcusparse.so.12"), 50),
            new Toolkit(11, "libcudart.so.11.0", "libcublas.so.11", "libcusolver.so.11",
                    List.of("libcublasLt.so.11", "libcusparse.so.11"), 35));
}
