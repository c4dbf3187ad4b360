package dev.ipckit.bench;

import java.io.PrintStream;

/**
 * Progress lines of a run, each prefixed with the group or row being measured, e.g.
 * {@code bench [ 3/6] mmap/signal   ...}; a long phase adds a line every few seconds.
 */
final class Progress {
    private static final long INTERVAL_NANOS = 3_000_000_000L;

    private final PrintStream out;
    private String head = "bench: ";
    private String prefix = "bench: ";
    private final long[] nextTick;

    /**
     * @param out where the lines go (standard error in the command line); null prints nothing.
     */
    public Progress(final PrintStream out) {
        this(out, new long[1]);
    }

    private Progress(final PrintStream out, final long[] nextTick) {
        this.out = out;
        this.nextTick = nextTick;
    }

    /**
     * Starts the lines of a row run on its own.
     *
     * @param index the row's position, from 1.
     * @param total how many rows the run has.
     * @param name the row's name.
     */
    public void row(final int index, final int total, final String name) {
        group(index, total, name);
    }

    /**
     * Starts the lines of a group of rows run interleaved.
     *
     * @param index the group's position, from 1.
     * @param total how many groups the run has.
     * @param label e.g. the rows' names.
     */
    public void group(final int index, final int total, final String label) {
        head = String.format("%s [%2d/%d] ", out == null ? "" : "bench", index, total);
        prefix = head + String.format("%-13s ", label);
        nextTick[0] = System.nanoTime() + INTERVAL_NANOS;
    }

    /**
     * @param name a row of the current group.
     * @return progress lines prefixed with that row (and the group's number), to the same stream.
     */
    public Progress forRow(final String name) {
        final Progress row = new Progress(out, nextTick);
        row.head = head;
        row.prefix = head + String.format("%-13s ", name);
        return row;
    }

    /**
     * Prints a line.
     *
     * @param text the line, after the row's prefix.
     */
    public void line(final String text) {
        if (out != null) {
            out.println(prefix + text);
            out.flush();
        }
    }

    /**
     * Prints a line when the last one is a few seconds old.
     *
     * @param now {@link System#nanoTime()}.
     * @param phase e.g. "warm-up" or "timed".
     * @param done round trips done in this phase.
     * @param of round trips planned in this phase.
     */
    public void tick(final long now, final String phase, final long done, final long of) {
        if (now - nextTick[0] >= 0) {
            nextTick[0] = now + INTERVAL_NANOS;
            line(String.format("%s: %,d of %,d round trips", phase, done, of));
        }
    }
}
