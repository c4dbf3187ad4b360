package dev.ipckit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes {@code latency.svg}: round-trip time against percentile, one line per measured row, in the manner of
 * HdrHistogram's plotter. The x axis is {@code log10(1 / (1 - p))}, so 90%, 99%, 99.9%, ... are evenly spaced; the
 * y axis is the round trip on a log scale. ipckit rows are solid lines, C limits dashed, peers dotted; the legend
 * names every row (a row without figures is listed as such, without a line).
 *
 * <p>Each row's line is a {@code <polyline>} inside {@code <g class="row" data-row="NAME">}.
 */
public final class PercentilePlot {
    private static final int WIDTH = 980;
    private static final int HEIGHT = 580;
    private static final int LEFT = 80;
    private static final int TOP = 56;
    private static final int RIGHT = 250;
    private static final int BOTTOM = 56;
    private static final int MAX_NINES = 7;
    private static final String[] COLOURS = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd"};

    private PercentilePlot() {
    }

    /**
     * Writes the plot, replacing any earlier file.
     *
     * @param file where.
     * @param results the rows, in order.
     * @param title the plot's title.
     * @param subtitle a second line, e.g. the run's settings.
     * @throws IOException when it cannot be written.
     */
    public static void write(final Path file, final List<RowResult> results, final String title, final String subtitle)
        throws IOException {
        Files.writeString(file, svg(results, title, subtitle), StandardCharsets.UTF_8);
    }

    /**
     * @param results the rows, in order.
     * @param title the plot's title.
     * @param subtitle a second line.
     * @return the SVG document.
     */
    public static String svg(final List<RowResult> results, final String title, final String subtitle) {
        long maxCount = 10;
        long minValue = Long.MAX_VALUE;
        long maxValue = 1;
        for (final RowResult result : results) {
            if (result.ok()) {
                final Histogram histogram = result.histogram();
                maxCount = Math.max(maxCount, histogram.getTotalCount());
                minValue = Math.min(minValue, Math.max(1, histogram.getMinValue()));
                maxValue = Math.max(maxValue, histogram.getMaxValue());
            }
        }
        if (minValue == Long.MAX_VALUE) {
            minValue = 100;
            maxValue = 1_000_000;
        }
        final int nines = (int) Math.min(MAX_NINES, Math.max(1, Math.ceil(Math.log10(maxCount))));
        final int lowDecade = (int) Math.floor(Math.log10(minValue));
        final int highDecade = Math.max(lowDecade + 1, (int) Math.ceil(Math.log10(maxValue)));
        final Scale scale = new Scale(nines, lowDecade, highDecade);

        final StringBuilder svg = new StringBuilder(64 * 1024);
        svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>%n",
            WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT,
            "<text x=\"%d\" y=\"22\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", LEFT, xml(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"40\" fill=\"#555\">%s</text>%n", LEFT,
            xml(subtitle)));
        axes(svg, scale);
        int index = 0;
        for (final RowResult result : results) {
            if (result.ok()) {
                line(svg, result, scale, index);
            }
            index++;
        }
        legend(svg, results);
        svg.append("</svg>\n");
        return svg.toString();
    }

    private record Scale(int nines, int lowDecade, int highDecade) {
        double x(final double ninesValue) {
            return LEFT + (WIDTH - LEFT - RIGHT) * ninesValue / nines;
        }

        double y(final double nanos) {
            final double decades = Math.log10(Math.max(1.0, nanos)) - lowDecade;
            return HEIGHT - BOTTOM - (HEIGHT - TOP - BOTTOM - 10) * decades / (highDecade - lowDecade);
        }
    }

    private static void axes(final StringBuilder svg, final Scale scale) {
        final double x0 = scale.x(0);
        final double x1 = scale.x(scale.nines());
        final double y0 = scale.y(Math.pow(10, scale.lowDecade()));
        final double y1 = scale.y(Math.pow(10, scale.highDecade()));
        svg.append("<g class=\"axes\" stroke=\"#ccc\" stroke-width=\"1\">\n");
        for (int n = 0; n <= scale.nines(); n++) {
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
                scale.x(n), y0, scale.x(n), y1));
        }
        for (int d = scale.lowDecade(); d <= scale.highDecade(); d++) {
            final double y = scale.y(Math.pow(10, d));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>%n",
                x0, y, x1, y));
        }
        svg.append("</g>\n");
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>%n",
            x0, y1, x1 - x0, y0 - y1));
        svg.append("<g class=\"labels\" fill=\"#333\">\n");
        for (int n = 0; n <= scale.nines(); n++) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                scale.x(n), y0 + 18, percentileLabel(n)));
        }
        for (int d = scale.lowDecade(); d <= scale.highDecade(); d++) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                x0 - 6, scale.y(Math.pow(10, d)) + 4, durationLabel(d)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">percentile</text>%n",
            (x0 + x1) / 2, y0 + 40.0));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(18 %.1f) rotate(-90)\" "
            + "text-anchor=\"middle\">round trip (log scale)</text>%n", (y0 + y1) / 2));
        svg.append("</g>\n");
    }

    private static void line(final StringBuilder svg, final RowResult result, final Scale scale, final int index) {
        final Histogram histogram = result.histogram();
        final double lastNines = Math.min(scale.nines(), Math.log10(histogram.getTotalCount()));
        final List<String> points = new ArrayList<>();
        for (final HistogramIterationValue value : histogram.percentiles(5)) {
            final double p = value.getPercentileLevelIteratedTo() / 100.0;
            final double nines = p >= 1.0 ? lastNines : Math.min(lastNines, Math.log10(1.0 / (1.0 - p)));
            points.add(String.format(Locale.ROOT, "%.1f,%.1f", scale.x(nines),
                scale.y(value.getValueIteratedTo())));
            if (p >= 1.0 || nines >= lastNines) {
                break;
            }
        }
        final String name = result.row().name();
        svg.append(String.format(Locale.ROOT, "<g class=\"row\" data-row=\"%s\">%n", xml(name)));
        svg.append(String.format(Locale.ROOT, "<title>%s (%s): p50 %d ns, p99 %d ns, max %d ns, %d samples</title>%n",
            xml(name), result.row().kind().label(), result.nanosAt(50), result.nanosAt(99), histogram.getMaxValue(),
            histogram.getTotalCount()));
        svg.append(String.format(Locale.ROOT,
            "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>%n",
            colour(index), dash(result.row().kind()), String.join(" ", points)));
        svg.append("</g>\n");
    }

    private static void legend(final StringBuilder svg, final List<RowResult> results) {
        final double x = WIDTH - RIGHT + 20;
        double y = TOP + 6;
        svg.append("<g class=\"legend\">\n");
        int index = 0;
        for (final RowResult result : results) {
            final String name = xml(result.row().name());
            if (result.ok()) {
                svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    x, y, x + 28, y, colour(index), dash(result.row().kind())));
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", x + 36, y + 4, name));
            } else {
                svg.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" fill=\"#999\">%s (no figures)</text>%n", x + 36, y + 4, name));
            }
            y += 18;
            index++;
        }
        for (final String key : new String[] {"solid: ipckit", "dashed: C limit", "dotted: peer"}) {
            y += 16;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%s</text>%n", x, y, key));
        }
        svg.append("</g>\n");
    }

    private static String colour(final int index) {
        return COLOURS[index % COLOURS.length];
    }

    private static String dash(final RowKind kind) {
        return switch (kind) {
            case IPCKIT -> "";
            case LIMIT -> " stroke-dasharray=\"7 4\"";
            case PEER -> " stroke-dasharray=\"2 3\"";
        };
    }

    private static String percentileLabel(final int nines) {
        return switch (nines) {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            default -> "99." + "9".repeat(nines - 2) + "%";
        };
    }

    private static String durationLabel(final int decade) {
        final String[] units = {"ns", "\u00b5s", "ms", "s"};
        final int unit = Math.min(units.length - 1, Math.max(0, decade / 3));
        final long value = Math.round(Math.pow(10, decade - 3 * unit));
        return value + " " + units[unit];
    }

    /**
     * @param text any text.
     * @return it with XML's special characters escaped.
     */
    static String xml(final String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
            .replace("'", "&apos;");
    }
}
