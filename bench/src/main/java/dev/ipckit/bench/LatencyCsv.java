package dev.ipckit.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes {@code latency.csv}: one line per row, round trips in nanoseconds.
 *
 * <pre>
 * name,kind,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,samples
 * mmap/spin,ipckit,412,455,701,2203,18431,100000
 * c/futex,limit,,,,,,0          (a row without figures: empty values, 0 samples)
 * </pre>
 */
public final class LatencyCsv {
    /** The first line. */
    public static final String HEADER = "name,kind,p50_ns,p90_ns,p99_ns,p999_ns,max_ns,samples";

    private LatencyCsv() {
    }

    /**
     * @param results the rows, in order.
     * @return the file's lines, header first.
     */
    public static List<String> lines(final List<RowResult> results) {
        final List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        for (final RowResult result : results) {
            final String head = result.row().name() + "," + result.row().kind().label() + ",";
            if (result.ok()) {
                lines.add(head + result.nanosAt(50) + "," + result.nanosAt(90) + "," + result.nanosAt(99) + ","
                    + result.nanosAt(99.9) + "," + result.histogram().getMaxValue() + ","
                    + result.histogram().getTotalCount());
            } else {
                lines.add(head + ",,,,,0");
            }
        }
        return lines;
    }

    /**
     * Writes the file, replacing any earlier one.
     *
     * @param file where.
     * @param results the rows, in order.
     * @throws IOException when it cannot be written.
     */
    public static void write(final Path file, final List<RowResult> results) throws IOException {
        Files.write(file, lines(results), StandardCharsets.UTF_8);
    }
}
