package io.specwatch.monitor;

/**
 * How the analysis thread competes with training for CPU time. Applied on Linux, which schedules
 * threads individually; elsewhere the thread keeps the normal priority.
 */
public enum AnalysisPriority {
    /**
     * Linux's SCHED_IDLE class: the analysis runs only on CPU time no other thread wants, so a
     * training job that keeps every core busy loses the least (measured in docs/benchmarks.md);
     * snapshots then queue, and beyond the memory budget they are dropped and counted. The default.
     */
    IDLE,
    /** Nice 19, the lowest priority of the normal class: a small share of a busy core. */
    LOW,
    /** The same priority as training. */
    NORMAL
}
