package io.specwatch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import io.prometheus.metrics.exporter.pushgateway.Scheme;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.monitor.SpectralMonitor;
import org.junit.jupiter.api.Test;

/**
 * The Pushgateway sink's addresses, and what it does when no gateway answers (the real
 * Pushgateway is in the dashboards module's PushgatewayTest).
 */
class PushgatewaySinkTest {

    @Test
    void addressesAsHostPortOrUrl() {
        assertEquals(new PushgatewaySink.Target(Scheme.HTTP, "gw:9091"), PushgatewaySink.Target.parse("gw:9091"));
        assertEquals(new PushgatewaySink.Target(Scheme.HTTP, "gw:9091"), PushgatewaySink.Target.parse("gw"));
        assertEquals(new PushgatewaySink.Target(Scheme.HTTP, "10.0.0.5:80"), PushgatewaySink.Target.parse("http://10.0.0.5:80/"));
        assertEquals(new PushgatewaySink.Target(Scheme.HTTPS, "gw.example.org:443/push"), PushgatewaySink.Target.parse("HTTPS://gw.example.org:443/push"));
        for (String bad : new String[] {"", "ftp://gw:21", "http://", "gw:9091?x=1", "http://user@gw:9091"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PushgatewaySink.Target.parse(bad), bad);
            assertTrue(e.getMessage().contains("Pushgateway") || e.getMessage().contains("http"), e.getMessage());
        }
    }

    @Test
    void aGatewayThatDoesNotAnswerCostsAnErrorCountNeverTheTraining() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free once closed: nothing listens there
        }
        SpectralMonitor monitor = SpectralMonitor.builder().every(1).build();
        PushgatewaySink sink = PushgatewaySink.start(monitor, "127.0.0.1:" + closed, "job", Duration.ofSeconds(1));
        assertEquals("http://127.0.0.1:" + closed + "/metrics/job/job/rank/0", sink.destination());
        for (int step = 0; step < 3; step++) {
            monitor.offer(step, List.of(new WeightSnapshot.Weight("w", new long[] {20, 10}, new float[200])));
        }
        assertTrue(monitor.awaitIdle(Duration.ofSeconds(30)));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (sink.failures() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(sink.failures() >= 1, "the periodic push failed and was counted");
        assertEquals(0, monitor.health().errors(), "a periodic push is not a monitor failure");
        assertEquals(3, monitor.health().snapshots(), "the snapshots went on");
        monitor.close();
        assertEquals(1, monitor.health().errors(), "the final push, made when the monitor closes, failed and was counted");
        assertEquals(0, sink.pushes());
        assertThrows(IllegalArgumentException.class, () -> PushgatewaySink.start(monitor, "gw", " ", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> PushgatewaySink.start(monitor, "gw", "job", Duration.ofMillis(10)));
    }
}
