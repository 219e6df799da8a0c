package io.specwatch.engine;

import java.util.Locale;

/**
 * Where spectra are computed: {@code auto} (a GPU when one is usable, else the CPU), {@code cpu},
 * or {@code cuda[:N]} (GPU N, default 0; an error when it is not usable).
 *
 * @param kind  which
 * @param index the CUDA device ordinal (0 unless {@code cuda:N})
 */
public record ComputeDevice(Kind kind, int index) {

    /** The three choices. */
    public enum Kind { AUTO, CPU, CUDA }

    public static final ComputeDevice AUTO = new ComputeDevice(Kind.AUTO, 0);
    public static final ComputeDevice CPU = new ComputeDevice(Kind.CPU, 0);

    public ComputeDevice {
        if (index < 0) {
            throw new IllegalArgumentException("device index must be >= 0, got " + index);
        }
    }

    /**
     * Reads {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static ComputeDevice parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "auto":
                return AUTO;
            case "cpu":
                return CPU;
            case "cuda":
                return new ComputeDevice(Kind.CUDA, 0);
            default:
                if (t.startsWith("cuda:") && t.length() > 5 && t.length() <= 8 && t.substring(5).chars().allMatch(Character::isDigit)) {
                    return new ComputeDevice(Kind.CUDA, Integer.parseInt(t.substring(5)));
                }
                throw new IllegalArgumentException("device must be auto, cpu, cuda or cuda:N, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case AUTO -> "auto";
            case CPU -> "cpu";
            case CUDA -> "cuda:" + index;
        };
    }
}
