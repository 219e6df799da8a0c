package io.specwatch.history;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The kinds of record in a history file. A layer record ({@link io.specwatch.catalogue.ReportRecords#layer})
 * has no {@code record} key; the others name their kind there:
 * <ul>
 * <li>{@code "record": "run"} — the header that starts each run: {@code run} (its id),
 *     {@code start} (ISO-8601 UTC), {@code timestamp}, {@code model}, {@code specwatch} (version),
 *     {@code settings} (the monitor's settings);</li>
 * <li>{@code "record": "resume"} — written on a fresh line after a write of this run failed
 *     (a full disk): the line before it may be cut;</li>
 * <li>{@code "record": "training"} — a value of the training job itself at a step
 *     ({@link io.specwatch.monitor.TrainingPoint}): {@code step, timestamp, model, metric, unit, values}.</li>
 * </ul>
 * Every record a {@link HistoryWriter} writes carries the {@code run} id; histories written before
 * run ids existed read as one run with the id {@code ""}.
 */
public final class HistoryRecords {

    /** The key that names a record's kind. */
    public static final String KIND = "record";
    /** The key of the run id. */
    public static final String RUN = "run";

    private HistoryRecords() {
    }

    public static boolean isRunHeader(JsonNode record) {
        return "run".equals(record.path(KIND).asText(null));
    }

    /** A run header or a resume marker: the line before it may have been cut by a crash or a failed write. */
    public static boolean startsOnAFreshLine(JsonNode record) {
        return isRunHeader(record) || "resume".equals(record.path(KIND).asText(null));
    }

    public static boolean isTraining(JsonNode record) {
        return "training".equals(record.path(KIND).asText(null));
    }

    public static boolean isLayer(JsonNode record) {
        return !record.has(KIND);
    }

    /** The run id of a record; {@code ""} for records written before run ids existed. */
    public static String runId(JsonNode record) {
        return record.path(RUN).asText("");
    }
}
