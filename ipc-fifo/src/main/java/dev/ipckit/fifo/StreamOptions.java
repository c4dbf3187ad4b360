package dev.ipckit.fifo;

import java.time.Duration;
import java.util.Set;

import dev.ipckit.ChannelUri;

/**
 * The options of one channel end, read and validated once from its URI before anything is opened.
 *
 * @param maxMessage the longest payload.
 * @param many whether several senders may share the channel (producers=many).
 * @param spin whether timed calls busy-retry (wait=spin) instead of sleeping in poll(2).
 * @param capacity the pipe buffer to set, or 0 to leave the kernel's.
 * @param nonblock the O_NDELAY open behaviours (fifo only).
 * @param timeout how long an open waits for its peer, or null for no limit.
 * @param stallNanos how long a half-written large frame waits for room.
 * @param mode the permission bits of a FIFO this end creates (fifo only).
 * @param allowOtherOwner whether an existing FIFO of another user is accepted (fifo only).
 * @param readahead whether a receiver reads in bulk ({@code readahead=true}, the default) or only the bytes of the
 *     frames a poll may deliver ({@code readahead=false}).
 */
record StreamOptions(int maxMessage, boolean many, boolean spin, int capacity, boolean nonblock, Duration timeout,
                     long stallNanos, int mode, boolean allowOtherOwner, boolean readahead) {
    static final Set<String> FIFO = Set.of(FifoConfiguration.NONBLOCK, FifoConfiguration.TIMEOUT,
        FifoConfiguration.CAPACITY, FifoConfiguration.MAX_MESSAGE, FifoConfiguration.PRODUCERS, FifoConfiguration.WAIT,
        FifoConfiguration.STALL, FifoConfiguration.MODE, FifoConfiguration.ALLOW_OTHER_OWNER,
        FifoConfiguration.READAHEAD);
    static final Set<String> PIPE = Set.of(FifoConfiguration.CAPACITY, FifoConfiguration.MAX_MESSAGE,
        FifoConfiguration.PRODUCERS, FifoConfiguration.WAIT, FifoConfiguration.STALL, FifoConfiguration.READAHEAD);

    /**
     * Reads and checks every option; throws before anything is created or opened.
     *
     * @param uri the channel's URI.
     * @param known the options this scheme takes.
     * @return the options.
     */
    static StreamOptions parse(final ChannelUri uri, final Set<String> known) {
        uri.requireOnly(known);
        final boolean many = "many".equals(uri.choice(FifoConfiguration.PRODUCERS, "one", Set.of("one", "many")));
        final long maxMessage = uri.size(FifoConfiguration.MAX_MESSAGE,
            many ? FrameDescriptor.MAX_ATOMIC_PAYLOAD_LENGTH : FifoConfiguration.DEFAULT_MAX_MESSAGE_LENGTH);
        if (many && maxMessage > FrameDescriptor.MAX_ATOMIC_PAYLOAD_LENGTH) {
            throw uri.bad(FifoConfiguration.MAX_MESSAGE, uri.string(FifoConfiguration.MAX_MESSAGE, ""),
                "is above " + FrameDescriptor.MAX_ATOMIC_PAYLOAD_LENGTH + ", the most producers=many allows: a frame is "
                + "atomic only up to PIPE_BUF (" + FrameDescriptor.PIPE_BUF + ") bytes including its "
                + FrameDescriptor.HEADER_LENGTH + "-byte header, and several senders need atomic frames; lower "
                + "maxMessage or use producers=one");
        }
        if (maxMessage > FifoConfiguration.MAX_MESSAGE_LENGTH_LIMIT) {
            throw uri.bad(FifoConfiguration.MAX_MESSAGE, uri.string(FifoConfiguration.MAX_MESSAGE, ""),
                "is above " + FifoConfiguration.MAX_MESSAGE_LENGTH_LIMIT + " (1g), the longest message a FIFO or pipe carries");
        }
        final long capacity = uri.size(FifoConfiguration.CAPACITY, 0);
        if (uri.has(FifoConfiguration.CAPACITY) && (capacity < 1 || capacity > Integer.MAX_VALUE)) {
            throw uri.bad(FifoConfiguration.CAPACITY, uri.string(FifoConfiguration.CAPACITY, ""),
                "is outside 1..2147483647 bytes (the kernel rounds it up to a power-of-two number of pages)");
        }
        final boolean spin = "spin".equals(uri.choice(FifoConfiguration.WAIT, "block", Set.of("block", "spin")));
        final boolean nonblock = uri.bool(FifoConfiguration.NONBLOCK, false);
        final Duration timeout = uri.has(FifoConfiguration.TIMEOUT) ? uri.duration(FifoConfiguration.TIMEOUT, null) : null;
        final Duration stall = uri.duration(FifoConfiguration.STALL, FifoConfiguration.DEFAULT_STALL_TIMEOUT);
        if (stall.isZero()) {
            throw uri.bad(FifoConfiguration.STALL, uri.string(FifoConfiguration.STALL, ""),
                "is zero; a sender needs some time to finish a frame, e.g. stall=30s");
        }
        final int mode = uri.mode(FifoConfiguration.MODE, FifoConfiguration.FIFO_MODE);
        final boolean allowOtherOwner = uri.bool(FifoConfiguration.ALLOW_OTHER_OWNER, false);
        final boolean readahead = uri.bool(FifoConfiguration.READAHEAD, true);
        return new StreamOptions((int) maxMessage, many, spin, (int) capacity, nonblock, timeout, saturatedNanos(stall),
            mode, allowOtherOwner, readahead);
    }

    private static long saturatedNanos(final Duration duration) {
        try {
            return duration.toNanos();
        } catch (final ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * @param nanos a duration.
     * @return it as a URI would give it, e.g. {@code 250ms} or {@code 30s}.
     */
    static String text(final long nanos) {
        if (nanos % 1_000_000_000L == 0) {
            return nanos / 1_000_000_000L + "s";
        }
        if (nanos % 1_000_000L == 0) {
            return nanos / 1_000_000L + "ms";
        }
        if (nanos % 1_000L == 0) {
            return nanos / 1_000L + "us";
        }
        return nanos + "ns";
    }

    /**
     * @return the open timeout in nanoseconds, or -1 for none.
     */
    long timeoutNanos() {
        return timeout == null ? -1 : saturatedNanos(timeout);
    }
}
