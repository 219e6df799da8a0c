package io.specwatch.javaagent;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.specwatch.export.SpecwatchServer;
import io.specwatch.export.TensorBoardSink;
import io.specwatch.history.HistoryWriter;
import io.specwatch.monitor.SpectralMonitor;

/**
 * The monitor as the agent runs it for the whole JVM: the monitor, its history and TensorBoard
 * sinks, the HTTP server, and the shutdown hook that closes them. Each output that cannot start
 * (a taken port, an unwritable history) costs one line and only itself.
 */
final class AgentRun {

    private final SpectralMonitor monitor;
    private final SpecwatchServer server;
    private final Duration flushTimeout;
    private final int lingerSeconds;
    private final List<String> outputs;

    private AgentRun(SpectralMonitor monitor, SpecwatchServer server, Duration flushTimeout, int lingerSeconds, List<String> outputs) {
        this.monitor = monitor;
        this.server = server;
        this.flushTimeout = flushTimeout;
        this.lingerSeconds = lingerSeconds;
        this.outputs = outputs;
    }

    /**
     * Builds the monitor and starts its outputs and the shutdown hook.
     *
     * @throws AgentConfig.Invalid when the monitor refuses its settings (an engine or device that does not exist)
     */
    static AgentRun start(AgentConfig config) throws AgentConfig.Invalid {
        SpectralMonitor monitor;
        try {
            monitor = config.monitor().build();
        } catch (IllegalArgumentException e) {
            throw new AgentConfig.Invalid("cannot start the monitor: " + e.getMessage());
        }
        List<String> outputs = new ArrayList<>();
        Path history = config.history();
        if (history != null) {
            try {
                monitor.addSink(new HistoryWriter(history, 200, monitor.settings()));
                outputs.add("history " + history);
            } catch (IOException e) {
                AgentLog.say(e.getMessage() + "; the agent goes on without the history");
            }
        }
        Path tensorboard = config.tensorboard();
        if (tensorboard != null) {
            try {
                monitor.addSink(new TensorBoardSink(tensorboard));
                outputs.add("TensorBoard events in " + tensorboard);
            } catch (IOException e) {
                AgentLog.say(e.getMessage() + "; the agent goes on without TensorBoard");
            }
        }
        SpecwatchServer server = null;
        if (config.port() >= 0) {
            try {
                server = SpecwatchServer.start(monitor, config.host(), config.port(), config.httpCpu());
                outputs.add(0, "metrics on http://" + config.host() + ":" + server.port() + "/metrics");
            } catch (IOException | RuntimeException e) {
                AgentLog.say(e.getMessage() + "; the agent goes on without /metrics and the live page");
            }
        }
        AgentRun run = new AgentRun(monitor, server, Duration.ofSeconds(config.flushTimeoutSeconds()), config.lingerSeconds(), outputs);
        Thread hook = new Thread(run::shutdown, "specwatch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return run;
    }

    SpectralMonitor monitor() {
        return monitor;
    }

    /** The outputs that started, for the agent's first line. */
    String outputs() {
        return outputs.isEmpty() ? "no outputs" : String.join(", ", outputs);
    }

    /** Waits (at most the flush timeout) until what is queued is analysed and written. */
    void flush() {
        try {
            if (!monitor.awaitIdle(flushTimeout)) {
                AgentLog.once("flush", "snapshots still queued " + flushTimeout.toSeconds()
                        + " s after the trainer closed (flush-timeout); they are analysed in the background");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * At JVM exit: analyse what is queued and close the sinks; then, with {@code linger}, keep
     * serving until {@code /metrics} has been scraped once more (the final values) or the linger is over.
     */
    private void shutdown() {
        monitor.close();
        if (server == null) {
            return;
        }
        if (lingerSeconds > 0) {
            AgentLog.say("the job is done; serving /metrics until the next scrape, at most " + lingerSeconds + " s");
            long before = server.scrapes();
            long end = System.nanoTime() + lingerSeconds * 1_000_000_000L;
            try {
                while (server.scrapes() == before && System.nanoTime() < end) {
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        server.close();
    }
}
