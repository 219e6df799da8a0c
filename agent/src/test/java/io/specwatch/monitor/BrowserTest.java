package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.djl.Model;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import io.specwatch.cli.Specwatch;
import io.specwatch.export.SpecwatchServer;
import io.specwatch.history.HistoryWriter;
import io.specwatch.source.djl.SpectralTrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Headless Chromium loads the live page while a real training run is paused mid-way (with a NaN
 * in one layer), and the HTML report of its history afterwards, alone and overlaid with a second
 * run; the checks read the rendered DOM: axes with ticks and unit titles on every chart, a colour
 * bar per heat-map, every layer in the overview, the NaN layer flagged, the run legend, and no
 * message in the browser console. Screenshots are kept under target/. Chromium must be installed
 * (Debian's chromium; SPECWATCH_CHROMIUM overrides the path): without it the test fails.
 */
class BrowserTest {

    static final List<String> LAYERS = List.of("01Linear_weight", "03Linear_weight", "05Linear_weight");

    @TempDir
    Path dir;

    static Path chromium() {
        Path path = Path.of(System.getenv().getOrDefault("SPECWATCH_CHROMIUM", "/usr/bin/chromium"));
        if (!Files.isExecutable(path)) {
            fail("Chromium not found at " + path + ": install it (apt-get install chromium) or set SPECWATCH_CHROMIUM");
        }
        return path;
    }

    /** A page as Chromium rendered it, and what the page wrote to the console. */
    record Page(String dom, List<String> console) {
    }

    /** Runs headless Chromium with the flags that keep it off the network. */
    Page chrome(String url, int width, String... extra) throws Exception {
        Path err = Files.createTempFile(dir, "chromium", ".err");
        List<String> cmd = new ArrayList<>(List.of(chromium().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-quic", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"),
                "--window-size=" + width + ",3200", "--virtual-time-budget=8000", "--enable-logging=stderr", "--v=0"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "chromium did not finish");
        List<String> console = Files.readAllLines(err).stream().filter(l -> l.contains(":CONSOLE")).toList();
        return new Page(new String(out, java.nio.charset.StandardCharsets.UTF_8), console);
    }

    static int count(String html, String regex) {
        Matcher m = Pattern.compile(regex).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** The chart containers of a page: id to their HTML (up to the next chart or section). */
    static Map<String, String> charts(String dom) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        Matcher m = Pattern.compile("<div id=\"([^\"]+)\" class=\"chart[ \"]").matcher(dom);
        List<int[]> starts = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            starts.add(new int[] {m.start()});
            ids.add(m.group(1));
        }
        for (int i = 0; i < ids.size(); i++) {
            int from = starts.get(i)[0];
            int to = i + 1 < ids.size() ? starts.get(i + 1)[0] : dom.length();
            int h2 = dom.indexOf("<h2", from);
            out.put(ids.get(i), dom.substring(from, h2 > from && h2 < to ? h2 : to));
        }
        return out;
    }

    static final Pattern Y_TICK = Pattern.compile("<path d=\"M([0-9.]+) ([0-9.]+)L([0-9.]+) \\2\" fill=\"none\" stroke=\"#6E7079\"></path>");
    static final Pattern X_TICK = Pattern.compile("<path d=\"M([0-9.]+) ([0-9.]+)L\\1 ([0-9.]+)\" fill=\"none\" stroke=\"#6E7079\"></path>");
    static final Pattern LABEL = Pattern.compile("<text[^>]*text-anchor=\"(end|middle)\"[^>]*>(−?-?[0-9][0-9.e+−-]*)</text>");

    /** Every chart has an x and a y axis with at least two ticks and two numeric labels, and axis titles with units. */
    static void assertAxes(String id, String chart, boolean numericY) {
        assertTrue(chart.contains("<svg"), id + " is drawn");
        int yTicks = 0;
        for (Matcher m = Y_TICK.matcher(chart); m.find(); ) {
            if (Math.abs(Double.parseDouble(m.group(1)) - Double.parseDouble(m.group(3)) - 5) < 0.01) {
                yTicks++;
            }
        }
        int xTicks = 0;
        for (Matcher m = X_TICK.matcher(chart); m.find(); ) {
            if (Math.abs(Double.parseDouble(m.group(3)) - Double.parseDouble(m.group(2)) - 5) < 0.01) {
                xTicks++;
            }
        }
        int yLabels = 0;
        int xLabels = 0;
        for (Matcher m = LABEL.matcher(chart); m.find(); ) {
            if (m.group(1).equals("end")) {
                yLabels++;
            } else {
                xLabels++;
            }
        }
        assertTrue(xTicks >= 2 && xLabels >= 2, id + ": x axis with ticks and labels (" + xTicks + " ticks, " + xLabels + " labels)");
        if (numericY) {
            assertTrue(yTicks >= 2 && yLabels >= 2, id + ": y axis with ticks and labels (" + yTicks + " ticks, " + yLabels + " labels)");
        }
        assertTrue(count(chart, ">[^<>]*\\([^<>()]+\\)[^<>]*</text>") >= (numericY ? 2 : 1), id + ": axis titles name their units");
    }

    /** What both the live page and the report must show. */
    static void assertThePage(Page page, int runs, String nanLayer) {
        String dom = page.dom();
        assertTrue(dom.contains("data-ready=\"true\""), "the page rendered:\n" + dom.substring(0, Math.min(dom.length(), 3000)));
        assertEquals(List.of(), page.console(), "nothing on the browser console");
        Map<String, String> charts = charts(dom);
        List<String> series = charts.keySet().stream().filter(k -> k.startsWith("series-")).toList();
        // α, α_hill, effective-rank ratio, spikes, σ₁ at least
        for (String key : List.of("alpha", "alpha_hill", "effective_rank_ratio", "spikes", "sv_max")) {
            assertTrue(series.contains("series-" + key), key + " against step: " + series);
        }
        for (String id : series) {
            String chart = charts.get(id);
            assertAxes(id, chart, true);
            for (String layer : LAYERS) {
                assertTrue(chart.contains(">" + layer + "</text>"), id + ": layer " + layer + " in the overview's legend");
            }
        }
        List<String> esd = charts.keySet().stream().filter(k -> k.startsWith("esd-")).toList();
        assertEquals(runs, esd.size(), "one ESD per run");
        List<String> heatmaps = charts.keySet().stream().filter(k -> k.startsWith("heatmap-")).toList();
        assertEquals(2 * runs, heatmaps.size(), "effective-rank ratio and α_hill per run: " + heatmaps);
        for (String id : heatmaps) {
            assertAxes(id, charts.get(id), false);
            // the colour bar: one gradient from viridis' first colour to its last (ECharts adds a grey one behind it)
            assertEquals(1, count(charts.get(id), "<linearGradient[^>]*><stop offset=\"0%\" stop-color=\"rgb\\(68,1,84\\)\"></stop>"
                    + "(<stop [^>]*></stop>)*<stop offset=\"100%\" stop-color=\"rgb\\(253,231,37\\)\">"), id + ": one colour bar");
        }
        // the layer table: every layer of every run, the NaN layer flagged
        String table = dom.substring(dom.indexOf("<table id=\"layer-table\""), dom.indexOf("</table>", dom.indexOf("<table id=\"layer-table\"")));
        assertEquals(LAYERS.size() * runs, count(table, "<tr data-layer="), table);
        Matcher nan = Pattern.compile("<tr data-layer=\"" + nanLayer + "\" data-flags=\"([^\"]*)\"").matcher(table);
        boolean flagged = false;
        while (nan.find()) {
            flagged |= nan.group(1).contains("nonfinite");
        }
        assertTrue(flagged, "the NaN layer is flagged:\n" + table);
        assertTrue(dom.contains("<span id=\"status\" role=\"status\" class=\"flagged\">"), "the header draws the eye to it");
        int legendRuns = count(dom, "<span class=\"run\" data-run=");
        assertEquals(runs > 1 ? runs : 0, legendRuns, "a run legend when runs are overlaid");
    }

    @Test
    void theLivePageDuringARunAndTheReportsAfterwardsShowEveryChart() throws Exception {
        Path target = Path.of("target");
        Files.createDirectories(target);
        Path history = dir.resolve("history.jsonl");
        SpectralMonitor monitor = SpectralMonitor.builder().model("browser").every(4).build();
        monitor.addSink(new HistoryWriter(history, 200, monitor.settings()));
        CountDownLatch paused = new CountDownLatch(1);
        CountDownLatch resume = new CountDownLatch(1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try (SpecwatchServer server = SpecwatchServer.start(monitor, "127.0.0.1", 0); Model model = TinyTraining.model()) {
            TrainingListenerAdapter nanThenPause = new TrainingListenerAdapter() {
                private int batch;

                @Override
                public void onTrainingBatch(Trainer trainer, BatchData data) {
                    batch++;
                    monitor.recordTraining(batch, "loss", "cross-entropy, nats", Map.of("train", 2.0 / batch));
                    if (batch == 13) {
                        setEntry(trainer, "03Linear_weight", Float.NaN);
                    }
                }
            };
            TrainingListenerAdapter pauseAfterTheSnapshot = new TrainingListenerAdapter() {
                private int batch;

                @Override
                public void onTrainingBatch(Trainer trainer, BatchData data) {
                    if (++batch == 13) {
                        paused.countDown();
                        try {
                            resume.await(5, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        // the update of this batch was computed from finite weights: undo the NaN so training goes on
                        setEntry(trainer, "03Linear_weight", 0f);
                    }
                }
            };
            // batch 13 comes before the 13th update: step 12, due (every 4); the monitor's listener snapshots it between the two
            Thread training = new Thread(() -> {
                try {
                    TinyTraining.train(model, 512, 2, 4, nanThenPause, new SpectralTrainingListener(monitor), pauseAfterTheSnapshot);
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "training");
            training.start();
            for (int i = 0; i < 1200 && !paused.await(100, TimeUnit.MILLISECONDS) && training.isAlive(); i++) {
                // bounded wait for the pause; a failed training ends it at once
            }
            assertEquals(null, failed.get());
            assertTrue(paused.getCount() == 0, "training reached the pause");
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
            String url = "http://127.0.0.1:" + server.port() + "/?layer=03Linear_weight";
            Page live = chrome(url, 1280, "--dump-dom");
            assertTrue(training.isAlive(), "the page was loaded during the run");
            assertThePage(live, 1, "03Linear_weight");
            assertTrue(live.dom().contains("id=\"training-loss\""), "the training loss beside the spectra");
            assertTrue(live.dom().contains("<tr data-layer=\"03Linear_weight\" data-flags=\"nonfinite\" class=\"flag-nonfinite selected\">"),
                    "?layer= selects the layer");
            assertTrue(live.dom().contains("No ESD for this layer"), "the NaN layer has no ESD, and says why");
            chrome(url.replace("?layer=03Linear_weight", ""), 1280, "--screenshot=" + target.toAbsolutePath().resolve("live-page.png"));
            resume.countDown();
            training.join(120_000);
            assertEquals(null, failed.get());
            assertTrue(monitor.awaitIdle(Duration.ofSeconds(60)));
        } finally {
            resume.countDown();
            monitor.close();
        }

        // a second run, in its own file, whose last snapshot keeps a NaN
        Path second = dir.resolve("second.jsonl");
        SpectralMonitor other = SpectralMonitor.builder().model("browser").every(4).build();
        other.addSink(new HistoryWriter(second, 200, other.settings()));
        try (Model model = TinyTraining.model()) {
            TrainingListenerAdapter nanAtTheEnd = new TrainingListenerAdapter() {
                private int batch;

                @Override
                public void onTrainingBatch(Trainer trainer, BatchData data) {
                    if (++batch == 16) {
                        setEntry(trainer, "01Linear_weight", Float.NaN);
                    }
                }
            };
            TinyTraining.train(model, 512, 1, 5, nanAtTheEnd, new SpectralTrainingListener(other));
            assertTrue(other.awaitIdle(Duration.ofSeconds(60)));
        } finally {
            other.close();
        }

        Path report = target.resolve("report.html");
        assertEquals(0, report(report, history));
        Page one = chrome(report.toUri() + "?layer=01Linear_weight", 1280, "--dump-dom");
        // the live run's latest snapshot is finite again; its NaN snapshot is in the history only
        assertFalse(one.dom().contains("data-flags=\"nonfinite\""), "the latest snapshot of every layer is finite");
        Map<String, String> charts = charts(one.dom());
        String esd = charts.get("esd-0");
        assertAxes("esd-0", esd, true);
        for (String part : List.of(">ESD histogram (", ">power law α ", ">Marchenko–Pastur fit (σ ", ">MP bulk edge ")) {
            assertTrue(esd.contains(part), "the ESD draws " + part);
        }
        chrome(report.toUri().toString(), 1280, "--screenshot=" + target.toAbsolutePath().resolve("report.png"));

        Path both = target.resolve("report-two-runs.html");
        assertEquals(0, report(both, history, second));
        Page two = chrome(both.toUri().toString(), 1280, "--dump-dom");
        assertThePage(two, 2, "01Linear_weight");
        assertTrue(two.dom().contains(">history.jsonl</span>") && two.dom().contains(">second.jsonl</span>"), "the runs' legend names them");
        Page wide = chrome(both.toUri().toString(), 2560, "--dump-dom");
        assertThePage(wide, 2, "01Linear_weight");
        chrome(both.toUri().toString(), 1280, "--screenshot=" + target.toAbsolutePath().resolve("report-two-runs.png"));
        for (String png : List.of("live-page.png", "report.png", "report-two-runs.png")) {
            assertTrue(Files.size(target.resolve(png)) > 50_000, png);
        }
    }

    /** Sets weight[0, 0] in place, with autograd off (it is on by default on a thread of one's own). */
    static void setEntry(Trainer trainer, String parameter, float value) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            trainer.getModel().getBlock().getParameters().get(parameter).getArray().set(new NDIndex("0, 0"), value);
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    static int report(Path output, Path... histories) {
        List<String> argv = new ArrayList<>(List.of("report"));
        for (Path h : histories) {
            argv.add(h.toString());
        }
        argv.add("-o");
        argv.add(output.toString());
        StringWriter err = new StringWriter();
        int exit = Specwatch.execute(argv.toArray(String[]::new), new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals("", err.toString(), "no warnings");
        return exit;
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
