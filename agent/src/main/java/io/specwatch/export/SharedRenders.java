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
 * (docs/benchmarks.md, scrape load); a lone scraper sees no difference.
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
        return slots.computeIfAbsent(key, k -> new Slot()).get(render);
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
        /** Whether a render runs now (it will finish as number {@code finished + 1}). */
        private boolean running;

        byte[] get(Supplier<byte[]> render) throws InterruptedException {
            lock.lockInterruptibly();
            try {
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
                }
                done.signalAll();
            }
        }
    }
}
