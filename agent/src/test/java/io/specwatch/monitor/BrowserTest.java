package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.djl.Model;
import io.specwatch.cli.Specwatch;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.history.HistoryWriter;
import io.specwatch.source.djl.SpectralTrainingListener;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium loads the live page of a real training run and the HTML report of its
 * history; the ESD plots must be drawn. Screenshots are kept under target/. Runs in CI (which
 * installs Debian's chromium); only a developer machine without Chromium skips it.
 */
class BrowserTest {

    @TempDir
    Path dir;

    static Path chromium() {
        Path path = Path.of(System.getenv().getOrDefault("SPECWATCH_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(path)) {
            if (System.getenv("CI") != null) {
                fail("Chromium not found at " + path + ": CI must install it (apt-get install chromium)");
            }
            Assumptions.abort("Chromium not installed at " + path);
        }
        return path;
    }

    /** Runs headless Chromium with the flags that keep it off the network; returns stdout. */
    String chrome(String url, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"),
                "--window-size=1400,1000", "--virtual-time-budget=8000"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("chromium.err").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
        return new String(out);
    }

    static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void livePageAndReportDrawTheEsd() throws Exception {
        Path target = Path.of("target");
        Files.createDirectories(target);
        Path history = dir.resolve("history.jsonl");
        SpectralMonitor monitor = SpectralMonitor.builder().model("browser").every(4).build();
        monitor.addSink(new HistoryWriter(history, 200));
        try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0); Model model = TinyTraining.model()) {
            TinyTraining.train(model, 512, 1, 4, new SpectralTrainingListener(monitor));
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            String url = "http://127.0.0.1:" + server.port() + "/";
            String dom = chrome(url, "--dump-dom");
            assertTrue(dom.contains("data-ready=\"true\""), "the page rendered a layer:\n" + dom);
            String esd = dom.substring(dom.indexOf("<svg id=\"esd\""), dom.indexOf("</svg>", dom.indexOf("<svg id=\"esd\"")));
            assertTrue(count(esd, "class=\"bar\"") >= 5, "ESD bars drawn:\n" + esd);
            assertTrue(esd.contains("id=\"powerlaw\""), "fitted power law drawn");
            assertTrue(esd.contains("id=\"mp-edge\""), "MP bulk edge drawn");
            Matcher edge = Pattern.compile("id=\"mp-edge\" x1=\"([0-9.]+)\"").matcher(esd);
            assertTrue(edge.find() && Double.parseDouble(edge.group(1)) <= 560, "MP edge inside the plot");
            assertTrue(count(dom, "class=\"series-plot\"") >= 6, "metric series drawn");
            chrome(url, "--screenshot=" + target.toAbsolutePath().resolve("live-page.png"));
            assertTrue(Files.size(target.resolve("live-page.png")) > 10_000);
        } finally {
            monitor.close();
        }
        Path report = target.resolve("report.html");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Specwatch.execute(new String[] {"report", history.toString(), "-o", report.toString()},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, exit, err.toString());
        String dom = chrome(report.toUri().toString(), "--dump-dom");
        assertEquals(3, count(dom, "<svg[^>]*class=\"esd\""), "one ESD per layer");
        assertTrue(count(dom, "class=\"bar\"") >= 15);
        assertTrue(count(dom, "class=\"mp-edge\"") >= 2, "MP edges drawn for the layers that have an MP fit");
        assertEquals(2, count(dom, "<svg[^>]*class=\"heatmap\""));
        // one cell per layer per snapshot (0, 1, 2, 4, 8, 12 and the end at 16): 3 layers of effective-rank
        // ratio, but only 2 of alpha_hill: the 8 x 48 output layer is too small to fit (M < 10)
        assertEquals(3 * 7 + 2 * 7, count(dom, "class=\"cell\""));
        chrome(report.toUri().toString(), "--screenshot=" + target.toAbsolutePath().resolve("report.png"));
        assertTrue(Files.size(target.resolve("report.png")) > 10_000);
    }

    @Test
    void reportCommandRejectsAMissingHistory() {
        StringWriter err = new StringWriter();
        int exit = Specwatch.execute(new String[] {"report", dir.resolve("none.jsonl").toString(), "-o", dir.resolve("r.html").toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(2, exit);
        assertTrue(err.toString().contains("no such file"));
    }
}
