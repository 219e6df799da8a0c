package io.specwatch.engine;

import java.util.concurrent.atomic.AtomicInteger;

/** Wraps an engine and counts the requests it serves: full-ESD requests and top-triplet-only ones (tests only). */
public final class CountingEngine implements SpectrumEngine {

    private final SpectrumEngine inner;
    public final AtomicInteger spectra = new AtomicInteger();
    public final AtomicInteger topTriplets = new AtomicInteger();

    public CountingEngine(SpectrumEngine inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public Spectrum decompose(DenseMatrix matrix, SpectrumRequest request) {
        if (request.allEigenvalues()) {
            spectra.incrementAndGet();
        } else if (request.vectors() == 1) {
            topTriplets.incrementAndGet();
        }
        Spectrum s = inner.decompose(matrix, request);
        return new Spectrum(s.eigenvalues(), s.expectedCount(), s.vectors(), "counting(" + s.engine() + ")");
    }
}
