package io.specwatch.export;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Holds the HTTP server to its {@link CpuBudget}: measures the CPU time of the server's own threads
 * (they register as they start) and makes the acceptor wait while the server owes CPU. Waiting is
 * counted ({@code specwatch_http_paced_seconds_total}).
 *
 * <p>Where the JVM cannot measure a thread's CPU time, nothing is paced.
 */
final class CpuPacing {

    /** Samples closer together than this reuse the last one: measuring costs a system call per thread. */
    private static final long MIN_SAMPLE_NANOS = 1_000_000;
    /** The acceptor looks again at least this often, so that stopping the server never waits on it. */
    private static final long MAX_SLEEP_NANOS = 50_000_000;

    private final CpuBudget budget;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean measurable;
    /** thread → its CPU time at the last sample. */
    private final Map<Thread, Long> lastCpu = new ConcurrentHashMap<>();
    private final AtomicLong pacedNanos = new AtomicLong();
    private long sampledAt = System.nanoTime(); // guarded by this
    private volatile long credit;

    CpuPacing(CpuBudget budget) {
        this.budget = budget;
        this.credit = budget.burst().toNanos();
        boolean ok;
        try {
            ok = !budget.unlimited() && threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        } catch (UnsupportedOperationException e) {
            ok = false;
        }
        this.measurable = ok;
    }

    /** Counts this thread's CPU time from now on as the server's. */
    void register(Thread thread) {
        if (measurable) {
            lastCpu.put(thread, 0L);
        }
    }

    /** True while the server owes CPU: answers then close their connections, so keep-alive clients queue at the acceptor too. */
    boolean overBudget() {
        if (measurable) {
            sample(); // keep-alive connections never reach the acceptor: the handlers look too
        }
        return credit < 0;
    }

    /** Seconds the acceptor has waited for the budget so far. */
    double pacedSeconds() {
        return pacedNanos.get() / 1e9;
    }

    /**
     * Returns when the server may accept another connection: at once unless it owes CPU.
     *
     * @throws InterruptedException when the server stops meanwhile
     */
    void awaitTurn() throws InterruptedException {
        if (!measurable) {
            return;
        }
        while (true) {
            sample();
            long wait = budget.waitNanos(credit);
            if (wait == 0) {
                return;
            }
            long sleep = Math.min(wait, MAX_SLEEP_NANOS);
            long start = System.nanoTime();
            Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            pacedNanos.addAndGet(System.nanoTime() - start);
        }
    }

    private synchronized void sample() {
        long now = System.nanoTime();
        if (now - sampledAt < MIN_SAMPLE_NANOS) {
            return;
        }
        long spent = 0;
        for (Map.Entry<Thread, Long> e : lastCpu.entrySet()) {
            Thread t = e.getKey();
            Thread.State state = t.getState();
            if (state == Thread.State.NEW) {
                continue; // registered by the pool just before it starts
            }
            long cpu = state == Thread.State.TERMINATED ? -1 : threads.getThreadCpuTime(t.getId());
            if (cpu < 0) {
                lastCpu.remove(t); // the pool retired it: what it spent since the last sample is lost, a few ms at most
                continue;
            }
            spent += Math.max(0, cpu - e.getValue());
            e.setValue(cpu);
        }
        credit = budget.credit(credit, now - sampledAt, spent);
        sampledAt = now;
    }
}
