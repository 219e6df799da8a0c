package io.specwatch.catalogue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version specwatch was built as (Maven writes it into a resource at build time). */
public final class BuildInfo {

    private static final String VERSION = read();

    private BuildInfo() {
    }

    /** {@code 0.1.0-SNAPSHOT} or the release, as the build's pom says. */
    public static String version() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            // an unfiltered resource (built outside Maven) still holds the placeholder
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
