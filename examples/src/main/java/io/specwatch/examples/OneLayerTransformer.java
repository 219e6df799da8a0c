package io.specwatch.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.transformer.IdEmbedding;
import ai.djl.nn.transformer.ScaledDotProductAttentionBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The one-layer Transformer of the grokking experiments (Yunis et al. 2024, after Nanda et al.), from DJL blocks:
 * token and learned position embeddings, one multi-head self-attention block and one ReLU MLP,
 * both residual, no LayerNorm, and an unembedding read at the last position. Input: token ids
 * (batch, sequence); output: logits (batch, classes).
 */
final class OneLayerTransformer extends AbstractBlock {

    private final int sequence;
    private final int width;
    private final int mlp;
    private final int classes;
    private final IdEmbedding tokens;
    private final IdEmbedding positions;
    private final ScaledDotProductAttentionBlock attention;
    private final Linear hidden;
    private final Linear output;
    private final Linear unembed;

    OneLayerTransformer(int vocabulary, int sequence, int classes, int width, int heads, int mlp) {
        super((byte) 1);
        this.sequence = sequence;
        this.width = width;
        this.mlp = mlp;
        this.classes = classes;
        tokens = addChildBlock("tokens", new IdEmbedding.Builder().setDictionarySize(vocabulary).setEmbeddingSize(width).build());
        positions = addChildBlock("positions", new IdEmbedding.Builder().setDictionarySize(sequence).setEmbeddingSize(width).build());
        attention = addChildBlock("attention", ScaledDotProductAttentionBlock.builder().setEmbeddingSize(width).setHeadCount(heads).build());
        hidden = addChildBlock("mlp_in", Linear.builder().setUnits(mlp).build());
        output = addChildBlock("mlp_out", Linear.builder().setUnits(width).build());
        unembed = addChildBlock("unembed", Linear.builder().setUnits(classes).optBias(false).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray ids = inputs.singletonOrThrow();
        NDArray x = tokens.forward(store, new NDList(ids), training).singletonOrThrow();
        NDArray where = ids.getManager().arange(sequence).toType(DataType.INT64, false);
        x = x.add(positions.forward(store, new NDList(where), training).singletonOrThrow());
        x = x.add(attention.forward(store, new NDList(x), training).singletonOrThrow());
        NDArray h = Activation.relu(hidden.forward(store, new NDList(x), training).singletonOrThrow());
        x = x.add(output.forward(store, new NDList(h), training).singletonOrThrow());
        NDArray last = x.get(":, -1, :");
        return unembed.forward(store, new NDList(last), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), classes)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        tokens.initialize(manager, dataType, inputShapes[0]);
        positions.initialize(manager, dataType, new Shape(sequence));
        Shape activations = new Shape(batch, sequence, width);
        attention.initialize(manager, dataType, activations);
        hidden.initialize(manager, dataType, activations);
        output.initialize(manager, dataType, new Shape(batch, sequence, mlp));
        unembed.initialize(manager, dataType, new Shape(batch, width));
    }
}
