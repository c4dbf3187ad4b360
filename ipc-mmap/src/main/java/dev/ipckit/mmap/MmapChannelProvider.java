package dev.ipckit.mmap;

import dev.ipckit.ChannelUri;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.spi.ChannelProvider;

/**
 * The {@code mmap:} transport, registered through {@code META-INF/services}: a ring file shared with
 * {@code MAP_SHARED}. See {@link MmapOptions} for the URI and {@link RingFileDescriptor} for the file.
 *
 * <pre>{@code
 * Sender sender = Channels.openSender("mmap:orders?capacity=1m&wait=futex");
 * Receiver receiver = Channels.openReceiver("mmap:orders");   // adopts the file's capacity and wait mode
 * }</pre>
 */
public final class MmapChannelProvider implements ChannelProvider {
    /**
     * Creates the provider; {@link java.util.ServiceLoader} calls this.
     */
    public MmapChannelProvider() {
    }

    @Override
    public String scheme() {
        return "mmap";
    }

    @Override
    public Sender openSender(final ChannelUri uri) {
        return MmapSender.open(MmapOptions.parse(uri));
    }

    @Override
    public Receiver openReceiver(final ChannelUri uri) {
        return MmapReceiver.open(MmapOptions.parse(uri));
    }
}
