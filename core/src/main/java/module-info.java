/**
 * ipckit's core: the {@link dev.ipckit.Channel} API and its three forms (Agrona buffers, {@code MemorySegment},
 * {@code byte[]}), URI parsing and {@link dev.ipckit.Channels}, the service interfaces transports implement, and
 * the FFM bindings to Linux that every transport shares.
 *
 * <p>Every native call of ipckit is made from this module, so a program on the module path grants it with
 * {@code --enable-native-access=dev.ipckit.core} (without the flag JDK 25 prints a warning and goes on). Transports
 * are found with {@link java.util.ServiceLoader}: on the module path through their {@code provides} clauses, on
 * the class path through their {@code META-INF/services} files.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.ipckit.core {
    // The Agrona forms (DirectBuffer, MessageHandler) are part of the API, so users read Agrona through ipckit.
    requires transitive org.agrona;

    exports dev.ipckit;
    exports dev.ipckit.spi;
    // The Linux bindings that transports build on (shared files, locks, futexes, signals, pipes, processes).
    exports dev.ipckit.posix;

    uses dev.ipckit.spi.ChannelProvider;
    uses dev.ipckit.spi.WakeupProvider;
}
