package io.specwatch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.monitor.SpectralMonitor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP endpoint under abuse: it answers what it should, refuses what it should, and cannot be silenced. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpHardeningTest {

    private SpectralMonitor monitor;
    private SpecwatchServer server;

    @BeforeAll
    void start() throws Exception {
        monitor = SpectralMonitor.builder().model("hard").every(1).build();
        monitor.offer(0, List.of(new WeightSnapshot.Weight("w", new long[] {40, 20}, new float[800])));
        monitor.awaitIdle(java.time.Duration.ofSeconds(30));
        server = SpecwatchServer.start(monitor, "127.0.0.1", 0);
        // the first scrape loads the exposition classes; the timings below are of a running server
        assertEquals(200, raw("GET", "/metrics", local()).status());
    }

    @AfterAll
    void stop() {
        server.close();
        monitor.close();
    }

    /** One raw HTTP/1.1 exchange: status line and headers (lower-cased names) and body. */
    record Raw(int status, String headers, String body) {
    }

    Raw raw(String method, String path, String host) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int split = all.indexOf("\r\n\r\n");
            String head = all.substring(0, split);
            return new Raw(Integer.parseInt(head.split(" ")[1]), head.toLowerCase(Locale.ROOT), all.substring(split + 4));
        }
    }

    String local() {
        return "127.0.0.1:" + server.port();
    }

    /** What the javaagent's linger waits for: a GET of /metrics, nothing else. */
    @Test
    void scrapesCountGetsOfMetricsOnly() throws Exception {
        // the class's tests run one after another: nothing else scrapes meanwhile
        long before = server.scrapes();
        assertEquals(200, raw("HEAD", "/metrics", local()).status());
        assertEquals(200, raw("GET", "/-/healthy", local()).status());
        assertEquals(405, raw("POST", "/metrics", local()).status());
        assertEquals(before, server.scrapes());
        assertEquals(200, raw("GET", "/metrics", local()).status());
        assertEquals(200, raw("GET", "/metrics", "trainer-host.example:9464").status());
        assertEquals(before + 2, server.scrapes());
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        for (String path : List.of("/metrics", "/-/healthy", "/", "/api/layers")) {
            for (String method : List.of("POST", "DELETE", "TRACE", "PUT", "FOO")) {
                Raw r = raw(method, path, local());
                assertEquals(405, r.status(), method + " " + path);
                assertTrue(r.headers().contains("allow: get, head"), r.headers());
            }
            assertEquals(200, raw("GET", path, local()).status(), path);
            Raw head = raw("HEAD", path, local());
            assertEquals(200, head.status());
            assertEquals("", head.body(), "HEAD has no body");
        }
    }

    @Test
    void everyAnswerSaysNosniffAndA404DoesNotEchoThePath() throws Exception {
        for (String path : List.of("/metrics", "/", "/api/layers", "/nope", "/%3Cscript%3Ealert(1)%3C/script%3E")) {
            Raw r = raw("GET", path, local());
            assertTrue(r.headers().contains("x-content-type-options: nosniff"), path + ": " + r.headers());
        }
        Raw missing = raw("GET", "/%3Cscript%3Ealert(1)%3C/script%3E", local());
        assertEquals(404, missing.status());
        assertFalse(missing.body().contains("script"), missing.body());
        assertTrue(missing.headers().contains("content-type: text/plain"));
    }

    @Test
    void onALoopbackBindThePageAnswersOnlyLoopbackHostNames() throws Exception {
        assertEquals(403, raw("GET", "/api/layers", "evil.example").status(), "DNS rebinding");
        assertEquals(403, raw("GET", "/", "evil.example:" + server.port()).status());
        assertEquals(200, raw("GET", "/api/layers", "localhost:" + server.port()).status());
        assertEquals(200, raw("GET", "/api/layers", "[::1]:" + server.port()).status());
        assertEquals(200, raw("GET", "/metrics", "trainer-host.example:9464").status(), "scrapers name the target");
        assertTrue(SpecwatchHandler.loopbackHost("127.0.0.1"));
        assertFalse(SpecwatchHandler.loopbackHost("127.0.0.1.evil.example"));
        assertFalse(SpecwatchHandler.loopbackHost("localhost.evil.example:80"));
    }

    @Test
    void twoHundredHalfOpenSocketsDoNotSilenceTheScrapes() throws Exception {
        List<Socket> attackers = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        try {
            // a fixed number of polls over at least 30 s, so a slow machine makes the test longer, not different
            long end = System.nanoTime() + 30_000_000_000L;
            while (latencies.size() < 30 || System.nanoTime() < end) {
                // keep 200 sockets open, each with a request that never ends; reopen those the server closed
                attackers.removeIf(s -> isClosedByPeer(s));
                while (attackers.size() < 200) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
                    attackers.add(s);
                }
                long t0 = System.nanoTime();
                Raw r = raw("GET", "/metrics", local());
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(200, r.status());
                latencies.add(ms);
                Thread.sleep(1000);
            }
        } finally {
            for (Socket s : attackers) {
                s.close();
            }
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        System.out.println("half-open test: " + sorted.size() + " polls, latency ms median " + sorted.get(sorted.size() / 2)
                + ", max " + sorted.get(sorted.size() - 1) + "; in order " + latencies);
        assertTrue(sorted.get(sorted.size() - 1) < 1000, "slowest poll; all, in order: " + latencies);
    }

    private static boolean isClosedByPeer(Socket s) {
        try {
            s.setSoTimeout(1);
            InputStream in = s.getInputStream();
            if (in.read() < 0) {
                s.close();
                return true;
            }
            return false;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
            return true;
        }
    }

    @Test
    void twoThousandConcurrentScrapesAreAllAnswered() throws Exception {
        int n = 2000;
        byte[] request = ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        long[] started = new long[n];
        long[] finished = new long[n];
        int[] status = new int[n];
        int resets = 0;
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < n; i++) {
                SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                started[i] = System.nanoTime();
                c.connect(new InetSocketAddress("127.0.0.1", server.port()));
                c.register(selector, SelectionKey.OP_CONNECT, new Object[] {i, ByteBuffer.wrap(request), new java.io.ByteArrayOutputStream()});
            }
            int open = n;
            long deadline = System.nanoTime() + 120_000_000_000L;
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (open > 0 && System.nanoTime() < deadline) {
                selector.select(1000);
                for (SelectionKey key : selector.selectedKeys()) {
                    SocketChannel c = (SocketChannel) key.channel();
                    Object[] state = (Object[]) key.attachment();
                    int i = (int) state[0];
                    try {
                        if (key.isConnectable() && c.finishConnect()) {
                            key.interestOps(SelectionKey.OP_WRITE);
                        } else if (key.isWritable()) {
                            c.write((ByteBuffer) state[1]);
                            if (!((ByteBuffer) state[1]).hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        } else if (key.isReadable()) {
                            buffer.clear();
                            int read = c.read(buffer);
                            if (read < 0) {
                                String text = ((java.io.ByteArrayOutputStream) state[2]).toString(StandardCharsets.US_ASCII);
                                status[i] = text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
                                finished[i] = System.nanoTime();
                                key.cancel();
                                c.close();
                                open--;
                            } else {
                                ((java.io.ByteArrayOutputStream) state[2]).write(buffer.array(), 0, read);
                            }
                        }
                    } catch (IOException e) {
                        resets++;
                        status[i] = -2;
                        key.cancel();
                        c.close();
                        open--;
                    }
                }
                selector.selectedKeys().clear();
            }
            assertEquals(0, open, "connections still open after two minutes");
        }
        long[] ms = new long[n];
        for (int i = 0; i < n; i++) {
            ms[i] = (finished[i] - started[i]) / 1_000_000;
        }
        Arrays.sort(ms);
        System.out.printf("2000 concurrent scrapes: latency ms median %d, p99 %d, max %d; resets %d%n", ms[n / 2], ms[n * 99 / 100], ms[n - 1], resets);
        assertEquals(0, resets, "connections reset");
        for (int i = 0; i < n; i++) {
            assertEquals(200, status[i], "scrape " + i);
        }
    }
}
