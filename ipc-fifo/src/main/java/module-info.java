/**
 * The {@code fifo:} and {@code pipe:} transports: named FIFOs and anonymous pipes, with length-prefixed frames.
 */
module dev.ipckit.fifo {
    requires transitive dev.ipckit.core;

    exports dev.ipckit.fifo;

    provides dev.ipckit.spi.ChannelProvider
        with dev.ipckit.fifo.FifoChannelProvider, dev.ipckit.fifo.PipeChannelProvider;
}
