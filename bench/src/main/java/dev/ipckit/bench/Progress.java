package dev.ipckit.bench;

import java.io.PrintStream;

/**
 * Progress lines of a ping-pong run, each prefixed with the row being measured, e.g.
 * {@code bench [ 3/16] mmap/signal  ...}; a long row adds a line every few seconds.
 */
final class Progress {
    private static final long INTERVAL_NANOS = 3_000_000_000L;

    private final PrintStream out;
    private String prefix = "bench: ";
    private long nextTick;

    /**
     * @param out where the lines go (standard error in the command line); null prints nothing.
     */
    public Progress(final PrintStream out) {
        this.out = out;
    }

    /**
     * Starts the lines of a row.
     *
     * @param index the row's position, from 1.
     * @param total how many rows the run has.
     * @param name the row's name.
     */
    public void row(final int index, final int total, final String name) {
        prefix = String.format("bench [%2d/%d] %-13s ", index, total, name);
        nextTick = System.nanoTime() + INTERVAL_NANOS;
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
        if (now - nextTick >= 0) {
            nextTick = now + INTERVAL_NANOS;
            line(String.format("%s: %,d of %,d round trips", phase, done, of));
        }
    }
}
