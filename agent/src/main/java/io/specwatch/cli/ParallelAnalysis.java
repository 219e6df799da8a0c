package io.specwatch.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Runs analysis jobs on a few threads and hands their results back in submission order (so the
 * output keeps the file's order), with at most {@code budgetBytes} of their estimated memory in
 * flight: a job that needs more than what is free waits for earlier ones, and one that needs more
 * than the whole budget runs alone. With one thread it is a plain loop.
 *
 * @param <R> a job's result
 */
final class ParallelAnalysis<R> implements AutoCloseable {

    /** Budget units: 1 MiB, so that a semaphore's int permits cover any heap. */
    private static final long UNIT = 1 << 20;

    private final ExecutorService pool;
    private final Semaphore memory;
    private final int capacity;
    private final Deque<Pending<R>> pending = new ArrayDeque<>();
    private final Consumer<R> sink;

    private record Pending<R>(Future<R> result, int permits) {
    }

    /**
     * @param jobs        threads (≥ 1)
     * @param budgetBytes memory the running jobs may need together
     * @param sink        receives every result, in submission order, on the submitting thread
     */
    ParallelAnalysis(int jobs, long budgetBytes, Consumer<R> sink) {
        this.pool = Executors.newFixedThreadPool(jobs, r -> {
            Thread t = new Thread(r, "specwatch-analyze");
            t.setDaemon(true);
            return t;
        });
        this.capacity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / UNIT));
        this.memory = new Semaphore(capacity);
        this.sink = sink;
    }

    /** Submits a job that needs about {@code bytes}; delivers the results that are done, in order. */
    void submit(long bytes, Callable<R> job) throws InterruptedException {
        int permits = (int) Math.max(1, Math.min(capacity, (bytes + UNIT - 1) / UNIT));
        while (!memory.tryAcquire(permits)) {
            if (pending.isEmpty()) {
                memory.acquire(permits);
                break;
            }
            deliver(pending.removeFirst()); // wait for the oldest job: it frees memory and keeps the order
        }
        pending.addLast(new Pending<>(pool.submit(job), permits));
        while (!pending.isEmpty() && pending.peekFirst().result().isDone()) {
            deliver(pending.removeFirst());
        }
    }

    /** Waits for every job and delivers the rest of the results. */
    void finish() throws InterruptedException {
        while (!pending.isEmpty()) {
            deliver(pending.removeFirst());
        }
    }

    private void deliver(Pending<R> p) throws InterruptedException {
        try {
            sink.accept(p.result().get());
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        } finally {
            memory.release(p.permits());
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
