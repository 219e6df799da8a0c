package io.specwatch.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.GramEigenEngine;
import io.specwatch.engine.Spectrum;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;
import io.specwatch.engine.SyntheticMatrices;
import org.junit.jupiter.api.Test;

/**
 * What the CUDA engine does when the GPU cannot serve: every matrix still gets its spectrum (from
 * the CPU fallback), each cause is logged once and counted, device memory is freed, and the GPU
 * is given up after repeated failures. Failures come from a machine without CUDA and from
 * stand-in libraries that return error statuses ({@link FailingCuda}).
 */
class CudaSpectrumEngineTest {

    private final List<String> log = new ArrayList<>();
    private final SpectrumEngine cpu = GramEigenEngine.float64();

    private CudaSpectrumEngine engine(CudaLibraries cuda, CudaSettings settings) {
        return new CudaSpectrumEngine(cuda, settings, cpu, log::add);
    }

    private static CudaLibraries noCuda() {
        return CudaLibraries.inspect(new LibrarySearch.Environment(Map.of(), java.nio.file.Path.of("/nonexistent"), "x86_64", false), false);
    }

    @Test
    void withoutAGpuEveryMatrixGoesToTheCpuWithOneLogLine() {
        CudaSpectrumEngine gpu = engine(noCuda(), CudaSettings.defaults(0));
        for (int i = 0; i < 3; i++) {
            DenseMatrix m = SyntheticMatrices.gaussian(60, 40, i);
            Spectrum s = gpu.decompose(m, SpectrumRequest.eigenvaluesOnly());
            assertArrayEquals(cpu.decompose(m, SpectrumRequest.eigenvaluesOnly()).eigenvalues(), s.eigenvalues());
            assertEquals("gram64", s.engine());
        }
        assertEquals(3, gpu.fallbacks());
        assertEquals(0, gpu.deviceDecompositions());
        assertEquals(Map.of("no usable GPU: libcuda.so.1 not found: no NVIDIA driver on this machine", 3L), gpu.fallbackCauses());
        assertEquals(List.of("specwatch cuda:0: no usable GPU: libcuda.so.1 not found: no NVIDIA driver on this machine; the CPU engine gram64 "
                + "computes this matrix and every later one with the same cause (counted)"), log);
    }

    @Test
    void aMatrixOverTheMemoryBudgetGoesToTheCpuBeforeAnythingIsAllocated() {
        FailingCuda cuda = new FailingCuda();
        cuda.freeBytes = 1 << 20; // budget: half of it
        CudaSpectrumEngine gpu = engine(cuda.libraries(), CudaSettings.defaults(0));
        DenseMatrix m = SyntheticMatrices.gaussian(300, 200, 1); // float64: W 469 KiB + Gram 313 KiB
        for (int i = 0; i < 2; i++) {
            assertEquals("gram64", gpu.decompose(m, SpectrumRequest.eigenvaluesOnly()).engine());
        }
        assertEquals(Map.of("over the device memory budget", 2L), gpu.fallbackCauses());
        assertEquals(0, cuda.mallocs);
        assertEquals(1, log.size());
        assertTrue(log.get(0).startsWith("specwatch cuda:0: a 300 x 200 matrix needs 0.8 MiB of device memory, over the budget of 0.5 MiB;"), log.get(0));
    }

    @Test
    void aCudaErrorFallsBackFreesWhatWasAllocatedAndAfterThreeInARowTheGpuIsGivenUp() {
        FailingCuda cuda = new FailingCuda();
        cuda.syrkStatus = 13;
        CudaSpectrumEngine gpu = engine(cuda.libraries(), CudaSettings.defaults(0));
        DenseMatrix m = SyntheticMatrices.gaussian(50, 30, 2);
        double[] expected = cpu.decompose(m, SpectrumRequest.eigenvaluesOnly()).eigenvalues();
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(expected, gpu.decompose(m, SpectrumRequest.eigenvaluesOnly()).eigenvalues());
        }
        String cause = "cublasDsyrk_v2: CUBLAS_STATUS_EXECUTION_FAILED (13)";
        assertEquals(3, cuda.syrkCalls, "the GPU is not tried after the third failure in a row");
        assertEquals(cuda.mallocs, cuda.frees, "every device allocation freed");
        assertTrue(cuda.mallocs > 0);
        assertEquals(cuda.streamsCreated, cuda.streamsDestroyed, "a session is closed after a failure");
        assertEquals(cuda.blasHandles, cuda.blasHandlesDestroyed);
        assertEquals(Map.of(cause, 3L, "GPU disabled after 3 CUDA failures in a row, the last: " + cause, 2L), gpu.fallbackCauses());
        assertEquals(5, gpu.fallbacks());
        assertEquals(3, log.size(), log.toString());
        assertTrue(log.get(0).startsWith("specwatch cuda:0: " + cause + "; the CPU engine gram64"), log.get(0));
        assertEquals("specwatch cuda:0: not using the GPU any more after 3 CUDA failures in a row, the last: " + cause, log.get(1));
    }

    @Test
    void aMissingFunctionIsACauseLikeAnyOther() {
        FailingCuda cuda = new FailingCuda();
        cuda.solverError = new UnsatisfiedLinkError("Error looking up function 'cusolverDnDsyevd_bufferSize'");
        CudaSpectrumEngine gpu = engine(cuda.libraries(), CudaSettings.defaults(0));
        gpu.decompose(SyntheticMatrices.gaussian(40, 30, 3), SpectrumRequest.eigenvaluesOnly());
        assertEquals(Map.of("UnsatisfiedLinkError: Error looking up function 'cusolverDnDsyevd_bufferSize'", 1L), gpu.fallbackCauses());
        assertEquals(cuda.mallocs, cuda.frees);
    }

    @Test
    void aHandleThatCannotBeCreatedReleasesWhatWasCreatedBeforeIt() {
        FailingCuda cuda = new FailingCuda();
        cuda.blasCreateStatus = 1;
        CudaSpectrumEngine gpu = engine(cuda.libraries(), CudaSettings.defaults(0));
        gpu.decompose(SyntheticMatrices.gaussian(40, 30, 3), SpectrumRequest.eigenvaluesOnly());
        assertEquals(Map.of("cublasCreate_v2: CUBLAS_STATUS_NOT_INITIALIZED (1)", 1L), gpu.fallbackCauses());
        assertEquals(1, cuda.streamsCreated);
        assertEquals(1, cuda.streamsDestroyed);
    }

    @Test
    void precisionFollowsTheSmallerSideAndTf32IsSetExplicitly() {
        FailingCuda cuda = new FailingCuda();
        cuda.solverThrows = new IllegalStateException("stop after the Gram matrix");
        CudaSpectrumEngine auto = engine(cuda.libraries(), CudaSettings.defaults(0));
        auto.decompose(SyntheticMatrices.gaussian(1500, 1024, 1), SpectrumRequest.eigenvaluesOnly()); // M = 1024: float64
        auto.decompose(SyntheticMatrices.gaussian(1025, 1500, 1), SpectrumRequest.eigenvaluesOnly()); // M = 1025: float32
        assertEquals(List.of("Dsyrk", "Ssyrk"), cuda.syrkRoutines);
        assertEquals(List.of(CudaApi.MATH_DEFAULT, CudaApi.MATH_DEFAULT), cuda.mathModes, "math mode set, TF32 off, on each new session");
        CudaSpectrumEngine tf32 = engine(cuda.libraries(), CudaSettings.defaults(0).withTf32(true).withFloat64Limit(0));
        tf32.decompose(SyntheticMatrices.gaussian(40, 30, 1), SpectrumRequest.eigenvaluesOnly());
        assertEquals(CudaApi.MATH_TF32, cuda.mathModes.get(cuda.mathModes.size() - 1));
        assertEquals("Ssyrk", cuda.syrkRoutines.get(cuda.syrkRoutines.size() - 1));
    }

    @Test
    void badSettingsAreRefused() {
        for (Runnable bad : List.<Runnable>of(() -> new CudaSettings(-1, 0, false, 0.5, 0), () -> new CudaSettings(0, 0, false, 0, 0),
                () -> new CudaSettings(0, 0, false, 1.5, 0), () -> new CudaSettings(0, -1, false, 0.5, 0))) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, bad::run);
        }
        assertEquals(300, CudaSettings.defaults(0).withMemory(0.5, 300).budget(1000));
        assertEquals(500, CudaSettings.defaults(0).budget(1000));
    }
}
