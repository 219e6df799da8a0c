package io.specwatch.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;

/**
 * The routes of {@link SpecwatchServer}: {@code /metrics}, {@code /-/healthy} and the live page.
 * Only GET and HEAD are answered (405 otherwise); every answer says {@code nosniff} and is never
 * cached; an unknown path gets a fixed 404 that does not echo it. When the server listens on a
 * loopback address, the page and its JSON answer only requests whose {@code Host} is a loopback
 * name, so that a web page in the user's browser cannot read them through DNS rebinding;
 * {@code /metrics} and {@code /-/healthy} answer any Host (scrapers use the target's name).
 */
final class SpecwatchHandler extends Handler.Abstract {

    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final int GZIP_ABOVE_BYTES = 1024;
    /** How old a render a scrape may get while the server is over its CPU budget. */
    private static final long FLOOD_RENDER_AGE_NANOS = 1_000_000_000L;

    private final PrometheusMeterRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();
    private final LivePage page;
    private final boolean loopbackOnly;
    /** GET /metrics answered: a javaagent that lingers after the job stops at the first one. */
    private final java.util.concurrent.atomic.AtomicLong scrapes = new java.util.concurrent.atomic.AtomicLong();
    /** Concurrent scrapes share renders (each one still sees a state from after it arrived). */
    private final SharedRenders<String> renders = new SharedRenders<>();

    private final CpuPacing pacing;

    SpecwatchHandler(PrometheusMeterRegistry registry, LivePage page, boolean loopbackOnly, CpuPacing pacing) {
        this.registry = registry;
        this.page = page;
        this.loopbackOnly = loopbackOnly;
        this.pacing = pacing;
    }

    /** True for the addresses only this machine can reach. */
    static boolean isLoopback(String host) {
        return host.equals("localhost") || IPV4_LOOPBACK.matcher(host).matches() || host.equals("::1") || host.equals("[::1]");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        boolean overBudget = pacing.overBudget(); // one decision per request: sampling the CPU is a system call per thread
        if (overBudget) {
            // a client that keeps its connection would bypass the acceptor's wait for the CPU budget
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        String method = request.getMethod();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return send(response, callback, 405, "text/plain; charset=utf-8", text("method not allowed\n"), head);
        }
        String path = Request.getPathInContext(request);
        try {
            if (path.equals("/metrics")) {
                return metrics(request, response, callback, head, overBudget);
            }
            if (path.equals("/-/healthy")) {
                return send(response, callback, 200, "text/plain; charset=utf-8", text("ok\n"), head);
            }
            if (loopbackOnly && !loopbackHost(request.getHeaders().get(HttpHeader.HOST))) {
                return send(response, callback, 403, "text/plain; charset=utf-8",
                        text("this page answers only requests to a loopback name (localhost, 127.0.0.1)\n"), head);
            }
            LivePage.Reply reply = page.reply(path, request.getHttpURI().getQuery());
            return send(response, callback, reply.status(), reply.contentType(), reply.body(), head);
        } catch (IOException | RuntimeException e) {
            return send(response, callback, 500, "text/plain; charset=utf-8", text("internal error\n"), head);
        }
    }

    private boolean metrics(Request request, Response response, Callback callback, boolean head, boolean overBudget) throws IOException {
        ExpositionFormatWriter writer = formats.findWriter(request.getHeaders().get(HttpHeader.ACCEPT));
        boolean gzip = acceptsGzip(request);
        byte[] body;
        try {
            // over the CPU budget (a flood), a render of the last second serves: rendering per scrape is most of a scrape's cost
            long maxAge = overBudget ? FLOOD_RENDER_AGE_NANOS : 0;
            body = renders.get(writer.getContentType() + (gzip ? "+gzip" : ""), maxAge, () -> render(writer, gzip));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return send(response, callback, 503, "text/plain; charset=utf-8", text("shutting down\n"), head);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        if (gzip && isGzip(body)) {
            response.getHeaders().put(HttpHeader.CONTENT_ENCODING, "gzip");
        }
        if (!head) {
            // counted before the answer leaves: whoever reads the count after receiving it sees this scrape
            scrapes.incrementAndGet();
        }
        return send(response, callback, 200, writer.getContentType(), body, head);
    }

    /** The exposition of the registry now, gzipped when asked and worth it. */
    private byte[] render(ExpositionFormatWriter writer, boolean gzip) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            writer.write(out, registry.getPrometheusRegistry().scrape());
            byte[] body = out.toByteArray();
            if (gzip && body.length > GZIP_ABOVE_BYTES) {
                ByteArrayOutputStream zipped = new ByteArrayOutputStream(body.length / 4);
                try (GZIPOutputStream z = new GZIPOutputStream(zipped)) {
                    z.write(body);
                }
                body = zipped.toByteArray();
            }
            return body;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The gzip magic number: a text exposition never starts with it. */
    private static boolean isGzip(byte[] body) {
        return body.length >= 2 && (body[0] & 0xff) == 0x1f && (body[1] & 0xff) == 0x8b;
    }

    long scrapes() {
        return scrapes.get();
    }

    private static boolean acceptsGzip(Request request) {
        for (HttpField f : request.getHeaders()) {
            if (f.getHeader() == HttpHeader.ACCEPT_ENCODING && f.getValue().toLowerCase(Locale.ROOT).contains("gzip")) {
                return true;
            }
        }
        return false;
    }

    /** True when the Host header names a loopback address (any port), or is absent (HTTP/1.0). */
    static boolean loopbackHost(String hostHeader) {
        if (hostHeader == null) {
            return true;
        }
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            host = end > 0 ? host.substring(0, end + 1) : host;
        } else if (host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
            host = host.substring(0, host.indexOf(':'));
        }
        return LOOPBACK_NAMES.contains(host) || IPV4_LOOPBACK.matcher(host).matches();
    }

    private static final java.util.regex.Pattern IPV4_LOOPBACK = java.util.regex.Pattern.compile("127(\\.\\d{1,3}){3}");

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean send(Response response, Callback callback, int status, String type, byte[] body, boolean head) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        return true;
    }
}
