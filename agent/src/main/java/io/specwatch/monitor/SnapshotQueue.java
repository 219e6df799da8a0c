package io.specwatch.monitor;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.specwatch.analysis.WeightSnapshot;

/**
 * Snapshots waiting for the analysis, bounded by the bytes they hold: a snapshot is admitted only
 * when its estimated size fits the budget beside those already waiting (otherwise the caller drops
 * it), and its bytes are released once it has been analysed. Thread-safe; never blocks the caller
 * of {@link #tryReserve}.
 */
final class SnapshotQueue {

    private final long budgetBytes;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final LinkedBlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final Object idleLock = new Object();
    private int busy;

    /** A queued snapshot with the bytes reserved for it. */
    record Entry(WeightSnapshot snapshot, long bytes) {
    }

    SnapshotQueue(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("the memory budget must be > 0, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** Reserves {@code bytes} if they fit the budget; false (nothing reserved) otherwise. */
    boolean tryReserve(long bytes) {
        return tryReserve(bytes, 0);
    }

    /**
     * Reserves {@code bytes} if they fit the budget beside what is queued and {@code besides}
     * (memory the analysis holds outside the queue: its state between snapshots and the working
     * memory of the largest matrix); false (nothing reserved) otherwise.
     */
    boolean tryReserve(long bytes, long besides) {
        if (bytes < 0 || besides < 0) {
            throw new IllegalArgumentException("bytes must be >= 0");
        }
        while (true) {
            long pending = pendingBytes.get();
            if (besides > budgetBytes || bytes > budgetBytes - besides - pending) {
                return false;
            }
            if (pendingBytes.compareAndSet(pending, pending + bytes)) {
                return true;
            }
        }
    }

    /** Gives back a reservation that was not used. */
    void cancel(long reserved) {
        pendingBytes.addAndGet(-reserved);
    }

    /** Queues a snapshot for which {@code reserved} bytes were reserved; the reservation becomes its real size. */
    void put(WeightSnapshot snapshot, long reserved) {
        long bytes = snapshot.bytes();
        pendingBytes.addAndGet(bytes - reserved);
        synchronized (idleLock) {
            busy++;
        }
        queue.add(new Entry(snapshot, bytes));
    }

    /** The next snapshot, or null after {@code timeout}. */
    Entry poll(Duration timeout) throws InterruptedException {
        return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Releases an analysed (or failed) snapshot's bytes. */
    void done(Entry entry) {
        pendingBytes.addAndGet(-entry.bytes());
        synchronized (idleLock) {
            busy--;
            idleLock.notifyAll();
        }
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Bytes held by queued snapshots (and reservations being filled). */
    long pendingBytes() {
        return pendingBytes.get();
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** Waits until every queued snapshot is done; false on timeout. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idleLock) {
            while (busy > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idleLock, left);
            }
        }
        return true;
    }
}
