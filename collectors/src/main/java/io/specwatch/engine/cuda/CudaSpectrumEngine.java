package io.specwatch.engine.cuda;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.Spectrum;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumRequest;

/**
 * Spectra on an NVIDIA GPU through the CUDA libraries already on the machine (cuBLAS, cuSOLVER;
 * CUDA 11, 12 or 13, found at run time): the same contract and the same method as the CPU's
 * {@code GramEigenEngine} — eigenvalues of WᵀW ascending on the raw scale, top-k triplets largest
 * first — in float64 for matrices up to {@link CudaSettings#float64Limit()} and float32 above it
 * (TF32 off unless asked for).
 *
 * <p><b>Never fails a caller because of the GPU.</b> A matrix over the device memory budget, any
 * CUDA error, a missing library or function: that matrix is computed by the {@code fallback} engine
 * (a CPU engine) instead. Each cause is logged once and counted ({@link #fallbacks()},
 * {@link #fallbackCauses()}); after {@value #DISABLE_AFTER} CUDA failures in a row the GPU is no
 * longer tried. Errors of the fallback engine itself propagate, as they would without a GPU.
 *
 * <p>Thread-safety: calls are serialised (one matrix at a time per engine); use one engine per
 * analysis thread to run several matrices at once (each has its own stream and handles). Close
 * the engine to release its handles and pinned buffers; device memory is only held during a call.
 *
 * <p>Loads no ND4J or JavaCPP class: the GPU path runs on a classpath of this module, JNA and SLF4J.
 */
public final class CudaSpectrumEngine implements SpectrumEngine, AutoCloseable {

    /** CUDA failures in a row after which the engine stops trying the GPU. */
    public static final int DISABLE_AFTER = 3;
    /** Largest M: cuSOLVER's 32-bit interface counts workspace in ints. */
    static final int MAX_SMALLER_SIDE = 32768;

    private static final Logger LOG = LoggerFactory.getLogger(CudaSpectrumEngine.class);

    private final CudaLibraries cuda;
    private final CudaSettings settings;
    private final SpectrumEngine fallback;
    private final Consumer<String> log;
    private final Map<String, LongAdder> causes = new ConcurrentHashMap<>();
    private final LongAdder onDevice = new LongAdder();
    private DeviceSession session;
    private int failuresInARow;
    private String disabled;

    /**
     * @param cuda     the libraries ({@link CudaLibraries#system()}); when they are not usable every
     *                 matrix goes to the fallback, with one log line saying why
     * @param settings device, precision, memory budget
     * @param fallback the engine for what the GPU cannot do
     */
    public CudaSpectrumEngine(CudaLibraries cuda, CudaSettings settings, SpectrumEngine fallback) {
        this(cuda, settings, fallback, LOG::warn);
    }

    /** As above, with the log lines going to {@code log} (tests read them). */
    public CudaSpectrumEngine(CudaLibraries cuda, CudaSettings settings, SpectrumEngine fallback, Consumer<String> log) {
        this.cuda = Objects.requireNonNull(cuda, "cuda");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.fallback = Objects.requireNonNull(fallback, "fallback");
        this.log = Objects.requireNonNull(log, "log");
    }

    @Override
    public String name() {
        return "cuda:" + settings.device();
    }

    public CudaSettings settings() {
        return settings;
    }

    /** The engine that takes over when the GPU cannot. */
    public SpectrumEngine fallback() {
        return fallback;
    }

    /** What discovery found. */
    public CudaReport report() {
        return cuda.report();
    }

    /** Matrices computed on the GPU. */
    public long deviceDecompositions() {
        return onDevice.sum();
    }

    /** Matrices the fallback engine computed instead of the GPU. */
    public long fallbacks() {
        long sum = 0;
        for (LongAdder a : causes.values()) {
            sum += a.sum();
        }
        return sum;
    }

    /** Fallbacks by cause (one line each, as logged). */
    public Map<String, Long> fallbackCauses() {
        Map<String, Long> out = new LinkedHashMap<>();
        causes.forEach((cause, count) -> out.put(cause, count.sum()));
        return out;
    }

    @Override
    public synchronized Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        String unavailable = unavailable(matrix);
        if (unavailable != null) {
            return fallBack(matrix, request, unavailable, null);
        }
        boolean float64 = matrix.smaller() <= settings.float64Limit();
        try {
            DeviceSession s = session();
            s.activate();
            long budget = settings.budget(s.freeBytes());
            Spectrum spectrum = DeviceGram.solve(s, matrix, request, float64, budget, float64 ? "cuda64" : "cuda32");
            failuresInARow = 0;
            onDevice.increment();
            return spectrum;
        } catch (DeviceGram.OverBudget e) {
            return fallBack(matrix, request, "over the device memory budget", e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            // any CUDA failure (an error status, a missing function, a library that does not load)
            closeSession();
            failuresInARow++;
            if (failuresInARow >= DISABLE_AFTER) {
                disabled = DISABLE_AFTER + " CUDA failures in a row, the last: " + describe(e);
                log.accept("specwatch " + name() + ": not using the GPU any more after " + disabled);
            }
            return fallBack(matrix, request, describe(e), null);
        }
    }

    /** Why this matrix cannot go to the GPU at all, or null. */
    private String unavailable(DenseMatrix matrix) {
        if (!cuda.usable()) {
            return "no usable GPU: " + cuda.report().problem();
        }
        if (cuda.report().device(settings.device()) == null) {
            return "no device cuda:" + settings.device() + " (" + cuda.report().devices().size() + " found)";
        }
        if (disabled != null) {
            return "GPU disabled after " + disabled;
        }
        if (matrix.smaller() > MAX_SMALLER_SIDE) {
            return "smaller side above " + MAX_SMALLER_SIDE + " (cuSOLVER's 32-bit interface)";
        }
        return null;
    }

    private Spectrum fallBack(DenseMatrix matrix, SpectrumRequest request, String cause, String detail) {
        LongAdder count = causes.computeIfAbsent(cause, c -> new LongAdder());
        boolean first = count.sum() == 0;
        count.increment();
        if (first) {
            log.accept("specwatch " + name() + ": " + (detail != null ? detail : cause) + "; the CPU engine " + fallback.name()
                    + " computes this matrix and every later one with the same cause (counted)");
        }
        return fallback.decompose(matrix, request);
    }

    private DeviceSession session() {
        if (session == null) {
            session = new DeviceSession(cuda, settings.device(), settings.tf32());
        }
        return session;
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException | LinkageError ignored) {
                // the session is gone either way
            }
            session = null;
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof CudaException c) {
            return c.cause();
        }
        return e.getClass().getSimpleName() + ": " + CudaLibraries.firstLine(e);
    }

    /** Releases the stream, handles and pinned buffers (the engine may be used again: they are re-created). */
    @Override
    public synchronized void close() {
        closeSession();
    }
}
