/**
 * The {@code mmap:} transport: a ring buffer in a MAP_SHARED file, by default in /dev/shm.
 */
module dev.ipckit.mmap {
    requires transitive dev.ipckit.core;

    exports dev.ipckit.mmap;

    provides dev.ipckit.spi.ChannelProvider with dev.ipckit.mmap.MmapChannelProvider;
}
