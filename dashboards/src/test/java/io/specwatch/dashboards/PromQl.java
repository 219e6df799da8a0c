package io.specwatch.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough PromQL reading for the checks: which metrics an expression uses and what it rates. */
final class PromQl {

    private static final Pattern RATE = Pattern.compile(
            "\\b(rate|irate|increase)\\s*\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*})?\\s*\\[([^\\]]+)]");
    /**
     * A metric name (a monitor metric, or a recording rule named level:spectral_…:operation or
     * level:specwatch_…:operation) with
     * its optional label matchers: one vector selector.
     */
    private static final Pattern SELECTOR = Pattern.compile("(?<![\\w:\"])((?:[a-z_]+:)?(?:spectral|specwatch)_[a-z0-9_]+(?::[a-z0-9_]+)?)(\\{[^}]*})?");

    /** One range function applied to a metric. */
    record RangeCall(String function, String metric, String range) {
    }

    private PromQl() {
    }

    static Set<String> metrics(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static List<RangeCall> rangeCalls(String expr) {
        List<RangeCall> calls = new ArrayList<>();
        Matcher m = RATE.matcher(expr);
        while (m.find()) {
            calls.add(new RangeCall(m.group(1), m.group(2), m.group(4).strip()));
        }
        return calls;
    }

    /** The vector selectors of an expression (metric plus label matchers), e.g. {@code spectral_phase{phase="random-like"}}. */
    static Set<String> selectors(String expr) {
        Set<String> out = new LinkedHashSet<>();
        Matcher m = SELECTOR.matcher(expr);
        while (m.find()) {
            out.add(m.group(1) + (m.group(2) == null ? "" : m.group(2)));
        }
        return out;
    }
}
