package io.specwatch.monitor;

import java.util.Locale;

/**
 * How the ranks of a multi-process job share the analysis. Data-parallel replicas hold the same
 * weights, so analysing them on every rank repeats the same work: by default each rank takes its
 * {@link Shard} of the layers.
 */
public enum WorkSharing {
    /** Each rank analyses its share of the layers ({@link Shard}); together they cover every layer once. */
    SPLIT,
    /** Rank 0 analyses every layer, the other ranks none (they still export their health). */
    RANK0_ONLY,
    /**
     * Every rank analyses every layer it holds: for layouts where ranks hold different matrices
     * under one name (tensor- or pipeline-parallel shards), told apart by the {@code rank} label.
     */
    ALL;

    /** The command-line name: {@code split}, {@code rank0-only}, {@code all}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace("rank0_only", "rank0-only");
    }

    /** The shard of the layers {@code rank} analyses, or null when it analyses none. */
    public Shard shardOf(Rank rank) {
        return switch (this) {
            case SPLIT -> new Shard(rank.rank(), rank.worldSize());
            case RANK0_ONLY -> rank.isFirst() ? Shard.WHOLE : null;
            case ALL -> Shard.WHOLE;
        };
    }

    /**
     * From its command-line name.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static WorkSharing parse(String label) {
        for (WorkSharing w : values()) {
            if (w.label().equalsIgnoreCase(label == null ? "" : label.strip())) {
                return w;
            }
        }
        throw new IllegalArgumentException("work sharing must be split, rank0-only or all, got '" + label + "'");
    }
}
