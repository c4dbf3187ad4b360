package dev.ipckit;

/**
 * One end of a message channel between two processes (or threads) on one Linux host.
 *
 * <p>A channel carries whole messages of 0..{@link #maxMessageLength()} bytes, in order, each delivered
 * exactly once while both ends live. No transport delivers a torn or partial message. When the peer
 * is gone (its process died or it closed its end) a {@link Receiver} first drains what was sent and then
 * throws {@link PeerGoneException}; a {@link Sender} throws it at once.
 *
 * <p>{@link PeerGoneException#reason()} says how the peer left: {@code CLOSED}, {@code DIED} (its process ended
 * without closing its end) or {@code CUT} (a FIFO or pipe stream ended in the middle of a frame), and
 * {@link PeerGoneException#peerPid()} names it where the transport knows it. A receiver always knows: a ring
 * keeps its senders' pids and role locks; a FIFO or pipe sender writes a HELLO control frame with its pid before
 * its first message and a BYE frame when it closes, so end of file without BYE means it died. A ring sender
 * knows how its receiver left too. A FIFO or pipe sender cannot: the kernel reports EPIPE whether the receiver
 * closed or was killed, and a one-way stream carries no word back, so it reports {@code CLOSED} and says in its
 * message that it cannot tell; a FIFO sender names the receiver's pid, learnt at open, and whether that process
 * still runs.
 *
 * <p>A thread interrupted while it waits in a timed call ({@code offer} or {@code poll} with a timeout, or a
 * blocking open) returns promptly with {@link ChannelInterruptedException}, keeping its interrupt status; the end
 * stays open (see that class).
 *
 * <p>Ends are not thread-safe: one thread at a time uses an end, as with Agrona's ring buffers. Two
 * exceptions concern {@link #close()}: a receiver's own handler may close it (the poll delivers nothing after
 * that message, and the end is released when the poll returns); and another thread may close an end while a
 * timed {@code poll} or {@code offer} is in progress on it (that call ends with {@link ChannelClosedException},
 * and close returns once it has left, so nothing it still uses is released under it). {@link #close()} is
 * idempotent and releases every descriptor, mapping and lock the end holds. After close, {@link #uri()},
 * {@link #maxMessageLength()} and {@link #isClosed()} keep answering (they are fixed properties of the end and
 * touch nothing close released); every other call ({@code offer} and {@code poll} in every form, whatever their
 * arguments, and {@link #isPeerAlive()}) throws {@link ChannelClosedException}.
 */
public interface Channel extends AutoCloseable {

    /**
     * The URI this end was opened with, e.g. {@code mmap:/dev/shm/orders?capacity=1m}.
     *
     * @return the URI as given to {@link Channels}.
     */
    String uri();

    /**
     * The longest message this channel carries, in bytes.
     *
     * @return the maximum payload length.
     */
    int maxMessageLength();

    /**
     * Whether the other end is known to be alive right now. A transport that cannot know before the
     * peer first connects (a FIFO nobody has opened yet) answers {@code true} until it has seen the
     * peer leave. The answer may be stale as soon as it is returned.
     *
     * @return {@code false} once the peer has died or closed its end.
     * @throws ChannelClosedException when this end is closed.
     */
    boolean isPeerAlive();

    /**
     * Whether {@link #close()} has been called on this end.
     *
     * @return true after close.
     */
    boolean isClosed();

    /**
     * Releases every descriptor, mapping and lock this end holds. Idempotent; never throws for a
     * second call.
     */
    @Override
    void close();
}
