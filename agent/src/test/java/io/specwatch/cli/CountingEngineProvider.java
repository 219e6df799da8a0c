package io.specwatch.cli;

import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.CountingEngine;
import io.specwatch.engine.SpectrumEngine;
import io.specwatch.engine.SpectrumEngineProvider;

/** A plugin engine found through META-INF/services (tests only): the default engine, counted. */
public final class CountingEngineProvider implements SpectrumEngineProvider {

    static volatile CountingEngine last;

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public SpectrumEngine create(long seed) {
        last = new CountingEngine(AutomaticEngine.withDefaults(seed));
        return last;
    }
}
