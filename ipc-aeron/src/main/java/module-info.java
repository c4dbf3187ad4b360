/**
 * The {@code aeron:udp} transport: the {@link dev.ipckit.Channel} contract over Aeron UDP, past one host, with an
 * embedded media driver started on demand or an external one.
 */
@SuppressWarnings({"requires-automatic"})
module dev.ipckit.aeron {
    requires transitive dev.ipckit.core;
    requires io.aeron.client;
    requires io.aeron.driver;

    exports dev.ipckit.aeron;

    provides dev.ipckit.spi.ChannelProvider with dev.ipckit.aeron.AeronChannelProvider;
}
