package dev.ipckit.aeron;

import dev.ipckit.ChannelUri;
import dev.ipckit.Receiver;
import dev.ipckit.Sender;
import dev.ipckit.spi.ChannelProvider;

/**
 * The {@code aeron:} transport: the same {@link dev.ipckit.Channel} past one host, over Aeron's reliable UDP
 * unicast, with a media driver embedded in each end by default.
 *
 * <pre>
 * aeron:udp?endpoint=HOST:PORT&amp;interface=ADDR&amp;termLength=1m&amp;mtu=1408&amp;stream=1001
 *          &amp;driver=embedded|external&amp;aeron.dir=DIR&amp;peerTimeout=5s&amp;timeout=30s&amp;linger=5s
 * </pre>
 *
 * The receiver binds the endpoint; the sender sends to it. Options are described in {@link AeronOptions}, the ends'
 * behaviour in {@link AeronSender} and {@link AeronReceiver}.
 */
public final class AeronChannelProvider implements ChannelProvider {
    /** The URI scheme, {@value}. */
    public static final String SCHEME = "aeron";

    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public AeronChannelProvider() {
    }

    @Override
    public String scheme() {
        return SCHEME;
    }

    @Override
    public Sender openSender(final ChannelUri uri) {
        return AeronSender.open(uri, AeronOptions.parse(uri));
    }

    @Override
    public Receiver openReceiver(final ChannelUri uri) {
        return AeronReceiver.open(uri, AeronOptions.parse(uri));
    }
}
