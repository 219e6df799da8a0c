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
        // N x 1 matrices cost N: 8, 7, 6, 5, 4 into two shards. 8 -> 0; 7 -> 1; 6 -> 1 (7 < 8);
        // 5 -> 0 (8 < 13); 4 -> 0 (13 = 13: the lower index). Loads 17 and 13.
        List<TensorInfo> t = List.of(new TensorInfo("e", new long[] {4, 1}), new TensorInfo("a", new long[] {8, 1}),
                new TensorInfo("c", new long[] {6, 1}), new TensorInfo("b", new long[] {7, 1}), new TensorInfo("d", new long[] {5, 1}));
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

    @Test
    void sharesAreBalancedByTheGramCost() {
        // twelve blocks of four matrices of the synthetic example's shapes (w x w twice, 4w x w, w x 4w):
        // every block costs 2 w³ + 2 · 4w · w² = 10 w³, so four shards of 12 blocks cost 30 w³ each
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
                load += name.endsWith(".q") || name.endsWith(".o") ? w3 : 4 * w3;
            }
            assertEquals(30 * w3, load, 0, "shard " + i);
        }
        // GPT-2: the embedding (50257 · 768²) outweighs a quarter of the rest; it is a shard alone
        List<String> alone = Shard.names(gpt2Small(), 0, 4);
        assertEquals(List.of("transformer.wte.weight"), alone);
    }

    @Test
    void aConvolutionCostsItsSlices() {
        assertEquals(9.0 * 128 * 64 * 64, Shard.cost(new TensorInfo("conv", new long[] {64, 128, 3, 3})), 0);
        assertEquals(1000.0 * 10 * 10, Shard.cost(new TensorInfo("fc", new long[] {10, 1000})), 0);
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
