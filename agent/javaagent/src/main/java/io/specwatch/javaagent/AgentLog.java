package io.specwatch.javaagent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's own lines on the job's stderr, each starting with {@code specwatch: }: what it watches,
 * and, once per cause, what it cannot do and why. They bypass logging on purpose: the job's logging
 * configuration must neither hide them nor be touched by the agent.
 */
final class AgentLog {

    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private AgentLog() {
    }

    /** One line. */
    static void say(String message) {
        System.err.println("specwatch: " + message);
    }

    /** One line, the first time {@code cause} comes up. */
    static void once(String cause, String message) {
        if (SAID.add(cause)) {
            say(message);
        }
    }

    /**
     * The level of the agent's relocated SLF4J backend (the monitor's own warnings), unless the
     * JVM already sets it. In {@code specwatch.jar} the property's name is relocated with SLF4J
     * ({@code io.specwatch.shaded.org.slf4j.simpleLogger.defaultLogLevel}), so the job's own
     * SLF4J settings are never changed.
     */
    static void level(String level) {
        String key = "org.slf4j.simpleLogger.defaultLogLevel";
        if (System.getProperty(key) == null) {
            System.setProperty(key, level);
        }
    }
}
