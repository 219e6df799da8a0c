package io.specwatch.engine;

/**
 * Makes a {@link SpectrumEngine} known by name to {@link SpectrumEngines}, and so to the command
 * line's {@code --engine NAME} and the monitor's {@code engine(String)}: implement it, and list
 * the class in {@code META-INF/services/io.specwatch.engine.SpectrumEngineProvider} on the classpath.
 */
public interface SpectrumEngineProvider {

    /** The name users pass (lower case, no spaces). */
    String name();

    /** One line for help texts. */
    default String description() {
        return name();
    }

    /** A new engine; {@code seed} seeds whatever is random in it. */
    SpectrumEngine create(long seed);
}
