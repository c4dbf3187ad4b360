package dev.ipckit.examples;

/**
 * An example loop's progress line: at most once a second, how many messages it has handled so far and at what rate
 * since the previous line, e.g. {@code publisher: 1,234,567 sent (2,345,678 msgs/s)}.
 */
final class ProgressLine {
    private static final long INTERVAL_NANOS = 1_000_000_000L;

    private final String format;
    private long lastReport = System.nanoTime();
    private long lastCount;

    /**
     * @param who the example's name, e.g. "publisher".
     * @param verb what happened to the messages, e.g. "sent".
     */
    ProgressLine(final String who, final String verb) {
        this.format = who + ": %,d " + verb + " (%,.0f msgs/s)%n";
    }

    /**
     * Prints the line when a second has passed since the last one.
     *
     * @param count the messages handled so far.
     */
    void update(final long count) {
        final long now = System.nanoTime();
        if (now - lastReport >= INTERVAL_NANOS) {
            System.out.printf(format, count, (count - lastCount) * 1e9 / (now - lastReport));
            lastReport = now;
            lastCount = count;
        }
    }
}
