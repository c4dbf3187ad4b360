package dev.ipckit;

/**
 * The other end of the channel died or closed. A receiver sees this only after every message sent before
 * the peer left has been delivered; a sender sees it at once.
 *
 * <p>{@link #reason()} tells how the peer left, so that a program can tell a finished stream from a crashed one:
 * {@link Reason#CLOSED} when it closed its end (or its process exited normally with the end closed),
 * {@link Reason#DIED} when its process ended without closing (kill -9, a crash), and {@link Reason#CUT} when a
 * byte-stream transport (FIFO, pipe) saw the stream end part-way through a frame, which only a sender that
 * stopped in the middle of a write can cause.
 */
public class PeerGoneException extends ChannelException {
    private static final long serialVersionUID = 1L;

    /**
     * How the peer left.
     */
    public enum Reason {
        /** The peer closed its end: a finished stream. */
        CLOSED,
        /** The peer's process ended without closing its end (kill -9, a crash, an exit with the end open). */
        DIED,
        /** A byte stream ended in the middle of a frame: the sender stopped part-way through a write. */
        CUT;

        /**
         * @return whether the peer left without finishing: {@link #DIED} or {@link #CUT}.
         */
        public boolean isAbnormal() {
            return this != CLOSED;
        }
    }

    private final Reason reason;
    private final int peerPid;

    /**
     * @param reason how the peer left.
     * @param peerPid the peer's process id, or 0 when the transport cannot know it.
     * @param message names the channel and, where known, the peer's pid.
     */
    public PeerGoneException(final Reason reason, final int peerPid, final String message) {
        super(message);
        this.reason = java.util.Objects.requireNonNull(reason, "reason");
        this.peerPid = peerPid;
    }

    /**
     * @param reason how the peer left.
     * @param peerPid the peer's process id, or 0 when the transport cannot know it.
     * @param message names the channel and, where known, the peer's pid.
     * @param cause the underlying failure, such as EPIPE.
     */
    public PeerGoneException(final Reason reason, final int peerPid, final String message, final Throwable cause) {
        super(message, cause);
        this.reason = java.util.Objects.requireNonNull(reason, "reason");
        this.peerPid = peerPid;
    }

    /**
     * @return how the peer left: closed, died or cut a frame.
     */
    public Reason reason() {
        return reason;
    }

    /**
     * @return the peer's process id, or 0 when the transport could not know it (a pipe's writer, a FIFO).
     */
    public int peerPid() {
        return peerPid;
    }
}
