package dev.ipckit;

/**
 * The thread was interrupted while it waited in a timed call ({@code offer} or {@code poll} with a timeout, or a
 * blocking open). Every transport and wait mode behaves the same way: the call returns promptly (it never spins
 * or sleeps on until its deadline), throws this exception, and leaves the thread's interrupt status set, as
 * {@link java.nio.channels.ClosedByInterruptException} does for NIO channels. Unlike NIO, the end stays open
 * and usable: nothing was written or consumed by the interrupted call, so a caller that clears the interrupt
 * may carry on.
 *
 * <p>A call that does not wait ({@code offer} and {@code poll} without a timeout) ignores the interrupt status.
 */
public class ChannelInterruptedException extends ChannelException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the call and the channel.
     */
    public ChannelInterruptedException(final String message) {
        super(message);
    }

    /**
     * Throws when the current thread's interrupt status is set, keeping the status.
     *
     * @param call what was waiting, e.g. {@code "poll"}.
     * @param uri the channel's URI, for the message.
     * @throws ChannelInterruptedException when the current thread is interrupted.
     */
    public static void checkInterrupt(final String call, final String uri) {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(call, uri);
        }
    }

    /**
     * @param call what was waiting, e.g. {@code "poll"}.
     * @param uri the channel's URI, for the message.
     * @return the exception to throw; the caller keeps (or restores) the interrupt status.
     */
    public static ChannelInterruptedException interrupted(final String call, final String uri) {
        return new ChannelInterruptedException(call + " on '" + uri + "' was interrupted: the thread's interrupt "
            + "status is set and kept, nothing was written or consumed by this call, and the end stays open; clear the "
            + "interrupt (Thread.interrupted()) to use it again, or close it");
    }
}
