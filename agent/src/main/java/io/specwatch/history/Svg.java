package io.specwatch.history;

import java.util.Locale;

/** A few SVG primitives as text, for the static report. */
final class Svg {

    private final StringBuilder out = new StringBuilder();

    Svg(int width, int height, String cls) {
        out.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">",
                cls, width, height, width, height));
    }

    Svg rect(double x, double y, double w, double h, String fill, String cls, String title) {
        out.append(String.format(Locale.ROOT, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                cls, x, y, Math.max(0, w), Math.max(0, h), fill));
        if (title != null) {
            out.append("<title>").append(escape(title)).append("</title>");
        }
        out.append("</rect>");
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String stroke, String cls) {
        out.append(String.format(Locale.ROOT, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>",
                cls, x1, y1, x2, y2, stroke));
        return this;
    }

    Svg polyline(StringBuilder points, String stroke, String cls) {
        out.append(String.format(Locale.ROOT, "<polyline class=\"%s\" points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>",
                cls, points, stroke));
        return this;
    }

    Svg text(double x, double y, String s, String anchor) {
        out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"%s\">%s</text>",
                x, y, anchor, escape(s)));
        return this;
    }

    @Override
    public String toString() {
        return out + "</svg>";
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
