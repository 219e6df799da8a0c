package io.specwatch.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.specwatch.PythonEnv;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.TestReports;
import io.specwatch.monitor.TrainingPoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TensorBoard sink's files, read back by the real {@code tensorboard} package (its EventAccumulator and its CRC32C). */
class TensorBoardSinkTest {

    @TempDir
    Path dir;

    /** Reads every record's framing with tensorboard's own masked CRC32C, then the events with EventAccumulator; prints JSON. */
    static final String READ = """
            import json, struct, sys, glob
            from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c
            from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
            logdir = sys.argv[1]
            (path,) = glob.glob(logdir + "/events.out.tfevents.*")
            data, records, pos = open(path, "rb").read(), 0, 0
            while pos < len(data):
                header = data[pos:pos + 8]
                (length,) = struct.unpack("<Q", header)
                (hcrc,) = struct.unpack("<I", data[pos + 8:pos + 12])
                body = data[pos + 12:pos + 12 + length]
                (dcrc,) = struct.unpack("<I", data[pos + 12 + length:pos + 16 + length])
                assert hcrc == masked_crc32c(header), "length CRC of record %d" % records
                assert dcrc == masked_crc32c(body), "data CRC of record %d" % records
                pos += 16 + length
                records += 1
            acc = EventAccumulator(logdir, size_guidance={"scalars": 0, "histograms": 0})
            acc.Reload()
            tags = acc.Tags()
            out = {"records": records, "scalars": {}, "histograms": {}}
            for t in tags["scalars"]:
                out["scalars"][t] = [[e.step, e.value] for e in acc.Scalars(t)]
            for t in tags["histograms"]:
                out["histograms"][t] = [{"step": e.step, "min": e.histogram_value.min, "max": e.histogram_value.max,
                    "num": e.histogram_value.num, "sum": e.histogram_value.sum, "limits": list(e.histogram_value.bucket_limit),
                    "counts": list(e.histogram_value.bucket)} for e in acc.Histograms(t)]
            print(json.dumps(out))
            """;

    @Test
    void tensorBoardReadsTheScalarsHistogramsAndTrainingValues() throws Exception {
        List<LayerReport> reports = TestReports.twoSnapshots("m");
        Path logdir = dir.resolve("tb");
        try (TensorBoardSink sink = new TensorBoardSink(logdir)) {
            sink.accept(reports);
            sink.acceptTraining(new TrainingPoint(10, 1_700_000_000_000L, "accuracy", "fraction", Map.of("train", 0.75, "test", 0.25)));
            assertEquals(0, sink.failures());
        }
        String out = PythonEnv.runOrFail(READ, dir, 120, logdir.toString());
        JsonNode tb = new ObjectMapper().readTree(out.strip().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(1 + reports.size() + 1, tb.get("records").asInt(), "file version, one event per layer, one training event");
        LayerReport fc1 = reports.get(0);
        JsonNode alphaHill = tb.get("scalars").get("spectral/alpha_hill/fc1");
        assertEquals(fc1.step(), alphaHill.get(0).get(0).asLong());
        assertEquals(fc1.report().alphaHill().floatValue(), alphaHill.get(0).get(1).floatValue(), 0);
        assertEquals((float) fc1.report().rank().svMax(), tb.get("scalars").get("spectral/sv_max/fc1").get(0).get(1).floatValue(), 0);
        assertEquals(fc1.report().mp().spikes(), tb.get("scalars").get("spectral/spikes/fc1").get(0).get(1).asInt());
        assertFalse(tb.get("scalars").has("spectral/alpha/tiny"), "what does not apply is not written");
        assertEquals(0.25, tb.get("scalars").get("training/accuracy/test").get(0).get(1).asDouble(), 1e-7);

        double[] ev = fc1.report().eigenvalues();
        JsonNode h = tb.get("histograms").get("spectral/esd/fc1").get(0);
        assertEquals(ev.length, h.get("num").asDouble(), 0);
        assertEquals(Arrays.stream(ev).sum(), h.get("sum").asDouble(), 1e-9 * Arrays.stream(ev).sum());
        assertEquals(ev[0], h.get("min").asDouble(), 0);
        assertEquals(ev[ev.length - 1], h.get("max").asDouble(), 0);
        assertEquals(TensorBoardSink.BUCKETS, h.get("counts").size());
        double counted = 0;
        for (JsonNode c : h.get("counts")) {
            counted += c.asDouble();
        }
        assertEquals(ev.length, counted, 0, "every eigenvalue in a bucket");
        // bucket i holds (limit[i-1], limit[i]]: count the eigenvalues in the first bucket independently
        double firstLimit = h.get("limits").get(0).asDouble();
        assertEquals(Arrays.stream(ev).filter(v -> v <= firstLimit).count(), h.get("counts").get(0).asDouble(), 0);
        assertTrue(tb.get("histograms").has("spectral/esd_log10/fc2"));
    }

    @Test
    void anUnwritableDirectoryIsOneLine() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        IOException e = assertThrows(IOException.class, () -> new TensorBoardSink(file));
        assertTrue(e.getMessage().startsWith("cannot write TensorBoard events to " + file), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
