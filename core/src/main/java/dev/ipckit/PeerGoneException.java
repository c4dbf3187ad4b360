package dev.ipckit;

/**
 * The other end of the channel died or closed. A receiver sees this only after every message sent before
 * the peer left has been delivered; a sender sees it at once.
 */
public class PeerGoneException extends ChannelException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the channel and, where known, the peer's pid.
     */
    public PeerGoneException(final String message) {
        super(message);
    }

    /**
     * @param message names the channel and, where known, the peer's pid.
     * @param cause the underlying failure, such as EPIPE.
     */
    public PeerGoneException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
