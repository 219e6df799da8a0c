package io.specwatch.javaagent;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * DJL as the application's class path holds it, found by resources only: the agent must not load a
 * DJL class before its instrumentation is in place (a Trainer loaded early would run unwatched).
 *
 * @param version DJL's version ({@code ai/djl/engine/api.properties}), or {@code unknown}
 */
record DjlOnClassPath(String version) {

    /** The DJL versions the agent's acceptance tests run on (the project's and an older one). */
    static final List<String> TESTED = List.of("0.33.0", "0.35.1");

    /** DJL as {@code loader} sees it, or empty when it has no {@code ai.djl.training.Trainer}. */
    static Optional<DjlOnClassPath> find(ClassLoader loader) {
        if (loader.getResource("ai/djl/training/Trainer.class") == null) {
            return Optional.empty();
        }
        String version = "unknown";
        try (InputStream in = loader.getResourceAsStream("ai/djl/engine/api.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                version = p.getProperty("djl_version", version).strip();
            }
        } catch (IOException | IllegalArgumentException e) {
            // the version is for messages only
        }
        return Optional.of(new DjlOnClassPath(version));
    }

    boolean tested() {
        return TESTED.contains(version);
    }
}
