package io.specwatch.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import io.specwatch.analysis.TensorInfo;
import org.junit.jupiter.api.Test;

/** The split of a model's matrices between ranks: complete, disjoint, balanced, and the same everywhere. */
class ShardTest {

    /** GPT-2 small's matrices (Hugging Face names and shapes of the Conv1D weights: in × out). */
    static List<TensorInfo> gpt2Small() {
        List<TensorInfo> t = new ArrayList<>();
        t.add(new TensorInfo("transformer.wte.weight", new long[] {50257, 768}));
        t.add(new TensorInfo("transformer.wpe.weight", new long[] {1024, 768}));
        for (int i = 0; i < 12; i++) {
            String h = "transformer.h." + i + ".";
            t.add(new TensorInfo(h + "attn.c_attn.weight", new long[] {768, 2304}));
            t.add(new TensorInfo(h + "attn.c_proj.weight", new long[] {768, 768}));
            t.add(new TensorInfo(h + "mlp.c_fc.weight", new long[] {768, 3072}));
            t.add(new TensorInfo(h + "mlp.c_proj.weight", new long[] {3072, 768}));
        }
        return t;
    }

    @Test
    void theShardsCoverEveryTensorExactlyOnce() {
        List<TensorInfo> model = gpt2Small();
        List<String> expected = new ArrayList<>(model.stream().map(TensorInfo::name).toList());
        Collections.sort(expected);
        for (int count = 1; count <= 64; count = count * 2 + 1) {
            List<String> union = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                union.addAll(Shard.names(model, i, count));
            }
            Collections.sort(union);
            assertEquals(expected, union, count + " shards");
        }
    }

    @Test
    void theAssignmentDependsOnTheTensorsNotOnTheirOrder() {
        List<TensorInfo> model = gpt2Small();
        Map<String, Integer> reference = new TreeMap<>(Shard.assign(model, 4));
        for (long seed = 1; seed <= 5; seed++) {
            List<TensorInfo> shuffled = new ArrayList<>(model);
            Collections.shuffle(shuffled, new Random(seed));
            assertEquals(reference, new TreeMap<>(Shard.assign(shuffled, 4)), "shuffle " + seed);
        }
        // and a shard keeps the source's order
        List<String> first = Shard.names(model, 1, 4);
        List<String> inModelOrder = model.stream().map(TensorInfo::name).filter(first::contains).toList();
        assertEquals(inModelOrder, first);
    }

    @Test
    void theLongestProcessingTimeRuleByHand() {
        // N x 1 matrices cost N + 4: 12, 11, 10, 9, 8 into two shards. 12 -> 0; 11 -> 1; 10 -> 1 (11 < 12);
        // 9 -> 0 (12 < 21); 8 -> 0 (21 = 21: the lower index). Loads 29 and 21.
        List<TensorInfo> t = List.of(new TensorInfo("e", new long[] {8, 1}), new TensorInfo("a", new long[] {12, 1}),
                new TensorInfo("c", new long[] {10, 1}), new TensorInfo("b", new long[] {11, 1}), new TensorInfo("d", new long[] {9, 1}));
        assertEquals(List.of("e", "a", "d"), Shard.names(t, 0, 2));
        assertEquals(List.of("c", "b"), Shard.names(t, 1, 2));
        // equal costs: ties go by name, one each in turn
        List<TensorInfo> same = new ArrayList<>();
        for (String n : List.of("l3", "l0", "l2", "l1")) {
            same.add(new TensorInfo(n, new long[] {16, 16}));
        }
        assertEquals(List.of("l2"), Shard.names(same, 2, 4));
        assertEquals(List.of("l0"), Shard.names(same, 0, 4));
    }

    /** N·M² + 4·M³ for N ≥ M, written out again here. */
    private static double cost(long rows, long cols) {
        double n = Math.max(rows, cols);
        double m = Math.min(rows, cols);
        return n * m * m + 4 * m * m * m;
    }

    @Test
    void sharesAreBalancedByTheAnalysisCost() {
        // twelve blocks of the synthetic example's shapes: q, o (w x w) cost 5 w³ each, up, down
        // (4w x w, w x 4w) 8 w³ each: 26 w³ a block, 312 w³ in all, 78 w³ for each of four shards
        List<TensorInfo> t = new ArrayList<>();
        for (int b = 0; b < 12; b++) {
            t.add(new TensorInfo(b + ".q", new long[] {64, 64}));
            t.add(new TensorInfo(b + ".o", new long[] {64, 64}));
            t.add(new TensorInfo(b + ".up", new long[] {256, 64}));
            t.add(new TensorInfo(b + ".down", new long[] {64, 256}));
        }
        double w3 = 64.0 * 64 * 64;
        for (int i = 0; i < 4; i++) {
            double load = 0;
            for (String name : Shard.names(t, i, 4)) {
                load += name.endsWith(".q") || name.endsWith(".o") ? 5 * w3 : 8 * w3;
            }
            assertEquals(78 * w3, load, 0, "shard " + i);
        }
        // GPT-2 on 4 and 64 shards: the largest share is within the rule's 4/3 of the best possible,
        // which is at least the mean share and at least the largest matrix
        List<TensorInfo> gpt2 = gpt2Small();
        for (int count : new int[] {4, 64}) {
            double total = 0;
            double largestMatrix = 0;
            for (TensorInfo m : gpt2) {
                double c = cost(m.shape()[0], m.shape()[1]);
                total += c;
                largestMatrix = Math.max(largestMatrix, c);
            }
            double largestShare = 0;
            for (int i = 0; i < count; i++) {
                double load = 0;
                for (String name : Shard.names(gpt2, i, count)) {
                    TensorInfo m = gpt2.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
                    load += cost(m.shape()[0], m.shape()[1]);
                }
                largestShare = Math.max(largestShare, load);
            }
            double bound = Math.max(total / count, largestMatrix);
            assertTrue(largestShare <= 4.0 / 3 * bound, count + " shards: " + largestShare / bound);
        }
    }

    @Test
    void aConvolutionCostsItsSlices() {
        assertEquals(9 * cost(64, 128), Shard.cost(new TensorInfo("conv", new long[] {64, 128, 3, 3})), 0);
        assertEquals(1000.0 * 10 * 10 + 4 * 1000, Shard.cost(new TensorInfo("fc", new long[] {10, 1000})), 0);
    }

    @Test
    void parsesIndexSlashCount() {
        assertEquals(new Shard(2, 4), Shard.parse("2/4"));
        assertEquals("2/4", new Shard(2, 4).toString());
        for (String bad : new String[] {"4/4", "-1/2", "a/b", "1/0", "1", "", "1/2/3"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
            assertTrue(e.getMessage().contains("INDEX/COUNT"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new Shard(0, 0));
    }
}
