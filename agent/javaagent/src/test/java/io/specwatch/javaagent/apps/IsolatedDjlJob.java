package io.specwatch.javaagent.apps;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * A job that loads DJL's Trainer through a class loader of its own, which does not delegate to the
 * application class path (as a Spring Boot launcher does for BOOT-INF/lib): {@code args[0]} is DJL's api jar.
 */
public final class IsolatedDjlJob {

    private IsolatedDjlJob() {
    }

    public static void main(String[] args) throws Exception {
        try (URLClassLoader isolated = new URLClassLoader(new URL[] {Path.of(args[0]).toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            Class<?> trainer = Class.forName("ai.djl.training.Trainer", false, isolated);
            System.out.println("loaded " + trainer.getName() + " in its own class loader: " + (trainer.getClassLoader() == isolated));
        }
    }
}
