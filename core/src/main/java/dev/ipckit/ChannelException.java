package dev.ipckit;

/**
 * Base of every exception ipckit throws for a channel that cannot go on. Unchecked: a full channel is not
 * an exception (offer returns false), a dead peer or a failed system call is.
 */
public class ChannelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message a sentence that names the channel and says what to do.
     */
    public ChannelException(final String message) {
        super(message);
    }

    /**
     * @param message a sentence that names the channel and says what to do.
     * @param cause the underlying failure.
     */
    public ChannelException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
