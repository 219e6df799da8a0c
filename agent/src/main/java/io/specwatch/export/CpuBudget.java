package io.specwatch.export;

import java.time.Duration;

/**
 * How much CPU the HTTP server may spend next to training: a token bucket of CPU time, refilled at
 * {@code share} of one core, holding at most {@code burst} of credit and owing at most {@code burst}.
 * While the server owes CPU it accepts no new connection (they wait in the listen backlog, neither
 * refused nor reset), so a flood of scrapes costs the training job about {@code share} of a core,
 * while an ordinary scrape (a few milliseconds every few seconds) never waits.
 *
 * <p>The debt is bounded so that one expensive answer (a huge exposition, the page's script) delays
 * the next connection by at most {@code burst / share}, however much it cost.
 *
 * @param share fraction of one core the server may use on average; {@code +∞} for no limit
 * @param burst how much CPU it may spend at once after being idle, and the most it can owe
 */
public record CpuBudget(double share, Duration burst) {

    /** A tenth of a core on average, a quarter of a second at once (a scrape of 1 000 series costs ~3 ms). */
    public static final CpuBudget DEFAULT = new CpuBudget(0.10, Duration.ofMillis(250));

    /** Never waits: the server takes whatever CPU its connections need. */
    public static final CpuBudget UNLIMITED = new CpuBudget(Double.POSITIVE_INFINITY, Duration.ofMillis(250));

    public CpuBudget {
        if (!(share > 0)) { // also refuses NaN
            throw new IllegalArgumentException("the HTTP server's CPU share must be above 0 (a fraction of one core, e.g. 0.1), got " + share);
        }
        if (burst == null || burst.isNegative() || burst.isZero() || burst.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("the HTTP server's CPU burst must be above 0 and at most 1 minute, got " + burst);
        }
    }

    /**
     * Parses the setting's text: a fraction of one core ({@code 0.1}, {@code 0.5}, {@code 2} for two
     * cores) or {@code off} for no limit.
     *
     * @throws IllegalArgumentException with a message naming the setting, for anything else
     */
    public static CpuBudget parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equalsIgnoreCase("off") || t.equalsIgnoreCase("unlimited")) {
            return UNLIMITED;
        }
        double share;
        try {
            share = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("http-cpu must be a fraction of one core (e.g. 0.1) or 'off', got '" + t + "'");
        }
        if (!(share > 0) || Double.isInfinite(share)) {
            throw new IllegalArgumentException("http-cpu must be a fraction of one core above 0 (e.g. 0.1) or 'off', got '" + t + "'");
        }
        return new CpuBudget(share, DEFAULT.burst());
    }

    /** True when the server never waits. */
    public boolean unlimited() {
        return Double.isInfinite(share);
    }

    /**
     * The credit after {@code elapsedNanos} of wall time during which the server used
     * {@code spentNanos} of CPU, starting from {@code creditNanos}: clamped to [−burst, burst].
     */
    public long credit(long creditNanos, long elapsedNanos, long spentNanos) {
        double burstNanos = burst.toNanos();
        double next = (double) creditNanos + Math.max(0, elapsedNanos) * share - Math.max(0, spentNanos);
        return (long) Math.max(-burstNanos, Math.min(burstNanos, next));
    }

    /** How long the server must wait before its next connection, owing {@code -creditNanos}: 0 when not in debt. */
    public long waitNanos(long creditNanos) {
        if (creditNanos >= 0 || unlimited()) {
            return 0;
        }
        return (long) Math.ceil(-creditNanos / share);
    }
}
