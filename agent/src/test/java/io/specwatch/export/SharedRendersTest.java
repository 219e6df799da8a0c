package io.specwatch.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Concurrent requests share renders, and none gets a render that started before it arrived. */
class SharedRendersTest {

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final SharedRenders<String> renders = new SharedRenders<>();
    private final AtomicInteger started = new AtomicInteger();
    /** Render n (1, 2, …) blocks until gates[n - 1] opens. */
    private final CountDownLatch[] gates = {new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1)};

    private final Supplier<byte[]> gated = () -> {
        int n = started.incrementAndGet();
        try {
            gates[n - 1].await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return ("render " + n).getBytes(StandardCharsets.UTF_8);
    };

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private Future<String> request(String key) {
        return pool.submit(() -> new String(renders.get(key, gated), StandardCharsets.UTF_8));
    }

    /** Waits until {@code n} renders have started. */
    private void awaitStarted(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (started.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, started.get());
    }

    /** Waits until {@code n} requests wait for a render. */
    private void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (renders.waiting("text") < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, renders.waiting("text"));
    }

    @Test
    void requestsThatArriveDuringARenderShareTheNextOneNotThatOne() throws Exception {
        Future<String> first = request("text");
        awaitStarted(1);
        // arrive while render 1 runs: it began before them, so they must not get its (older) state
        Future<String> second = request("text");
        Future<String> third = request("text");
        awaitWaiting(2);
        assertEquals(1, started.get(), "nobody renders while a render runs");
        gates[0].countDown();
        assertEquals("render 1", first.get(30, TimeUnit.SECONDS));
        awaitStarted(2);
        gates[1].countDown();
        assertEquals("render 2", second.get(30, TimeUnit.SECONDS));
        assertEquals("render 2", third.get(30, TimeUnit.SECONDS));
        assertEquals(2, started.get(), "three requests, two renders");
    }

    @Test
    void aLoneRequestAlwaysGetsAFreshRender() throws Exception {
        for (CountDownLatch g : gates) {
            g.countDown();
        }
        assertEquals("render 1", new String(renders.get("text", gated), StandardCharsets.UTF_8));
        assertEquals("render 2", new String(renders.get("text", gated), StandardCharsets.UTF_8));
        assertArrayEquals("render 3".getBytes(StandardCharsets.UTF_8), renders.get("openmetrics", gated), "each format its own renders");
    }

    @Test
    void withAMaxAgeARenderThatStartedWithinItServesAndAnOlderOneDoesNot() throws Exception {
        for (CountDownLatch g : gates) {
            g.countDown();
        }
        long hour = 3_600_000_000_000L;
        assertEquals("render 1", new String(renders.get("text", hour, gated), StandardCharsets.UTF_8), "nothing to reuse yet");
        assertEquals("render 1", new String(renders.get("text", hour, gated), StandardCharsets.UTF_8), "started within the hour");
        Thread.sleep(20);
        assertEquals("render 2", new String(renders.get("text", 5_000_000L, gated), StandardCharsets.UTF_8), "started over 5 ms ago");
        assertEquals("render 3", new String(renders.get("text", 0, gated), StandardCharsets.UTF_8), "no max age: always a new one");
    }

    @Test
    void aFailedRenderFailsItsRequestAndTheWaitersRenderAgain() throws Exception {
        CountDownLatch failing = new CountDownLatch(1);
        Future<byte[]> broken = pool.submit(() -> renders.get("text", () -> {
            started.incrementAndGet();
            try {
                failing.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("registry broke");
        }));
        awaitStarted(1);
        Future<String> waiting = request("text"); // its render will be number 2 of the counter
        awaitWaiting(1);
        failing.countDown();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> broken.get(30, TimeUnit.SECONDS));
        assertEquals("registry broke", e.getCause().getMessage());
        gates[1].countDown();
        assertEquals("render 2", waiting.get(30, TimeUnit.SECONDS));
    }
}
