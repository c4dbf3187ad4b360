package dev.ipckit;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import dev.ipckit.spi.ChannelProvider;

/**
 * Opens channel ends from URIs. The scheme picks the transport, found through {@link ServiceLoader}:
 * {@code mmap:} when ipckit-mmap is on the class path, {@code fifo:} and {@code pipe:} with ipckit-fifo.
 *
 * <pre>{@code
 * try (Sender sender = Channels.openSender("mmap:orders?capacity=1m")) {
 *     sender.offer(buffer, 0, length, Duration.ofSeconds(1));
 * }
 * }</pre>
 */
public final class Channels {
    private Channels() {
    }

    /**
     * Opens the sending end of the channel a URI names.
     *
     * @param uri such as {@code mmap:orders}, {@code fifo:/tmp/orders.fifo?timeout=5s} or {@code pipe:fd=4}.
     * @return the sender.
     * @throws IllegalArgumentException for an unknown scheme or a bad option.
     * @throws ChannelException when the transport cannot open the channel.
     */
    public static Sender openSender(final String uri) {
        final ChannelUri parsed = ChannelUri.parse(uri);
        return provider(parsed).openSender(parsed);
    }

    /**
     * Opens the receiving end of the channel a URI names.
     *
     * @param uri such as {@code mmap:orders}, {@code fifo:/tmp/orders.fifo?nonblock=true} or {@code pipe:fd=3}.
     * @return the receiver.
     * @throws IllegalArgumentException for an unknown scheme or a bad option.
     * @throws ChannelException when the transport cannot open the channel.
     */
    public static Receiver openReceiver(final String uri) {
        final ChannelUri parsed = ChannelUri.parse(uri);
        return provider(parsed).openReceiver(parsed);
    }

    /**
     * @return the transports on the class path, by scheme.
     */
    public static Map<String, ChannelProvider> providers() {
        return Providers.BY_SCHEME;
    }

    private static ChannelProvider provider(final ChannelUri uri) {
        final ChannelProvider provider = Providers.BY_SCHEME.get(uri.scheme());
        if (provider == null) {
            throw new IllegalArgumentException("unknown channel scheme '" + uri.scheme() + "' in '" + uri.uri()
                + "'; known schemes: " + (Providers.BY_SCHEME.isEmpty() ? "none" : String.join(", ", Providers.BY_SCHEME.keySet()))
                + " (a transport is known when its module, e.g. ipckit-mmap, is on the class path)");
        }
        return provider;
    }

    private static final class Providers {
        static final Map<String, ChannelProvider> BY_SCHEME;

        static {
            final Map<String, ChannelProvider> byScheme = new TreeMap<>();
            for (final ChannelProvider provider : ServiceLoader.load(ChannelProvider.class, Channels.class.getClassLoader())) {
                byScheme.putIfAbsent(provider.scheme(), provider);
            }
            BY_SCHEME = java.util.Collections.unmodifiableMap(byScheme);
        }
    }
}
