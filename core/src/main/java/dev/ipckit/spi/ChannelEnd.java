package dev.ipckit.spi;

import dev.ipckit.Channel;
import dev.ipckit.ChannelClosedException;

/**
 * The skeleton every channel end of ipckit is built on: its URI, role and longest message, the {@link CloseGate} that makes
 * {@link #close()} safe from a handler and from another thread, the checks after close, and the release of the
 * end's resources exactly once. A transport writes what is its own (the I/O, the wait loop, what {@link #release()}
 * lets go); the shape of close and of a timed call is here and nowhere else.
 *
 * <pre>{@code
 * public int poll(MessageHandler handler, int limit, Duration timeout) {
 *     try {
 *         enterWait();                       // throws ChannelClosedException on a closed end
 *         ...                                // the transport's wait loop: checkOpen() after each slice
 *     } finally {
 *         leaveWait();                       // releases the end if a close handed the release to this thread
 *     }
 * }
 *
 * private int deliver(...) {
 *     enterCallback();
 *     try {
 *         ...                                // run the handler, which may close this end
 *     } finally {
 *         leaveCallback();
 *     }
 * }
 * }</pre>
 *
 * <p>Every method of a closed end but {@link #close()}, {@link #isClosed()}, {@link #uri()} and
 * {@link #maxMessageLength()} throws {@link ChannelClosedException}: a transport calls {@link #checkOpen()} first in
 * each (one volatile load).
 */
public abstract class ChannelEnd implements Channel {
    private final CloseGate gate = new CloseGate();
    private final String role;
    /** The URI the end was opened with, for messages. */
    protected final String uri;
    /** The longest message, in bytes, this end sends or receives. */
    protected final int maxMessage;
    private boolean released;
    private final Runnable wakeWaiter = this::wakeWaiter;

    /**
     * @param role "sender" or "receiver", for messages.
     * @param uri the URI the end was opened with.
     * @param maxMessage the longest message, in bytes.
     */
    protected ChannelEnd(final String role, final String uri, final int maxMessage) {
        this.role = role;
        this.uri = uri;
        this.maxMessage = maxMessage;
    }

    @Override
    public final String uri() {
        return uri;
    }

    @Override
    public final int maxMessageLength() {
        return maxMessage;
    }

    @Override
    public final boolean isClosed() {
        return gate.isClosed();
    }

    /**
     * Closes this end: idempotent. Called from this end's own handler, the end stops delivering after that message
     * ({@link #closedFromCallback()}) and is released when the poll returns; called from another thread while this
     * end waits in a timed call, it ends that wait (the call throws {@link ChannelClosedException}) and the end is
     * released once the waiting thread has left, at most {@link CloseGate#DEFAULT_LEAVE_TIMEOUT_NANOS} later (or by
     * that thread on its way out).
     */
    @Override
    public final void close() {
        if (gate.close(CloseGate.DEFAULT_LEAVE_TIMEOUT_NANOS, wakeWaiter)) {
            releaseOnce();
        } else if (gate.isClosed()) {
            closedFromCallback();
        }
    }

    /**
     * Called by {@link #close()} from another thread while a thread waits in a timed call, after the end is marked
     * closed: an end whose wait no look at {@link #isClosed()} ends soon (a thread asleep in a blocking system call)
     * ends it here. Does nothing by default: the waits of most ends are slices that look at {@link #isClosed()}.
     */
    protected void wakeWaiter() {
    }

    /**
     * Called by {@link #close()} when the release is left to a thread in a call (a handler closed the end, or a
     * waiter did not leave in time), on the closing thread; a receiver stops delivering its batch here. Does nothing
     * by default.
     */
    protected void closedFromCallback() {
    }

    /**
     * Lets go of what the end holds (mappings, descriptors, locks, sessions). Called exactly once, by the thread
     * that closed the end or by the one that was in a call when it was closed, never while another thread is in a
     * call of this end.
     */
    protected abstract void release();

    private synchronized void releaseOnce() {
        if (!released) {
            released = true;
            release();
        }
    }

    /**
     * @throws ChannelClosedException when this end is closed, naming it.
     */
    protected final void checkOpen() {
        if (gate.isClosed()) {
            throw closed();
        }
    }

    /**
     * @return the exception a call on this closed end throws.
     */
    protected final ChannelClosedException closed() {
        return ChannelClosedException.of(role, uri);
    }

    /**
     * The calling thread is about to wait in a timed call; call it first inside the {@code try} whose
     * {@code finally} calls {@link #leaveWait()}.
     *
     * @throws ChannelClosedException when this end is closed.
     */
    protected final void enterWait() {
        if (!gate.beginWait()) {
            throw closed();
        }
    }

    /**
     * The calling thread has left its timed call; call it in a {@code finally}. Releases the end when a close
     * handed the release to this thread.
     */
    protected final void leaveWait() {
        if (gate.endWait()) {
            releaseOnce();
        }
    }

    /**
     * The calling thread is about to run the end's handler.
     */
    protected final void enterCallback() {
        gate.beginCallback();
    }

    /**
     * The handler calls of a poll are over; call it in a {@code finally}. Releases the end when the handler closed
     * it.
     */
    protected final void leaveCallback() {
        if (gate.endCallback()) {
            releaseOnce();
        }
    }

    /**
     * @return what {@link #toString()} says between the URI and the closed mark, e.g. ", " + the file.
     */
    protected String describe() {
        return "";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + uri + describe() + (gate.isClosed() ? ", closed" : "") + "]";
    }
}
