/**
 * The mmap transport: a MAP_SHARED Agrona ring buffer in a file (by default in /dev/shm) between processes.
 *
 * <ul>
 *   <li>{@link dev.ipckit.mmap.MmapChannelProvider} serves {@code mmap:} URIs, parsed by
 *       {@link dev.ipckit.mmap.MmapOptions};</li>
 *   <li>{@link dev.ipckit.mmap.MmapSender} and {@link dev.ipckit.mmap.MmapReceiver} are the two ends, the sender
 *       with a zero-copy claim/commit API;</li>
 *   <li>{@link dev.ipckit.mmap.RingFileDescriptor} draws the file layout and documents creation, validation,
 *       liveness and reuse;</li>
 *   <li>{@link dev.ipckit.mmap.RingFileInspector} reads a ring file without taking a role, for stat and gc
 *       tools.</li>
 * </ul>
 */
package dev.ipckit.mmap;
