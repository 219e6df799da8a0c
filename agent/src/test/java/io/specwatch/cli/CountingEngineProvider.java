package io.specwatch.cli;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.CountingEngine;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumEngineProvider;

/** A plugin engine found through META-INF/services (tests only): the default engine, counted. */
public final class CountingEngineProvider implements SpectrumEngineProvider {

    /** Every engine made, one per analysis thread. */
    static final java.util.List<CountingEngine> MADE = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Spectra computed by all of them. */
    static int spectra() {
        return MADE.stream().mapToInt(e -> e.spectra.get()).sum();
    }

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public SpectrumEngine create(long seed) {
        CountingEngine engine = new CountingEngine(AutomaticEngine.withDefaults(seed));
        MADE.add(engine);
        return engine;
    }
}
