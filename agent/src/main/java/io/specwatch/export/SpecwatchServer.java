package io.specwatch.export;

import java.io.IOException;
import java.net.InetAddress;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.specwatch.monitor.SpectralMonitor;

/**
 * One HTTP server for a monitor: {@code /metrics} (Prometheus text or OpenMetrics, by the
 * scraper's Accept header), {@code /-/healthy}, and the live page at {@code /} with its JSON under
 * {@code /api/}. Binds to loopback by default; port 0 picks a free port, which {@link #port()}
 * returns and the log names.
 */
public final class SpecwatchServer implements AutoCloseable {

    /** Default bind address: only this machine can connect. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port (the OpenTelemetry/Prometheus exporter convention). */
    public static final int DEFAULT_PORT = 9464;

    private static final Logger LOG = LoggerFactory.getLogger(SpecwatchServer.class);

    private final PrometheusMeterRegistry registry;
    private final HTTPServer server;

    private SpecwatchServer(PrometheusMeterRegistry registry, HTTPServer server) {
        this.registry = registry;
        this.server = server;
    }

    /**
     * Starts serving the monitor's metrics and live page.
     *
     * @throws IOException when the address cannot be bound (with the address in the message)
     */
    public static SpecwatchServer start(SpectralMonitor monitor, String host, int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new MonitorMeterBinder(monitor).bindTo(registry);
        SeriesStore series = new SeriesStore(1000);
        monitor.addSink(series);
        HTTPServer server;
        try {
            server = HTTPServer.builder()
                    .inetAddress(InetAddress.getByName(host))
                    .port(port)
                    .registry(registry.getPrometheusRegistry())
                    .defaultHandler(new LivePage(monitor, series))
                    .buildAndStart();
        } catch (IOException e) {
            throw new IOException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        LOG.info("specwatch: metrics on http://{}:{}/metrics, live page on http://{}:{}/", host, server.getPort(), host, server.getPort());
        return new SpecwatchServer(registry, server);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return server.getPort();
    }

    /** The Micrometer registry behind {@code /metrics}, for adding the application's own meters. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    @Override
    public void close() {
        server.close();
        registry.close();
    }
}
