package dev.ipckit.spi;

import dev.ipckit.ChannelUri;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;

/**
 * A transport, found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/dev.ipckit.spi.ChannelProvider}. One provider serves one URI scheme.
 */
public interface ChannelProvider {

    /**
     * @return the URI scheme this provider serves, lower case, e.g. {@code mmap}.
     */
    String scheme();

    /**
     * Opens a sending end.
     *
     * @param uri parsed, with {@link ChannelUri#scheme()} equal to {@link #scheme()}.
     * @return the sender.
     */
    Sender openSender(ChannelUri uri);

    /**
     * Opens a receiving end.
     *
     * @param uri parsed, with {@link ChannelUri#scheme()} equal to {@link #scheme()}.
     * @return the receiver.
     */
    Receiver openReceiver(ChannelUri uri);
}
