package io.specwatch.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.LongFunction;

/**
 * The engines a user can name: the built-in ones, and those contributed by
 * {@link SpectrumEngineProvider}s on the classpath.
 */
public final class SpectrumEngines {

    private record Entry(String description, LongFunction<SpectrumEngine> factory) {
    }

    private static final Map<String, Entry> BUILT_IN = new LinkedHashMap<>();

    static {
        BUILT_IN.put("auto", new Entry("by matrix size: float64 Gram up to M = 1024, float32 Gram and randomized top-k above",
                AutomaticEngine::withDefaults));
        BUILT_IN.put("gram32", new Entry("Gram matrix and eigensolver in float32", seed -> GramEigenEngine.float32()));
        BUILT_IN.put("gram64", new Entry("Gram matrix and eigensolver in float64", seed -> GramEigenEngine.float64()));
        BUILT_IN.put("svd32", new Entry("LAPACK SVD in float32", seed -> LapackSvdEngine.float32()));
        BUILT_IN.put("svd64", new Entry("LAPACK SVD in float64", seed -> LapackSvdEngine.float64()));
    }

    private SpectrumEngines() {
    }

    /** Every known name with its description, built-in first. */
    public static Map<String, String> available() {
        Map<String, String> out = new LinkedHashMap<>();
        BUILT_IN.forEach((name, e) -> out.put(name, e.description()));
        for (SpectrumEngineProvider p : providers()) {
            out.putIfAbsent(p.name(), p.description());
        }
        return out;
    }

    /**
     * A new engine of that name.
     *
     * @throws IllegalArgumentException naming the known engines when there is none of that name
     */
    public static SpectrumEngine create(String name, long seed) {
        String key = name.toLowerCase(Locale.ROOT);
        Entry builtIn = BUILT_IN.get(key);
        if (builtIn != null) {
            return builtIn.factory().apply(seed);
        }
        for (SpectrumEngineProvider p : providers()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p.create(seed);
            }
        }
        throw new IllegalArgumentException("unknown engine '" + name + "'; known: " + String.join(", ", available().keySet()));
    }

    private static List<SpectrumEngineProvider> providers() {
        List<SpectrumEngineProvider> out = new ArrayList<>();
        ServiceLoader.load(SpectrumEngineProvider.class).forEach(out::add);
        return out;
    }
}
