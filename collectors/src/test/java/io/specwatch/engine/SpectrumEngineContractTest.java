package io.specwatch.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import io.specwatch.engine.EngineContract.Check;
import io.specwatch.engine.EngineContract.Shape;
import io.specwatch.engine.EngineContract.Tolerances;
import io.specwatch.engine.cuda.CudaLibraries;
import io.specwatch.engine.cuda.CudaSettings;
import io.specwatch.engine.cuda.CudaSpectrumEngine;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The engine contract ({@link EngineContract}) against every engine, on every shape, for every
 * kind of request the engine serves. The CUDA engine joins through the same checks: on a machine
 * without a GPU (this one) every matrix goes through its CPU fallback, and the GPU check runs the
 * same checks on a GPU (bench/gpu-check.sh).
 */
class SpectrumEngineContractTest {

    private record Subject(String name, Supplier<SpectrumEngine> engine, Set<Check> checks, Tolerances tolerances) {
    }

    private static final Set<Check> ALL = EnumSet.allOf(Check.class);

    private static List<Subject> subjects() {
        List<Subject> out = new ArrayList<>();
        out.add(new Subject("gram32", GramEigenEngine::float32, EnumSet.of(Check.VALUES), Tolerances.EXACT));
        out.add(new Subject("gram64", GramEigenEngine::float64, ALL, Tolerances.EXACT));
        out.add(new Subject("svd32", LapackSvdEngine::float32, ALL, Tolerances.EXACT));
        out.add(new Subject("svd64", LapackSvdEngine::float64, ALL, Tolerances.EXACT));
        out.add(new Subject("auto", () -> AutomaticEngine.withDefaults(3), ALL, Tolerances.EXACT));
        // a Krylov method: Ritz values from below, converged to ~1e-4 on this slowly decaying spectrum
        out.add(new Subject("randomized", () -> RandomizedSvdEngine.withDefaults(3), EnumSet.of(Check.TOP_K, Check.TOP_TRIPLET),
                new Tolerances(2e-3, 1, 2e-2)));
        out.add(new Subject("lanczos", LanczosTopTriplet::withDefaults, EnumSet.of(Check.TOP_TRIPLET), Tolerances.EXACT));
        out.add(new Subject("cuda", SpectrumEngineContractTest::cudaEngine, ALL, Tolerances.EXACT));
        return out;
    }

    /** The CUDA engine as {@code --device auto} builds it: on the GPU when usable, its CPU fallback otherwise. */
    private static SpectrumEngine cudaEngine() {
        return new CudaSpectrumEngine(CudaLibraries.system(), CudaSettings.defaults(0), AutomaticEngine.withDefaults(3), line -> { });
    }

    @TestFactory
    List<DynamicTest> everyEngineMeetsTheContract() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Subject s : subjects()) {
            for (Check check : s.checks()) {
                for (Shape shape : EngineContract.SHAPES) {
                    tests.add(DynamicTest.dynamicTest(s.name() + " " + check + " " + shape,
                            () -> EngineContract.check(check, s.engine().get(), shape, s.tolerances())));
                }
            }
        }
        return tests;
    }

    @Test
    void theKnownMatrixHasTheSingularValuesItWasBuiltWith() {
        // the construction checked against an independent decomposition (float64 LAPACK SVD)
        EngineContract.Known known = EngineContract.known(new Shape(120, 80), 5);
        double[] lapack = LapackSvdEngine.float64().decompose(known.matrix(), SpectrumRequest.eigenvaluesOnly()).eigenvalues();
        assertEquals(80, lapack.length);
        for (int j = 0; j < 80; j++) {
            double expected = known.sigma()[j] * known.sigma()[j];
            assertEquals(expected, lapack[79 - j], 1e-6 * expected + 1e-6, "eigenvalue #" + (j + 1));
        }
    }

    @Test
    void aWrongEngineFailsTheContract() {
        // an engine that returns the eigenvalues descending, and one that normalises by N, must both fail
        SpectrumEngine descending = new SpectrumEngine() {
            public String name() {
                return "descending";
            }

            public Spectrum decompose(DenseMatrix m, SpectrumRequest r) {
                double[] v = GramEigenEngine.float64().decompose(m, r).eigenvalues().clone();
                for (int i = 0; i < v.length / 2; i++) {
                    double t = v[i];
                    v[i] = v[v.length - 1 - i];
                    v[v.length - 1 - i] = t;
                }
                return new Spectrum(v, m.smaller(), null, name());
            }
        };
        SpectrumEngine normalised = new SpectrumEngine() {
            public String name() {
                return "normalised";
            }

            public Spectrum decompose(DenseMatrix m, SpectrumRequest r) {
                double[] v = GramEigenEngine.float64().decompose(m, r).eigenvalues().clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] /= m.larger();
                }
                return new Spectrum(v, m.smaller(), null, name());
            }
        };
        for (SpectrumEngine wrong : List.of(descending, normalised)) {
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> EngineContract.check(Check.VALUES, wrong, new Shape(300, 200), Tolerances.EXACT));
            assertTrue(e.getMessage().startsWith(wrong.name() + " VALUES 300x200: "), e.getMessage());
        }
    }
}
