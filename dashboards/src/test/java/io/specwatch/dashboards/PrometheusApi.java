package io.specwatch.dashboards;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The HTTP API of a real Prometheus (or Alertmanager, Pushgateway) the tests started: queries and bounded waits. */
final class PrometheusApi {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final int port;
    /** Logs to show when a wait times out. */
    private final List<Path> logs;
    /** Start of the range queries (seconds since the epoch). */
    long startSeconds = System.currentTimeMillis() / 1000 - 1;

    PrometheusApi(int port, Path... logs) {
        this.port = port;
        this.logs = List.of(logs);
    }

    int port() {
        return port;
    }

    JsonNode instant(String expr) throws Exception {
        return get("/api/v1/query", Map.of("query", expr)).path("data").path("result");
    }

    JsonNode range(String expr) throws Exception {
        long now = System.currentTimeMillis() / 1000;
        return get("/api/v1/query_range", Map.of("query", expr, "start", String.valueOf(startSeconds),
                "end", String.valueOf(now), "step", "1")).path("data").path("result");
    }

    static boolean hasValues(JsonNode result) {
        for (JsonNode series : result) {
            if (series.path("values").size() > 0) {
                return true;
            }
        }
        return false;
    }

    /** The values of {@code label} among the series {@code match} finds, sorted. */
    List<String> labelValues(String label, String match) throws Exception {
        JsonNode data = get("/api/v1/label/" + label + "/values", Map.of("match[]", match)).path("data");
        List<String> out = new ArrayList<>();
        data.forEach(v -> out.add(v.asText()));
        return new ArrayList<>(new TreeSet<>(out));
    }

    /** The alerts of {@code alert} in {@code state} (firing, pending). */
    List<JsonNode> alerts(String alert, String state) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : get("/api/v1/alerts", Map.of()).path("data").path("alerts")) {
            if (a.path("labels").path("alertname").asText().equals(alert) && a.path("state").asText().equals(state)) {
                out.add(a);
            }
        }
        return out;
    }

    /** A GET of the Prometheus API; fails unless it answers 200 with status success. */
    JsonNode get(String path, Map<String, String> params) throws IOException, InterruptedException {
        String query = params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        URI uri = URI.create("http://127.0.0.1:" + port + path + (query.isEmpty() ? "" : "?" + query));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError("Prometheus answered " + response.statusCode() + " to " + uri + ": " + response.body());
        }
        return body;
    }

    /** The body of a plain GET (e.g. a Pushgateway's /metrics). */
    String text(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + port + path);
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(uri + " answered " + response.statusCode());
        }
        return response.body();
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** Waits (polling every 500 ms) until {@code check} holds; fails with the logs after {@code timeout}. */
    void awaitTrue(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (IOException | AssertionError e) {
                last = e instanceof IOException io ? io : new IOException(e); // still starting
            }
            Thread.sleep(500);
        }
        StringBuilder log = new StringBuilder();
        for (Path p : logs) {
            if (Files.exists(p)) {
                String text = Files.readString(p);
                log.append("\n").append(p.getFileName()).append(":\n").append(text, Math.max(0, text.length() - 4000), text.length());
            }
        }
        throw new AssertionError("timed out waiting for " + what + (last != null ? " (last error: " + last.getMessage() + ")" : "") + log);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The first of {@code n} consecutive free ports (what a launcher's base port plus the local rank needs). */
    static int freePorts(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = freePort();
            if (base + n > 65535) {
                continue;
            }
            boolean free = true;
            for (int i = 1; i < n && free; i++) {
                try (ServerSocket s = new ServerSocket(base + i)) {
                    free = s.getLocalPort() == base + i;
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }
}
