package io.specwatch.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.specwatch.tensorfile.RealCheckpoints;
import io.specwatch.tensorfile.TensorFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code specwatch analyze} on checkpoints the real frameworks wrote: the same weights give the
 * same report whatever the format (torch.save, safetensors, .npz; one file, shards, a directory),
 * only model weights are analysed, and names from files cannot drive the terminal.
 */
class CheckpointFormatsTest {

    @TempDir
    Path dir;

    @Test
    void theSameWeightsGiveIdenticalReportsInEveryFormat() throws Exception {
        Map<String, JsonNode> pt = reports(RealCheckpoints.file("mlp.pt"));
        assertEquals(Set.of("0.weight", "2.weight"), pt.keySet());
        assertEquals(pt, reports(RealCheckpoints.file("mlp.safetensors")));
        assertEquals(pt, reports(RealCheckpoints.file("mlp.npz")));
        assertEquals(pt, reports(RealCheckpoints.file("protocol4.pt")));
        assertEquals(pt, reports(RealCheckpoints.file("ddp.pt")), "module. prefixes are dropped");
    }

    @Test
    void huggingFaceDirectoriesGiveTheSameReportSingleShardedOrPytorchBin() throws Exception {
        Map<String, JsonNode> single = reports(RealCheckpoints.file("gpt2-single"));
        assertTrue(single.size() >= 10, single.keySet().toString());
        assertEquals(single, reports(RealCheckpoints.file("gpt2-sharded")));
        Map<String, JsonNode> bin = reports(RealCheckpoints.file("gpt2-bin"));
        assertEquals(bin, reports(RealCheckpoints.file("gpt2-bin-sharded")));
        // pytorch_model.bin keeps the tied lm_head.weight that safetensors drops; the rest is identical
        Set<String> extra = new TreeSet<>(bin.keySet());
        extra.removeAll(single.keySet());
        assertEquals(Set.of("lm_head.weight"), extra);
        bin.keySet().retainAll(single.keySet());
        assertEquals(single, bin);
    }

    @Test
    void aTrainerCheckpointAndALightningCheckpointAnalyseOnlyTheModel() throws Exception {
        Map<String, JsonNode> trainer = reports(RealCheckpoints.file("trainer/checkpoint-2"));
        assertTrue(trainer.containsKey("transformer.h.0.attn.c_attn.weight"), trainer.keySet().toString());
        assertFalse(trainer.keySet().stream().anyMatch(n -> n.contains("exp_avg") || n.startsWith("state")), trainer.keySet().toString());
        Map<String, JsonNode> lightning = reports(RealCheckpoints.file("lightning.ckpt"));
        assertEquals(Set.of("net.0.weight", "net.2.weight"), lightning.keySet());
        // the Trainer's output directory holds checkpoints, not a model: say which to pass
        AnalyzeCommandTest.Run output = AnalyzeCommandTest.run("analyze", RealCheckpoints.file("trainer").toString());
        assertEquals(2, output.exit());
        assertTrue(output.err().contains("holds Trainer checkpoints (checkpoint-N directories)"), output.err());
    }

    @Test
    void aTensorTooLargeForTheLimitIsSkippedWithOneLineAndTheOthersAreAnalysed() throws Exception {
        Map<String, TensorFiles.Tensor> t = new LinkedHashMap<>();
        t.put("small", TensorFiles.f32(new long[] {30, 20}, AnalyzeCommandTest.floats(AnalyzeCommandTest.gaussian(600, 1))));
        t.put("large", TensorFiles.f32(new long[] {300, 200}, AnalyzeCommandTest.floats(AnalyzeCommandTest.gaussian(60000, 2))));
        t.put("last", TensorFiles.f32(new long[] {20, 30}, AnalyzeCommandTest.floats(AnalyzeCommandTest.gaussian(600, 3))));
        Path p = TensorFiles.write(dir, "m.safetensors", TensorFiles.safetensors(t));
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--format", "json", "--max-elements", "1e4", p.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals(List.of("small", "last"), r.records().stream().map(n -> n.get("name").asText()).toList());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].contains("large [300, 200]: 60000 elements, more than --max-elements 10000"), lines[0]);
        assertEquals(0, AnalyzeCommandTest.run("analyze", "--max-elements", "2e9", p.toString()).exit());
        assertEquals(2, AnalyzeCommandTest.run("analyze", "--max-elements", "lots", p.toString()).exit());
        assertEquals(2, AnalyzeCommandTest.run("analyze", "--max-elements", "0", p.toString()).exit());
        assertEquals(2, AnalyzeCommandTest.run("analyze", "--max-elements", "1.5", p.toString()).exit());
    }

    @Test
    void terminalEscapesInTensorNamesArePrintedEscaped() throws Exception {
        String red = "\u001b[31mred\u001b]0;owned\u0007";
        // the header as JSON must carry them (escaped as \\u001b, which JSON requires)
        Map<String, Object> header = new LinkedHashMap<>();
        header.put(red + ".weight", Map.of("dtype", "F32", "shape", List.of(30, 20), "data_offsets", List.of(0, 2400)));
        header.put(red + ".bias\u202e", Map.of("dtype", "F32", "shape", List.of(30), "data_offsets", List.of(2400, 2520)));
        byte[] data = TensorFiles.f32(new long[] {630}, AnalyzeCommandTest.floats(AnalyzeCommandTest.gaussian(630, 4))).data();
        Path p = TensorFiles.write(dir, "escapes.safetensors",
                TensorFiles.safetensorsRaw(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(header), data));
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", p.toString());
        assertEquals(0, r.exit(), r.err());
        for (String text : List.of(r.out(), r.err())) {
            assertFalse(text.contains("\u001b") || text.contains("\u0007") || text.contains("\u202e"), text);
        }
        assertTrue(r.out().contains("\\x1b[31mred\\x1b]0;owned\\x07.weight"), r.out());
        assertTrue(r.err().contains("skipped \\x1b[31mred\\x1b]0;owned\\x07.bias\\u202e [30]"), r.err());
        // JSON keeps the name exactly (escaped by JSON itself)
        JsonNode rec = AnalyzeCommandTest.run("analyze", "--format", "json", p.toString()).records().get(0);
        assertEquals(red + ".weight", rec.get("name").asText());
    }

    /** The JSON records of one input by tensor name, without the timing. */
    private static Map<String, JsonNode> reports(Path input) throws Exception {
        AnalyzeCommandTest.Run r = AnalyzeCommandTest.run("analyze", "--format", "json", input.toString());
        assertEquals(0, r.exit(), input + ": " + r.err());
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode n : r.records()) {
            ((ObjectNode) n).remove("seconds");
            byName.put(n.get("name").asText(), n);
        }
        return byName;
    }
}
