package io.specwatch.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/** Threads that multiply small matrices in plain Java until closed: a stand-in for a busy training job. */
final class BackgroundLoad implements AutoCloseable {

    private final LongAdder work = new LongAdder();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    private BackgroundLoad() {
    }

    static BackgroundLoad start(int count) {
        BackgroundLoad load = new BackgroundLoad();
        for (int t = 0; t < count; t++) {
            Thread thread = new Thread(load::multiply, "bench-load-" + t);
            thread.setDaemon(true);
            thread.start();
            load.threads.add(thread);
        }
        return load;
    }

    /** Multiplications finished so far. */
    long work() {
        return work.sum();
    }

    /** Throughput (multiplications per second) over {@code millis} of waiting. */
    double rate(long millis) {
        long before = work.sum();
        long t0 = System.nanoTime();
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (work.sum() - before) / ((System.nanoTime() - t0) / 1e9);
    }

    private void multiply() {
        int n = 128;
        float[] a = new float[n * n];
        float[] b = new float[n * n];
        float[] c = new float[n * n];
        Arrays.fill(a, 1.0001f);
        Arrays.fill(b, 0.9999f);
        while (!stop.get()) {
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    float aik = a[i * n + k];
                    for (int j = 0; j < n; j++) {
                        c[i * n + j] += aik * b[k * n + j];
                    }
                }
            }
            work.increment();
        }
    }

    @Override
    public void close() {
        stop.set(true);
        threads.forEach(Thread::interrupt);
    }
}
