package dev.ipckit;

/**
 * This end was closed by its owner and cannot be used any more.
 */
public class ChannelClosedException extends ChannelException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the channel that was closed.
     */
    public ChannelClosedException(final String message) {
        super(message);
    }

    /**
     * Builds the standard message for use after close.
     *
     * @param role "sender" or "receiver".
     * @param uri the channel's URI.
     * @return the exception to throw.
     */
    public static ChannelClosedException of(final String role, final String uri) {
        return new ChannelClosedException(role + " for " + uri + " is closed; open a new one with Channels.open"
            + ("sender".equals(role) ? "Sender" : "Receiver"));
    }
}
