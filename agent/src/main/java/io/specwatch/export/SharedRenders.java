package io.specwatch.export;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Renders one answer for all the requests that wait for it: a request gets the result of a render
 * that <em>started after it arrived</em> (never an older state), and the requests that arrive while
 * a render runs share the next one. Under a flood of scrapes the server then renders back to back
 * on one thread, whatever the number of scrapers, instead of once per scrape on every worker
 * (docs/benchmarks.md, scrape load); a lone scraper sees no difference. While the server is over
 * its CPU budget a caller may also accept a render that started shortly before it arrived
 * ({@link #get(Object, long, Supplier)}), so that a flood costs one render a second, not one a scrape.
 *
 * @param <K> what distinguishes answers (format, compression)
 */
final class SharedRenders<K> {

    private final Map<K, Slot> slots = new ConcurrentHashMap<>();

    /**
     * The bytes of a render of {@code key} that started after this call did: this thread's own,
     * or another request's. A render that throws fails only the request that ran it.
     */
    byte[] get(K key, Supplier<byte[]> render) throws InterruptedException {
        return get(key, 0, render);
    }

    /**
     * Like {@link #get(Object, Supplier)}, but content with the latest render when it started at most
     * {@code maxAgeNanos} before this call (a flood's scrapes need not each see a newer state).
     */
    byte[] get(K key, long maxAgeNanos, Supplier<byte[]> render) throws InterruptedException {
        return slots.computeIfAbsent(key, k -> new Slot()).get(render, maxAgeNanos);
    }

    /** Requests of {@code key} waiting for a render now (for tests). */
    int waiting(K key) {
        Slot slot = slots.get(key);
        return slot == null ? 0 : slot.waiting.get();
    }

    private static final class Slot {
        private final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition done = lock.newCondition();
        /** Renders finished, and the latest one's bytes. */
        private long finished;
        private byte[] latest;
        private long latestStartedAt;
        /** Whether a render runs now (it will finish as number {@code finished + 1}). */
        private boolean running;

        byte[] get(Supplier<byte[]> render, long maxAgeNanos) throws InterruptedException {
            long arrived = System.nanoTime();
            lock.lockInterruptibly();
            try {
                if (maxAgeNanos > 0 && latest != null && arrived - latestStartedAt <= maxAgeNanos) {
                    return latest;
                }
                // a render running now started before this request: only the one after it will do
                long needed = finished + (running ? 2 : 1);
                while (finished < needed) {
                    if (!running) {
                        return renderHere(render);
                    }
                    waiting.incrementAndGet();
                    try {
                        done.await();
                    } finally {
                        waiting.decrementAndGet();
                    }
                }
                return latest;
            } finally {
                lock.unlock();
            }
        }

        /** Called holding the lock; renders without it, so that arrivals queue for the next render. */
        private byte[] renderHere(Supplier<byte[]> render) {
            running = true;
            long started = System.nanoTime();
            byte[] bytes = null;
            lock.unlock();
            try {
                bytes = render.get();
                return bytes;
            } finally {
                lock.lock();
                running = false;
                if (bytes != null) {
                    finished++;
                    latest = bytes;
                    latestStartedAt = started;
                }
                done.signalAll();
            }
        }
    }
}
