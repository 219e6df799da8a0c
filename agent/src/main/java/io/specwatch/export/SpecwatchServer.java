package io.specwatch.export;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.specwatch.catalogue.MetricCatalogue;
import io.specwatch.monitor.SpectralMonitor;

/**
 * One HTTP server for a monitor: {@code /metrics} (Prometheus text or OpenMetrics, by the
 * scraper's Accept header, gzip when asked), {@code /-/healthy}, and the live page at {@code /}
 * with its JSON under {@code /api/}. Binds to loopback by default; port 0 picks a free port,
 * which {@link #port()} returns.
 *
 * <p>It must stay responsive next to a training job and under abuse: non-blocking I/O (a slow or
 * half-open connection holds a socket, not a thread), idle timeouts, a small bounded worker pool
 * whose queue rejects rather than blocks, a bounded number of connections with a deep listen
 * backlog, bounded request headers; GET and HEAD only; see {@link SpecwatchHandler}. Its threads
 * spend at most a {@link CpuBudget} of the machine (a tenth of a core by default): a flood of requests
 * waits in the listen backlog rather than taking the training's cores.
 */
public final class SpecwatchServer implements AutoCloseable {

    /** Default bind address: only this machine can connect. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Default port (the OpenTelemetry/Prometheus exporter convention). */
    public static final int DEFAULT_PORT = 9464;

    /** A connection idle this long (no bytes either way, a request never finished) is closed. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    private static final int WORKER_THREADS = 8;
    private static final int QUEUED_REQUESTS = 4096;
    private static final int MAX_CONNECTIONS = 1024;
    private static final int LISTEN_BACKLOG = 4096;
    private static final int MAX_REQUEST_HEADER_BYTES = 8 * 1024;

    /** The server's own metrics and their Prometheus types (docs/metrics.md lists them). */
    public static final java.util.Map<String, String> METRICS = java.util.Map.of("specwatch_http_paced_seconds_total", "counter");

    private static final Logger LOG = LoggerFactory.getLogger(SpecwatchServer.class);

    private final PrometheusMeterRegistry registry;
    private final Server server;
    private final ServerConnector connector;
    private final SpecwatchHandler handler;

    private SpecwatchServer(PrometheusMeterRegistry registry, Server server, ServerConnector connector, SpecwatchHandler handler) {
        this.registry = registry;
        this.server = server;
        this.connector = connector;
        this.handler = handler;
    }

    /**
     * Starts serving the monitor's metrics and live page.
     *
     * @throws IOException when the address cannot be bound; the message names the address and what to do
     */
    public static SpecwatchServer start(SpectralMonitor monitor, String host, int port) throws IOException {
        return start(monitor, host, port, CpuBudget.DEFAULT);
    }

    /**
     * Starts serving the monitor's metrics and live page, spending at most {@code cpu} of the
     * machine's CPU on average: beyond it, new connections wait in the listen backlog.
     *
     * @throws IOException when the address cannot be bound; the message names the address and what to do
     */
    public static SpecwatchServer start(SpectralMonitor monitor, String host, int port, CpuBudget cpu) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, got " + port);
        }
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new MonitorMeterBinder(monitor).bindTo(registry);
        SeriesStore series = new SeriesStore(1000);
        monitor.addSink(series);

        CpuPacing pacing = new CpuPacing(cpu);
        FunctionCounter.builder("specwatch.http.paced", pacing, CpuPacing::pacedSeconds).baseUnit("seconds")
                .description("Time the HTTP server held new connections back because it had spent its CPU budget")
                .tags(MetricCatalogue.RANK_LABEL, Integer.toString(monitor.settings().rank().rank())).register(registry);
        QueuedThreadPool pool = new BoundedPool(WORKER_THREADS, QUEUED_REQUESTS, pacing);
        pool.setName("specwatch-http");
        pool.setDaemon(true);
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendDateHeader(false);
        ServerConnector connector = new PacedConnector(server, pacing, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT.toMillis());
        connector.setAcceptQueueSize(LISTEN_BACKLOG);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        SpecwatchHandler handler = new SpecwatchHandler(registry, new LivePage(monitor, series), SpecwatchHandler.isLoopback(host), pacing);
        server.setHandler(handler);
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            registry.close();
            throw bindFailure(host, port, e);
        }
        LOG.info("specwatch: metrics on http://{}:{}/metrics, live page on http://{}:{}/", host, connector.getLocalPort(),
                host, connector.getLocalPort());
        return new SpecwatchServer(registry, server, connector, handler);
    }

    private static IOException bindFailure(String host, int port, Exception e) {
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof BindException)) {
            cause = cause.getCause();
        }
        if (cause instanceof BindException || String.valueOf(cause.getMessage()).contains("in use")) {
            return new IOException("cannot serve metrics on " + host + ":" + port + ": the port is in use (another "
                    + "specwatch or exporter?); choose another port, or port 0 for any free one", e);
        }
        return new IOException("cannot serve metrics on " + host + ":" + port + ": " + cause.getMessage(), e);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** How many times {@code /metrics} was served (GET), e.g. to wait for a last scrape. */
    public long scrapes() {
        return handler.scrapes();
    }

    /** The Micrometer registry behind {@code /metrics}, for adding the application's own meters. */
    public PrometheusMeterRegistry meterRegistry() {
        return registry;
    }

    @Override
    public void close() {
        stopQuietly(server);
        registry.close();
    }

    /**
     * A small pool whose queue refuses work beyond {@code maxQueued} jobs (Jetty then closes that
     * connection); its threads' CPU time is the server's, paced by {@link CpuPacing}.
     */
    private static final class BoundedPool extends QueuedThreadPool {
        private final int maxQueued;
        private final CpuPacing pacing;

        BoundedPool(int threads, int maxQueued, CpuPacing pacing) {
            super(threads, 2, 60_000);
            this.maxQueued = maxQueued;
            this.pacing = pacing;
        }

        @Override
        public Thread newThread(Runnable runnable) {
            Thread t = super.newThread(runnable);
            pacing.register(t);
            return t;
        }

        @Override
        public void execute(Runnable job) {
            if (getQueueSize() >= maxQueued) {
                throw new RejectedExecutionException("specwatch-http: " + maxQueued + " requests already queued");
            }
            super.execute(job);
        }
    }

    /** One acceptor, one selector; the acceptor waits for the CPU budget before each new connection. */
    private static final class PacedConnector extends ServerConnector {
        private final CpuPacing pacing;

        PacedConnector(Server server, CpuPacing pacing, HttpConnectionFactory http) {
            super(server, 1, 1, http);
            this.pacing = pacing;
        }

        @Override
        public void accept(int acceptorId) throws IOException {
            try {
                pacing.awaitTurn();
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return; // the connector is stopping: its acceptor loop ends
            }
            super.accept(acceptorId);
        }
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.debug("stopping the HTTP server", e);
        }
    }
}
