package dev.ipckit.bench;

/**
 * What a throughput segment counted: whole messages of the segment's length received, their bytes, and the time.
 *
 * @param messages messages received.
 * @param bytes their payload bytes.
 * @param nanos how long the counting took.
 */
public record Rate(long messages, long bytes, long nanos) {
    /** Nothing. */
    public static final Rate NONE = new Rate(0, 0, 0);

    /**
     * @return messages per second; NaN when no time was counted.
     */
    public double messagesPerSecond() {
        return nanos == 0 ? Double.NaN : messages * 1e9 / nanos;
    }

    /**
     * @return payload megabytes (10^6 bytes) per second; NaN when no time was counted.
     */
    public double megabytesPerSecond() {
        return nanos == 0 ? Double.NaN : bytes * 1e3 / nanos;
    }

    /**
     * @param other another count.
     * @return both together.
     */
    public Rate plus(final Rate other) {
        return new Rate(messages + other.messages, bytes + other.bytes, nanos + other.nanos);
    }
}
