package io.specwatch.bench;

import java.util.ArrayList;
import java.util.List;

import io.specwatch.analysis.LayerAnalyzer;
import io.specwatch.analysis.LayerReport;
import io.specwatch.analysis.SnapshotAnalyzer;
import io.specwatch.analysis.TensorInfo;
import io.specwatch.analysis.WeightSnapshot;
import io.specwatch.engine.AutomaticEngine;
import io.specwatch.engine.DenseMatrix;
import io.specwatch.engine.SyntheticMatrices;

/**
 * The reports of a large model without analysing it, for measuring the exporter: a few real
 * reports with every exported series present (traps measured, dynamics after a second snapshot,
 * a next layer that chains), renamed to each matrix of the model. Also the matrices of the
 * models the README's sizing table is about, with their Hugging Face names and shapes.
 */
final class SyntheticJob {

    private SyntheticJob() {
    }

    /**
     * Distinct reports, so that a scrape compresses like one of a real model's (values differ
     * layer by layer): more than gzip's 32 KiB window holds lines of one metric family (about 270).
     */
    static final int TEMPLATES = 512;

    /**
     * Reports of {@value #TEMPLATES} different 64 × 64 matrices at their second snapshot, each with
     * every field the exporter can show (the next matrix chains, so the layer alignment applies).
     */
    static List<LayerReport> templates() {
        SnapshotAnalyzer analyzer = new SnapshotAnalyzer(AutomaticEngine.withDefaults(0),
                new SnapshotAnalyzer.Settings("model", LayerAnalyzer.Options.DEFAULT, 10, 1, 5));
        analyzer.analyze(snapshot(0, 0), (where, e) -> {
            throw new IllegalStateException(where, e);
        });
        return analyzer.analyze(snapshot(10, 1), (where, e) -> {
            throw new IllegalStateException(where, e);
        }).subList(0, TEMPLATES);
    }

    private static WeightSnapshot snapshot(long step, long seed) {
        List<WeightSnapshot.Weight> weights = new ArrayList<>();
        for (int i = 0; i <= TEMPLATES; i++) {
            DenseMatrix m = SyntheticMatrices.powerLaw(64, 64, 2.5 + 3.0 * i / TEMPLATES, 100 * i + seed);
            weights.add(new WeightSnapshot.Weight("t" + i, new long[] {64, 64}, m.values()));
        }
        return new WeightSnapshot(step, System.currentTimeMillis(), weights);
    }

    /** The templates in turn, each under a tensor's name. */
    static List<LayerReport> reports(String model, List<TensorInfo> tensors, List<LayerReport> templates) {
        List<LayerReport> out = new ArrayList<>(tensors.size());
        for (int i = 0; i < tensors.size(); i++) {
            LayerReport t = templates.get(i % templates.size());
            out.add(new LayerReport(t.step(), t.epochMillis(), model, tensors.get(i).name(), t.report(), t.dynamics(), t.topSingularValues()));
        }
        return out;
    }

    /** GPT-2 small (124M): 50 matrices (the LM head is tied to the embedding). */
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

    /** A Llama-architecture model: 7 matrices per layer, the embedding and the LM head. */
    static List<TensorInfo> llama(int layers, int hidden, int intermediate, int kvHidden, int vocab) {
        List<TensorInfo> t = new ArrayList<>();
        t.add(new TensorInfo("model.embed_tokens.weight", new long[] {vocab, hidden}));
        for (int i = 0; i < layers; i++) {
            String h = "model.layers." + i + ".";
            t.add(new TensorInfo(h + "self_attn.q_proj.weight", new long[] {hidden, hidden}));
            t.add(new TensorInfo(h + "self_attn.k_proj.weight", new long[] {kvHidden, hidden}));
            t.add(new TensorInfo(h + "self_attn.v_proj.weight", new long[] {kvHidden, hidden}));
            t.add(new TensorInfo(h + "self_attn.o_proj.weight", new long[] {hidden, hidden}));
            t.add(new TensorInfo(h + "mlp.gate_proj.weight", new long[] {intermediate, hidden}));
            t.add(new TensorInfo(h + "mlp.up_proj.weight", new long[] {intermediate, hidden}));
            t.add(new TensorInfo(h + "mlp.down_proj.weight", new long[] {hidden, intermediate}));
        }
        t.add(new TensorInfo("lm_head.weight", new long[] {vocab, hidden}));
        return t;
    }

    /** Llama 2 7B: 32 layers, 226 matrices. */
    static List<TensorInfo> llama7b() {
        return llama(32, 4096, 11008, 4096, 32000);
    }

    /** Llama 2 70B: 80 layers with grouped-query attention (8 key-value heads), 562 matrices. */
    static List<TensorInfo> llama70b() {
        return llama(80, 8192, 28672, 1024, 32000);
    }

    /** {@code count} matrices with Llama-style names (7 per layer), e.g. for a load test. */
    static List<TensorInfo> named(int first, int count) {
        String[] kinds = {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"};
        List<TensorInfo> t = new ArrayList<>(count);
        for (int k = first; k < first + count; k++) {
            t.add(new TensorInfo("model.layers." + (k / 7) + "." + kinds[k % 7] + ".weight", new long[] {4096, 4096}));
        }
        return t;
    }
}
