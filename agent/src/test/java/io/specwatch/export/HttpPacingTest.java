package io.specwatch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.monitor.SpectralMonitor;
import org.junit.jupiter.api.Test;

/**
 * A flood of requests gets the server's CPU budget and no more, and every request is still answered:
 * new connections wait for the budget, keep-alive ones are closed after their answer while over it.
 */
class HttpPacingTest {

    private static final double SHARE = 0.05;
    private static final Duration BURST = Duration.ofMillis(50);
    private static final int CLIENTS = 8;

    @Test
    void aFloodGetsTheCpuBudgetAndEveryRequestIsAnswered() throws Exception {
        try (SpectralMonitor monitor = SpectralMonitor.builder().model("paced").every(1).build()) {
            monitor.offer(0, List.of(new WeightSnapshot.Weight("w", new long[] {40, 20}, new float[800])));
            monitor.awaitIdle(Duration.ofSeconds(30));
            try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0, new CpuBudget(SHARE, BURST))) {
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger answered = new AtomicInteger();
                AtomicInteger closedByServer = new AtomicInteger();
                ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
                List<Thread> clients = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    boolean keepAlive = i % 2 == 0;
                    Thread t = new Thread(() -> flood(server.port(), keepAlive, stop, answered, closedByServer, failures), "flood-" + i);
                    t.setDaemon(true);
                    t.start();
                    clients.add(t);
                }
                Thread.sleep(1500); // the server warms up (its first requests run interpreted)
                long cpu0 = serverCpuNanos();
                long t0 = System.nanoTime();
                Thread.sleep(3000);
                long cpu = serverCpuNanos() - cpu0;
                double wall = (System.nanoTime() - t0) / 1e9;
                stop.set(true);
                for (Thread t : clients) {
                    t.join(30_000);
                }
                System.out.printf(Locale.ROOT, "paced flood: %d answered, %d keep-alive closed, server CPU %.0f ms in %.2f s%n",
                        answered.get(), closedByServer.get(), cpu / 1e6, wall);
                assertTrue(failures.isEmpty(), "failed requests: " + failures);
                assertTrue(answered.get() > CLIENTS, "answered " + answered.get());
                assertTrue(closedByServer.get() > 0, "keep-alive connections were closed by the server while it was over its budget");
                // the budget over the window, at most two bursts (credit at its start, a last debt forgiven) and slack
                double bound = SHARE * wall + 2 * BURST.toNanos() / 1e9 + 0.2;
                assertTrue(cpu / 1e9 <= bound, "the server's threads used " + cpu / 1e6 + " ms of CPU in " + wall + " s, budget " + bound + " s");
                double paced = pacedSeconds(server.port());
                assertTrue(paced > 1.0, "specwatch_http_paced_seconds_total " + paced);
            }
        }
    }

    /** CPU time of the server's threads, measured here (not by the code under test). */
    private static long serverCpuNanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("specwatch-http")) {
                long c = mx.getThreadCpuTime(t.getId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    private static double pacedSeconds(int port) throws IOException {
        Response r;
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            r = exchange(s, true);
        }
        assertEquals(200, r.status());
        Matcher m = Pattern.compile("(?m)^specwatch_http_paced_seconds_total\\{rank=\"0\"} (\\S+)$").matcher(r.body());
        assertTrue(m.find(), "no specwatch_http_paced_seconds_total in /metrics");
        return Double.parseDouble(m.group(1));
    }

    private static void flood(int port, boolean keepAlive, AtomicBoolean stop, AtomicInteger answered, AtomicInteger closedByServer,
            ConcurrentLinkedQueue<String> failures) {
        while (!stop.get()) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(30_000);
                while (!stop.get()) {
                    Response r = exchange(s, !keepAlive);
                    if (r.status() != 200) {
                        failures.add("status " + r.status());
                        return;
                    }
                    answered.incrementAndGet();
                    if (!keepAlive) {
                        break;
                    }
                    if (r.closes()) {
                        closedByServer.incrementAndGet();
                        break;
                    }
                }
            } catch (IOException e) {
                failures.add(e.toString());
                return;
            }
        }
    }

    record Response(int status, boolean closes, String body) {
    }

    /** One GET /metrics on the socket, read to the end of its body (Content-Length). */
    private static Response exchange(Socket s, boolean close) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed before the answer's headers");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String headers = head.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        Matcher length = Pattern.compile("content-length: *(\\d+)").matcher(headers);
        if (!length.find()) {
            throw new IOException("no content-length: " + headers);
        }
        byte[] body = in.readNBytes(Integer.parseInt(length.group(1)));
        return new Response(Integer.parseInt(headers.split(" ")[1]), headers.contains("connection: close"),
                new String(body, StandardCharsets.UTF_8));
    }
}
