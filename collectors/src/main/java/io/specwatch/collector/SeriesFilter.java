package io.specwatch.collector;

import java.util.regex.Pattern;

/**
 * Per-layer series left out of the export to keep the number of series affordable: the ESD gauge
 * histogram (27 series a layer: 25 buckets, count and sum) and the top singular values (k series
 * a layer), each for the layers a pattern finds. The history and the live page keep everything.
 *
 * @param noEsd                layers (found anywhere in the name) without {@code spectral_esd}; null: none
 * @param noTopSingularValues  layers without {@code spectral_top_singular_value}; null: none
 */
public record SeriesFilter(Pattern noEsd, Pattern noTopSingularValues) {

    /** Everything exported. */
    public static final SeriesFilter NONE = new SeriesFilter(null, null);

    /** From regex strings; null (or blank) leaves that family for every layer. */
    public static SeriesFilter of(String noEsd, String noTopSingularValues) {
        return new SeriesFilter(compile(noEsd), compile(noTopSingularValues));
    }

    /** True when {@code layer}'s ESD is exported. */
    public boolean exportsEsd(String layer) {
        return noEsd == null || !noEsd.matcher(layer).find();
    }

    /** True when {@code layer}'s top singular values are exported. */
    public boolean exportsTopSingularValues(String layer) {
        return noTopSingularValues == null || !noTopSingularValues.matcher(layer).find();
    }

    private static Pattern compile(String regex) {
        return regex == null || regex.isBlank() ? null : Pattern.compile(regex);
    }
}
